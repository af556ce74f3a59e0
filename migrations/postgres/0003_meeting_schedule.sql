-- What the scheduler needs beyond the first schema (same in both flavours).
-- A series is written out (occurrences and their reminders) a stretch ahead at a time;
-- unwritten_from is the first start not yet written (NULL: none left).
ALTER TABLE meetings ADD COLUMN unwritten_from BIGINT;
-- The command that added the meeting (platform:room:event id): a command seen again after
-- a crash adds nothing.
ALTER TABLE meetings ADD COLUMN source_event TEXT;
CREATE UNIQUE INDEX meetings_source_event ON meetings (source_event);
-- Where a moved occurrence went, so answers to its old reminders follow it.
ALTER TABLE meeting_occurrences ADD COLUMN moved_to BIGINT REFERENCES meeting_occurrences (id);
-- A claimed reminder is a delivery in its room's queue; it is marked sent when that
-- delivery is. late = 1: it went out after its grace, and says so.
ALTER TABLE reminders ADD COLUMN delivery_id BIGINT REFERENCES deliveries (id);
ALTER TABLE reminders ADD COLUMN late BIGINT NOT NULL DEFAULT 0;
CREATE INDEX reminders_delivery ON reminders (delivery_id);
CREATE INDEX meetings_unwritten ON meetings (unwritten_from) WHERE state = 'scheduled';
CREATE INDEX occurrences_open ON meeting_occurrences (starts_at) WHERE state = 'scheduled';
CREATE INDEX reminders_pending ON reminders (due_at) WHERE state = 'pending';
CREATE INDEX reminders_remote ON reminders (room_id, remote_id);
