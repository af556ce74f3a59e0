-- What the scheduler needs beyond the first schema (same in both flavours).
-- A series is written out (occurrences and their reminders) a stretch ahead at a time;
-- unwritten_from is the first start not yet written (NULL: none left).
ALTER TABLE meetings ADD COLUMN unwritten_from BIGINT;
-- A claimed reminder is a delivery in its room's queue; it is marked sent when that
-- delivery is. late = 1: it went out after its grace, and says so.
ALTER TABLE reminders ADD COLUMN delivery_id BIGINT REFERENCES deliveries (id);
ALTER TABLE reminders ADD COLUMN late BIGINT NOT NULL DEFAULT 0;
CREATE INDEX reminders_delivery ON reminders (delivery_id);
CREATE INDEX meetings_unwritten ON meetings (unwritten_from) WHERE state = 'scheduled';
CREATE INDEX occurrences_open ON meeting_occurrences (starts_at) WHERE state = 'scheduled';
CREATE INDEX reminders_pending ON reminders (due_at) WHERE state = 'pending';
