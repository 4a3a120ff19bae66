/** The meeting in progress, held by the app shell (App.tsx) so that it outlives the Visio view. */
import type { MeetingSession } from './session';

export interface ActiveMeeting {
  session: MeetingSession;
  /** Chosen haut-parleur (audio output device id, '' = default). */
  speakerId: string;
  /** The meeting link (shown and copied in the meeting). */
  link: string;
}
