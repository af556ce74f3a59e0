-- What issue #15 needs of regular reports.

-- Who wrote a bridged message (the platform's user id): counted in reports as active
-- participants, never shown. Messages bridged before this version have none.
ALTER TABLE bridged_messages ADD COLUMN sender_id TEXT;
CREATE INDEX bridged_messages_time ON bridged_messages (created_at);
CREATE INDEX deliveries_time ON deliveries (created_at);
CREATE INDEX occurrences_time ON meeting_occurrences (starts_at);
CREATE INDEX reminders_time ON reminders (due_at);
-- Which process runs a report: only one instance serves at a time, so a run left
-- 'running' by another one was cut short by its death and is taken over.
ALTER TABLE report_runs ADD COLUMN claimed_by TEXT;
-- The chat command that asked for a report: the same command seen again after a crash
-- records (and posts) it once.
ALTER TABLE report_runs ADD COLUMN source_event TEXT;
CREATE UNIQUE INDEX report_runs_source ON report_runs (source_event);

-- The figures of the reports, as views: a BI tool pointed at the shared database reads the
-- same numbers as the report. Times are UTC epoch milliseconds; every view has the
-- pillar's id. Documented in the README ("Report views").

-- Each session of a meeting: its standing, the answers given and who attended.
CREATE VIEW report_sessions AS
SELECT o.id AS session_id, m.id AS meeting_id, m.pillar_id, m.title, o.starts_at,
       CASE WHEN m.state = 'cancelled' AND o.state = 'scheduled' THEN 'cancelled' ELSE o.state END AS state,
       (SELECT COUNT(*) FROM rsvps r WHERE r.occurrence_id = o.id AND r.answer = 'yes') AS rsvp_yes,
       (SELECT COUNT(*) FROM rsvps r WHERE r.occurrence_id = o.id AND r.answer = 'maybe') AS rsvp_maybe,
       (SELECT COUNT(*) FROM rsvps r WHERE r.occurrence_id = o.id AND r.answer = 'no') AS rsvp_no,
       (SELECT COUNT(*) FROM attendance a WHERE a.occurrence_id = o.id) AS attended
  FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id;

-- Each reminder of a session in one room: sent on time, sent late, missed, or not yet.
CREATE VIEW report_reminders AS
SELECT r.id AS reminder_id, m.pillar_id, rm.platform, r.occurrence_id AS session_id, r.due_at, r.sent_at,
       CASE WHEN r.state IN ('sent', 'late') AND (r.late = 1 OR r.state = 'late') THEN 'late'
            ELSE r.state END AS state
  FROM reminders r
  JOIN meeting_occurrences o ON o.id = r.occurrence_id
  JOIN meetings m ON m.id = o.meeting_id
  JOIN rooms rm ON rm.id = r.room_id;

-- Each survey, with how many people answered it (anonymous: the most answers of one
-- question, since anonymous answers carry no voter).
CREATE VIEW report_surveys AS
SELECT s.id AS survey_id, s.title, s.state, s.anonymous, s.opens_at, s.closes_at, s.closed_at, s.hidden_below,
       (SELECT COUNT(DISTINCT a.voter) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id
         WHERE q.survey_id = s.id)
       + COALESCE((SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM survey_anonymous_answers x
                    JOIN survey_questions q ON q.id = x.question_id WHERE q.survey_id = s.id
                    GROUP BY x.question_id) counts), 0) AS respondents
  FROM surveys s;

-- Each pillar a survey went to: who answered there, and the members its rooms had at the
-- close (the response rate is answered / members).
CREATE VIEW report_survey_pillars AS
SELECT sp.survey_id, sp.pillar_id,
       (SELECT COUNT(DISTINCT a.voter) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id
         WHERE q.survey_id = sp.survey_id AND a.pillar_id = sp.pillar_id)
       + COALESCE((SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM survey_anonymous_answers x
                    JOIN survey_questions q ON q.id = x.question_id
                   WHERE q.survey_id = sp.survey_id AND x.pillar_id = sp.pillar_id
                   GROUP BY x.question_id) counts), 0) AS answered,
       (SELECT CAST(SUM(r.members) AS BIGINT) FROM survey_reach r
         WHERE r.survey_id = sp.survey_id AND r.pillar_id = sp.pillar_id)
         AS members
  FROM survey_pillars sp;

-- Every answer counted (named or anonymous; never who gave it): the tallies come from these.
CREATE VIEW report_survey_answers AS
SELECT q.survey_id, q.position AS question, q.kind, a.pillar_id, a.answer
  FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id
UNION ALL
SELECT q.survey_id, q.position AS question, q.kind, x.pillar_id, x.answer
  FROM survey_anonymous_answers x JOIN survey_questions q ON q.id = x.question_id;

-- Each summary, with its counts of decisions and (not dropped) actions.
CREATE VIEW report_summaries AS
SELECT s.id AS summary_id, s.pillar_id, s.occurrence_id AS session_id, s.state, s.version, s.created_at,
       s.published_at,
       (SELECT COUNT(*) FROM decisions d WHERE d.summary_id = s.id) AS decisions,
       (SELECT COUNT(*) FROM action_items a WHERE a.summary_id = s.id AND a.state <> 'dropped') AS actions
  FROM summaries s;

-- The decisions of published summaries.
CREATE VIEW report_decisions AS
SELECT d.id AS decision_id, d.summary_id, s.pillar_id, s.published_at, d.text
  FROM decisions d JOIN summaries s ON s.id = d.summary_id
 WHERE s.state = 'published';

-- The action items of published summaries.
CREATE VIEW report_actions AS
SELECT a.id AS action_id, a.summary_id, s.pillar_id, a.description, a.owner_name, a.due_date, a.state,
       a.created_at, a.closed_at, s.published_at
  FROM action_items a JOIN summaries s ON s.id = a.summary_id
 WHERE s.state = 'published';

-- Each message bridged, by the pillar and platform it was written on (counts only: no text).
CREATE VIEW report_messages AS
SELECT b.id AS message_id, b.pillar_id, r.platform, b.sender_id, b.created_at
  FROM bridged_messages b JOIN rooms r ON r.id = b.origin_room_id;

-- Each delivery to a pillar's room: its state and how many tries it took.
CREATE VIEW report_deliveries AS
SELECT d.id AS delivery_id, r.pillar_id, r.platform, d.action, d.state, d.attempts, d.created_at
  FROM deliveries d JOIN rooms r ON r.id = d.room_id
 WHERE r.pillar_id IS NOT NULL;

-- When this database started to keep reports: a scheduled report is made for periods whose
-- run time came after it, never retroactively for the time before.
CREATE TABLE reports_since (
    id  BIGINT PRIMARY KEY CHECK (id = 1),
    at  BIGINT NOT NULL
);
INSERT INTO reports_since (id, at) VALUES (1, CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT));
