-- 020: « Envoyer plus tard » (scheduled send). scheduled_at is the moment the agent chose (ISO 8601 UTC), distinct
-- from next_attempt_at (the retry back-off): a queued row with scheduled_at in the future is not due and never makes
-- the account's other messages wait. NULL = send as soon as possible. « Envoyer maintenant » sets it to NULL;
-- « Modifier » turns the row back into a draft (state 'draft', scheduled_at NULL). SQL in src/mail/outbox-store.ts.
ALTER TABLE outbox ADD COLUMN scheduled_at TEXT;
CREATE INDEX outbox_scheduled ON outbox (scheduled_at) WHERE state = 'queued' AND scheduled_at IS NOT NULL;
