-- The whole design's schema, SQLite flavour. Keep in step with migrations/postgres:
-- same version numbers, same tables and columns; only id columns and types differ.
-- Times are UTC epoch milliseconds (BIGINT), flags are 0/1 integers: the sqlx Any
-- driver decodes neither SQLite BOOLEAN nor DATETIME.

CREATE TABLE pillars (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Every Matrix room and Discord channel the bot serves. A room belongs to at most one
-- pillar (the bridge never crosses pillars) and may also be a secretariat room.
CREATE TABLE rooms (
    id              INTEGER PRIMARY KEY,
    platform        TEXT NOT NULL CHECK (platform IN ('matrix', 'discord')),
    remote_id       TEXT NOT NULL,
    pillar_id       TEXT REFERENCES pillars (id),
    is_secretariat  INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1,
    -- The last delivery sequence number handed out for this room as a target.
    next_seq        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (platform, remote_id)
) STRICT;

-- Where catch-up resumes: the last inbound event committed per room.
CREATE TABLE room_positions (
    room_id     INTEGER PRIMARY KEY REFERENCES rooms (id),
    event_id    TEXT NOT NULL,
    event_ts    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Each inbound event once: a second sight of the same key changes nothing.
CREATE TABLE inbound_events (
    id               INTEGER PRIMARY KEY,
    room_id          INTEGER NOT NULL REFERENCES rooms (id),
    remote_event_id  TEXT NOT NULL,
    kind             TEXT NOT NULL,
    sender_id        TEXT NOT NULL,
    event_ts         INTEGER NOT NULL,
    received_at      INTEGER NOT NULL,
    UNIQUE (room_id, remote_event_id, kind)
) STRICT;

-- The message id map: one row per original message, one copy per room it appears in
-- (the origin included), so edits, deletions and replies find every copy after a restart.
CREATE TABLE bridged_messages (
    id              INTEGER PRIMARY KEY,
    pillar_id       TEXT NOT NULL REFERENCES pillars (id),
    origin_room_id  INTEGER NOT NULL REFERENCES rooms (id),
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE message_copies (
    message_id  INTEGER NOT NULL REFERENCES bridged_messages (id),
    room_id     INTEGER NOT NULL REFERENCES rooms (id),
    remote_id   TEXT NOT NULL,
    PRIMARY KEY (message_id, room_id),
    UNIQUE (room_id, remote_id)
) STRICT;

-- The delivery queue: per target room, in sequence order.
CREATE TABLE deliveries (
    id                INTEGER PRIMARY KEY,
    room_id           INTEGER NOT NULL REFERENCES rooms (id),
    seq               INTEGER NOT NULL,
    inbound_event_id  INTEGER REFERENCES inbound_events (id),
    message_id        INTEGER REFERENCES bridged_messages (id),
    action            TEXT NOT NULL CHECK (action IN ('send', 'edit', 'delete', 'react', 'unreact')),
    -- What to send, as JSON; dropped once delivered (keep little).
    payload           TEXT,
    state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    not_before        INTEGER NOT NULL,
    last_error        TEXT,
    remote_id         TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (room_id, seq)
) STRICT;
CREATE INDEX deliveries_open ON deliveries (room_id, seq) WHERE state IN ('pending', 'sending');
CREATE INDEX deliveries_dead ON deliveries (room_id) WHERE state = 'dead';

-- Meetings: one-off, or recurring by a cron rule evaluated in the meeting's time zone.
CREATE TABLE meetings (
    id                 INTEGER PRIMARY KEY,
    pillar_id          TEXT NOT NULL REFERENCES pillars (id),
    title              TEXT NOT NULL,
    starts_at          INTEGER NOT NULL,
    duration_minutes   INTEGER NOT NULL,
    timezone           TEXT NOT NULL,
    recurrence         TEXT,
    until_at           INTEGER,
    agenda             TEXT,
    location           TEXT,
    -- Seconds before each occurrence, comma separated.
    reminder_offsets   TEXT NOT NULL,
    state              TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'cancelled')),
    created_by         TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE meeting_occurrences (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    starts_at   INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'cancelled', 'moved', 'held')),
    UNIQUE (meeting_id, starts_at)
) STRICT;

-- One row per reminder per room: the unique key makes each reminder exactly-once.
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    occurrence_id   INTEGER NOT NULL REFERENCES meeting_occurrences (id),
    room_id         INTEGER NOT NULL REFERENCES rooms (id),
    offset_seconds  INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'sent', 'late', 'missed', 'cancelled')),
    claimed_by      TEXT,
    claimed_at      INTEGER,
    sent_at         INTEGER,
    remote_id       TEXT,
    UNIQUE (occurrence_id, room_id, offset_seconds)
) STRICT;
CREATE INDEX reminders_due ON reminders (due_at) WHERE state IN ('pending', 'claimed');

CREATE TABLE rsvps (
    occurrence_id  INTEGER NOT NULL REFERENCES meeting_occurrences (id),
    platform       TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    answer         TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, platform, user_id)
) STRICT;

CREATE TABLE attendance (
    occurrence_id  INTEGER NOT NULL REFERENCES meeting_occurrences (id),
    platform       TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    recorded_at    INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, platform, user_id)
) STRICT;

-- Surveys: posted to one pillar (or all when pillar_id is NULL).
CREATE TABLE surveys (
    id          INTEGER PRIMARY KEY,
    pillar_id   TEXT REFERENCES pillars (id),
    title       TEXT NOT NULL,
    anonymous   INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('draft', 'open', 'closed')),
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    closes_at   INTEGER,
    closed_at   INTEGER
) STRICT;

CREATE TABLE survey_questions (
    id         INTEGER PRIMARY KEY,
    survey_id  INTEGER NOT NULL REFERENCES surveys (id),
    position   INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('choice', 'multiple', 'rating', 'text')),
    prompt     TEXT NOT NULL,
    -- The choices as a JSON array of strings (empty for rating and text).
    options    TEXT NOT NULL DEFAULT '[]',
    UNIQUE (survey_id, position)
) STRICT;

-- Where each survey was posted, per room: posting is exactly-once too.
CREATE TABLE survey_posts (
    survey_id  INTEGER NOT NULL REFERENCES surveys (id),
    room_id    INTEGER NOT NULL REFERENCES rooms (id),
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    remote_id  TEXT,
    PRIMARY KEY (survey_id, room_id)
) STRICT;

-- One answer per person per question, changeable until close.
CREATE TABLE survey_answers (
    id           INTEGER PRIMARY KEY,
    question_id  INTEGER NOT NULL REFERENCES survey_questions (id),
    platform     TEXT NOT NULL,
    voter_id     TEXT NOT NULL,
    -- JSON: an array of choice indexes, a rating, or a text.
    answer       TEXT NOT NULL,
    answered_at  INTEGER NOT NULL,
    UNIQUE (question_id, platform, voter_id)
) STRICT;

CREATE TABLE summaries (
    id               INTEGER PRIMARY KEY,
    pillar_id        TEXT NOT NULL REFERENCES pillars (id),
    occurrence_id    INTEGER REFERENCES meeting_occurrences (id),
    text             TEXT NOT NULL,
    -- JSON array of decision strings.
    decisions        TEXT NOT NULL DEFAULT '[]',
    created_by       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    -- The command's event id: the same command seen twice records one summary.
    idempotency_key  TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE action_items (
    id           INTEGER PRIMARY KEY,
    summary_id   INTEGER NOT NULL REFERENCES summaries (id),
    description  TEXT NOT NULL,
    owner        TEXT NOT NULL,
    -- A calendar date, YYYY-MM-DD.
    due_date     TEXT,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'dropped')),
    closed_at    INTEGER
) STRICT;

CREATE TABLE report_runs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('scheduled', 'on_demand')),
    period_start  INTEGER NOT NULL,
    period_end    INTEGER NOT NULL,
    state         TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    -- Where the files went, or why it failed.
    output        TEXT
) STRICT;
-- A scheduled report for a period runs once, whichever instance gets there first.
CREATE UNIQUE INDEX report_runs_scheduled_once ON report_runs (period_start, period_end) WHERE kind = 'scheduled';
