import type Database from 'better-sqlite3';

/** One participant's answer as received: its iTIP SEQUENCE and DTSTAMP ('YYYYMMDDTHHMMSSZ', sorts as time). */
export interface HeldAnswer {
  sequence: number;
  dtstamp: string;
  partstat: string;
}

export interface AnswerKey {
  accountId: string;
  uid: string;
  /** '' for the whole event. */
  recurrenceId: string;
  attendee: string;
}

/** Whether `a` is a later answer than `held` (iTIP order: SEQUENCE first, then DTSTAMP). */
export function isLaterAnswer(a: { sequence: number; dtstamp: string }, held: { sequence: number; dtstamp: string } | null): boolean {
  if (!held) return true;
  if (a.sequence !== held.sequence) return a.sequence > held.sequence;
  return a.dtstamp > held.dtstamp;
}

/** SQL of the answers received to my invitations (migration 009). */
export class ImipAnswers {
  constructor(private readonly db: Database.Database) {}

  held(key: AnswerKey): HeldAnswer | null {
    const row = this.db
      .prepare(
        'SELECT sequence, dtstamp, partstat FROM imip_answers WHERE account_id = ? AND uid = ? AND recurrence_id = ? AND attendee = ?',
      )
      .get(key.accountId, key.uid, key.recurrenceId, key.attendee) as HeldAnswer | undefined;
    return row ?? null;
  }

  record(key: AnswerKey, answer: HeldAnswer): void {
    this.db
      .prepare(
        `INSERT INTO imip_answers (account_id, uid, recurrence_id, attendee, sequence, dtstamp, partstat) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, uid, recurrence_id, attendee) DO UPDATE SET sequence = excluded.sequence, dtstamp = excluded.dtstamp, partstat = excluded.partstat`,
      )
      .run(key.accountId, key.uid, key.recurrenceId, key.attendee, answer.sequence, answer.dtstamp, answer.partstat);
  }
}
