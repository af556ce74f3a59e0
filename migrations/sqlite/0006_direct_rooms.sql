-- Direct rooms: a room the bot shares with one person (a Matrix direct chat they opened
-- with it), where commands are answered privately. It belongs to no pillar and is never
-- bridged; the config does not list it, so it stays active when the config changes.
ALTER TABLE rooms ADD COLUMN direct_with TEXT;
CREATE INDEX rooms_direct_with ON rooms (platform, direct_with);

-- Whether an answer is a vote in one of the survey's native polls. At the close the polls'
-- own record of votes is read; only answers given there can have been taken back there.
ALTER TABLE survey_answers ADD COLUMN by_poll INTEGER NOT NULL DEFAULT 0;

-- The command that attached a survey to a meeting: the same command seen again (after a
-- crash before its answer was recorded) attaches nothing twice.
ALTER TABLE survey_templates ADD COLUMN source_event TEXT;
CREATE UNIQUE INDEX survey_templates_source ON survey_templates (source_event);
