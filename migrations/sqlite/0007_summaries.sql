-- What issue #15 needs of summaries and action items. The tables of migration 1 were never
-- written to; they are made again.
DROP TABLE action_items;
DROP TABLE summaries;

-- A meeting summary of a pillar: its current version; earlier versions are kept in
-- summary_versions. A rapporteur's summary is a draft until one of the secretariat
-- approves it; a withdrawn one stays, marked.
CREATE TABLE summaries (
    id             INTEGER PRIMARY KEY,
    pillar_id      TEXT NOT NULL REFERENCES pillars (id),
    occurrence_id  INTEGER REFERENCES meeting_occurrences (id),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'published', 'withdrawn')),
    version        INTEGER NOT NULL DEFAULT 1,
    text           TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    published_at   INTEGER,
    published_by   TEXT,
    withdrawn_at   INTEGER,
    withdrawn_by   TEXT,
    -- The command that posted it: the same command seen twice records one summary.
    source_event   TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX summaries_pillar ON summaries (pillar_id, created_at);

-- A version replaced by an edit (or the last one before a withdrawal), as it was.
CREATE TABLE summary_versions (
    summary_id    INTEGER NOT NULL REFERENCES summaries (id),
    version       INTEGER NOT NULL,
    text          TEXT NOT NULL,
    -- JSON arrays: the decisions, and the actions as {what, owner, due}.
    decisions     TEXT NOT NULL,
    actions       TEXT NOT NULL,
    replaced_by   TEXT NOT NULL,
    replaced_at   INTEGER NOT NULL,
    -- The command that replaced it.
    source_event  TEXT NOT NULL UNIQUE,
    PRIMARY KEY (summary_id, version)
) STRICT;

CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    summary_id  INTEGER NOT NULL REFERENCES summaries (id),
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_summary ON decisions (summary_id, position);

-- An action item: what, whose (an account where the summary named one), by when.
CREATE TABLE action_items (
    id              INTEGER PRIMARY KEY,
    summary_id      INTEGER NOT NULL REFERENCES summaries (id),
    position        INTEGER NOT NULL,
    description     TEXT NOT NULL,
    owner_name      TEXT NOT NULL,
    owner_platform  TEXT CHECK (owner_platform IN ('matrix', 'discord')),
    owner_user      TEXT,
    -- A calendar date, YYYY-MM-DD, on the pillar's clock.
    due_date        TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'dropped')),
    created_at      INTEGER NOT NULL,
    closed_at       INTEGER,
    closed_by       TEXT,
    -- When the owner is reminded (set when the summary is published), and when that
    -- reminder was claimed: once.
    remind_at       INTEGER,
    reminded_at     INTEGER
) STRICT;
CREATE INDEX action_items_summary ON action_items (summary_id, position);
CREATE INDEX action_items_due ON action_items (remind_at) WHERE reminded_at IS NULL AND state = 'open';

-- What `search` looks in: the published summaries' texts, decisions and actions.
CREATE VIRTUAL TABLE summary_search USING fts5 (
    body,
    summary_id UNINDEXED,
    kind UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
