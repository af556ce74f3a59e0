-- Surveys (#14). The survey tables of migration 1 were never written to; they are made
-- again in the shape the surveys need.
DROP TABLE survey_answers;
DROP TABLE survey_posts;
DROP TABLE survey_questions;
DROP TABLE surveys;

-- A person's accounts on both platforms, once linked (`link`): every account of a person
-- has the same `person` key, and counts once in surveys and meeting answers.
CREATE TABLE linked_accounts (
    platform   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    person     TEXT NOT NULL,
    linked_at  INTEGER NOT NULL,
    PRIMARY KEY (platform, user_id)
) STRICT;
CREATE INDEX linked_accounts_person ON linked_accounts (person);

-- A code shown on one platform, to be given on the other within its time.
CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    platform    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;

-- A survey to open when each occurrence of a meeting ends (`--survey` on `meeting add`,
-- `survey attach`): the questions as JSON, as a survey would have them.
CREATE TABLE survey_templates (
    id               INTEGER PRIMARY KEY,
    meeting_id       INTEGER NOT NULL REFERENCES meetings (id),
    title            TEXT NOT NULL,
    questions        TEXT NOT NULL,
    anonymous        INTEGER NOT NULL DEFAULT 0,
    open_for_ms      INTEGER NOT NULL,
    nudge_before_ms  INTEGER,
    created_by       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE surveys (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    anonymous        INTEGER NOT NULL DEFAULT 0,
    state            TEXT NOT NULL CHECK (state IN ('open', 'closed', 'cancelled')),
    created_by       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    opens_at         INTEGER NOT NULL,
    closes_at        INTEGER NOT NULL,
    -- When the one reminder before the deadline is due; NULL when none is (left).
    nudge_at         INTEGER,
    closed_at        INTEGER,
    closed_by        TEXT,
    -- An anonymous survey closed with fewer answers than [surveys] anonymous_min (the
    -- number kept here): its results are not shown.
    hidden_below     INTEGER,
    template_id      INTEGER REFERENCES survey_templates (id),
    occurrence_id    INTEGER REFERENCES meeting_occurrences (id),
    -- The command that started it: seen again after a crash, it starts nothing more.
    source_event     TEXT UNIQUE,
    -- An occurrence opens its template's survey once.
    UNIQUE (template_id, occurrence_id)
) STRICT;
CREATE INDEX surveys_due ON surveys (state, closes_at);

CREATE TABLE survey_pillars (
    survey_id  INTEGER NOT NULL REFERENCES surveys (id),
    pillar_id  TEXT NOT NULL REFERENCES pillars (id),
    PRIMARY KEY (survey_id, pillar_id)
) STRICT;

CREATE TABLE survey_questions (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES surveys (id),
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('choice', 'multiple', 'rating', 'text')),
    prompt       TEXT NOT NULL,
    -- The choices as a JSON array of strings (empty for rating and text).
    options      TEXT NOT NULL DEFAULT '[]',
    -- How many choices one person may pick (1 but for `multiple`).
    max_choices  INTEGER NOT NULL DEFAULT 1,
    UNIQUE (survey_id, position)
) STRICT;

-- What is posted where, each part its own delivery: `part` 0 is the survey's message, a
-- question's position its native poll. The remote id is filled in when the delivery is
-- made; votes on a poll are found by (room, remote id).
CREATE TABLE survey_posts (
    survey_id    INTEGER NOT NULL REFERENCES surveys (id),
    room_id      INTEGER NOT NULL REFERENCES rooms (id),
    part         INTEGER NOT NULL,
    question_id  INTEGER REFERENCES survey_questions (id),
    delivery_id  INTEGER NOT NULL REFERENCES deliveries (id),
    remote_id    TEXT,
    PRIMARY KEY (survey_id, room_id, part)
) STRICT;
CREATE INDEX survey_posts_delivery ON survey_posts (delivery_id);
CREATE INDEX survey_posts_remote ON survey_posts (room_id, remote_id);

-- One answer per person per question; a new one replaces it until close. `voter` is the
-- person's key (linked accounts share one); the account and the pillar it answered from
-- are kept for the reports.
CREATE TABLE survey_answers (
    question_id  INTEGER NOT NULL REFERENCES survey_questions (id),
    voter        TEXT NOT NULL,
    platform     TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    pillar_id    TEXT,
    -- JSON: an array of choice indexes, a rating, or a text.
    answer       TEXT NOT NULL,
    answered_at  INTEGER NOT NULL,
    PRIMARY KEY (question_id, voter)
) STRICT;

-- Anonymous surveys: who answered is kept only as a keyed hash (the key is not in the
-- database), apart from the answers, which carry neither a voter nor a time.
CREATE TABLE survey_anonymous_voters (
    question_id  INTEGER NOT NULL REFERENCES survey_questions (id),
    voter_hash   TEXT NOT NULL,
    PRIMARY KEY (question_id, voter_hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE survey_anonymous_answers (
    id           INTEGER PRIMARY KEY,
    question_id  INTEGER NOT NULL REFERENCES survey_questions (id),
    pillar_id    TEXT,
    answer       TEXT NOT NULL
) STRICT;

-- How many people each pillar's rooms had on each platform when the survey closed, as the
-- platform reported them: the denominator of the response rate.
CREATE TABLE survey_reach (
    survey_id  INTEGER NOT NULL REFERENCES surveys (id),
    pillar_id  TEXT NOT NULL,
    platform   TEXT NOT NULL,
    members    INTEGER NOT NULL,
    PRIMARY KEY (survey_id, pillar_id, platform)
) STRICT;
