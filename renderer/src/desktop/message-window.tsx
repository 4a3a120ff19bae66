/**
 * A message in its own window (issue 18), as in Outlook: a double-click in the list opens the page address with
 * `?message=<account>|<folder>|<uid>`, which shows only that message (the reader, its actions stay in the main
 * window). Browser mode: a new browser window (same tab session, so the same token). Electron: main/electron.ts lets
 * only this address open a window (src/host/message-window.ts), with the main window's security settings.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { MessageReader } from '../views/courrier/Reader';

export interface MessageTarget {
  accountId: string;
  folder: string;
  uid: number;
}

export function messageWindowSearch(target: MessageTarget): string {
  return `?${new URLSearchParams({ message: `${target.accountId}|${target.uid}|${target.folder}` }).toString()}`;
}

/** The message named by the page address, or null (the normal application). */
export function messageFromAddress(search: string): MessageTarget | null {
  const value = new URLSearchParams(search).get('message');
  const m = value ? /^([^|]+)\|(\d+)\|(.+)$/.exec(value) : null;
  return m ? { accountId: m[1], uid: Number(m[2]), folder: m[3] } : null;
}

export function openMessageWindow(target: MessageTarget): void {
  const url = new URL(window.location.href);
  url.search = messageWindowSearch(target);
  url.hash = '';
  window.open(url.href, '_blank', 'popup,width=900,height=760');
}

export function MessageWindow({ target }: { target: MessageTarget }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = t('messageWindow.title');
  }, [t]);
  return (
    <main id="main" className="message-window" data-testid="message-window">
      <h1 className="visually-hidden">{t('messageWindow.title')}</h1>
      <MessageReader accountId={target.accountId} folder={target.folder} uid={target.uid} />
    </main>
  );
}
