/**
 * « Rejoindre la visio de l'espace »: the space's standing meeting room on the organisation's meeting server, the same
 * for every member (its id comes from the room's subject, known to members only), opened in Visio like a meeting of Agenda (pre-join, then in).
 */
import { useTranslation } from 'react-i18next';
import type { Workspace } from '../../../../src/shared/contract';
import { useApiQuery } from '../../api/react';
import { meetingLink } from '../visio/link';
import { spaceMeetingRoomId } from './space-meeting';

export function EspaceVisio({ space, onJoinVisio }: { space: Workspace; onJoinVisio: (link: string) => void }) {
  const { t } = useTranslation();
  const settings = useApiQuery('settings.list', {}, { refreshOn: ['settings.changed'] });
  const serverUrl = String(settings.data?.find((entry) => entry.key === 'visio.serverUrl')?.value ?? '');
  const link = serverUrl ? meetingLink(serverUrl, spaceMeetingRoomId(space.visioRoom)) : null;
  return (
    <>
      <button
        type="button"
        className="button button-primary"
        disabled={!link}
        onClick={() => link && onJoinVisio(link)}
        data-testid="space-visio"
      >
        {t('espaces.joinVisio')}
      </button>
      {settings.data && !link ? <p className="muted">{t('espacesVisio.noServer')}</p> : null}
    </>
  );
}
