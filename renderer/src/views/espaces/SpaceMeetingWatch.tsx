/** Applies spaceMeetingStep to the meeting in progress (mounted by the App shell while a meeting exists). */
import { useEffect, useRef } from 'react';
import { useApiQuery } from '../../api/react';
import type { ActiveMeeting } from '../visio/active-meeting';
import { meetingLink, parseMeetingLink } from '../visio/link';
import { spaceMeetingStep, type TrackedSpace } from './space-meeting';

export function SpaceMeetingWatch({ meeting, onMeetingChange }: { meeting: ActiveMeeting; onMeetingChange(meeting: ActiveMeeting): void }) {
  const spaces = useApiQuery('workspaces.list', {}, { refreshOn: ['workspaces.changed'] });
  const tracked = useRef<{ session: ActiveMeeting['session']; space: TrackedSpace | null } | null>(null);

  useEffect(() => {
    const list = spaces.data;
    const { session } = meeting;
    if (!list || session.snapshot.phase === 'failed' || session.snapshot.phase === 'left') return;
    if (tracked.current?.session !== session) tracked.current = { session, space: null };
    const step = spaceMeetingStep(session.roomId, tracked.current.space, list);
    tracked.current.space = step.space;
    if (step.kind === 'leave') void session.leaveSpace(step.space.name);
    else if (step.kind === 'move') {
      const serverUrl = parseMeetingLink(meeting.link)?.serverUrl;
      const link = serverUrl ? meetingLink(serverUrl, step.roomId) : null;
      if (link) onMeetingChange({ ...meeting, link });
      void session.moveTo(step.roomId);
    }
  }, [spaces.data, meeting, onMeetingChange]);

  return null;
}
