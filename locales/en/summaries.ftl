# Summaries, decisions and action items: what the bot posts, and its answers about them.

## A summary as the pillar's rooms see it.
summary-header = 📝 **Summary #{ $id }: { $pillar }**
summary-header-edited = 📝 **Summary #{ $id }: { $pillar }** (edited, version { $version })
# $meeting is the meeting's number, $title its title, $when when the session was.
summary-meeting = Meeting #{ $meeting } “{ $title }”, { $when }.
summary-decisions = **Decisions**
summary-actions = **Actions**
# $owner is who owns it (a mention or a name), $due a date.
summary-action = #{ $id } { $what }: { $owner }, by { $due }
summary-action-done = { " " }(done)
summary-action-dropped = { " " }(dropped)
summary-how-actions = The owner or the secretariat marks an action with `{ $done }` or `{ $drop }`.
summary-withdrawn-notice = Summary #{ $id } of { $pillar } is withdrawn.
# To the secretariat's rooms: a rapporteur's draft.
summary-draft-header = 📝 **Draft summary #{ $id } for { $pillar }**, from { $author }
summary-draft-approve = To post it to the pillar's rooms: `{ $command }`; to change it first: `{ $edit }`.

## Answers.
summary-posted = Summary #{ $id } is posted to the rooms of { $pillar }.
summary-drafted = Summary #{ $id } is a draft: the secretariat is shown it, and it is posted to the rooms of { $pillar } once one of them approves it.
summary-seen-before = Summary #{ $id } was recorded already.
summary-approved = Summary #{ $id } is approved and posted to the rooms of { $pillar }.
summary-approved-before = Summary #{ $id } is posted already.
summary-edited = Summary #{ $id } is changed (version { $version }); the earlier version is kept.
summary-withdrawn = Summary #{ $id } is withdrawn; its versions are kept.
summary-changed-meanwhile = Summary #{ $id } was changed by someone else at the same moment, so what you asked was not done: look at it again and try once more.
summary-is-withdrawn = Summary #{ $id } is withdrawn: it cannot be changed.
summary-not-draft = Summary #{ $id } is not a draft.
summary-unknown = There is no summary #{ $id }.
summary-not-allowed = Only the secretariat and the rapporteurs of { $pillar } may post a summary for it.
summary-edit-not-allowed = Only the secretariat, or a rapporteur while it is a draft, may change summary #{ $id }.
summary-no-meeting = There is no meeting #{ $id } in { $pillar }.
summary-no-session = Meeting #{ $id } had no session on { $date }.
summary-none-held = { $pillar } has held no meeting yet: name one with `--meeting`.
summary-bad-date = `{ $typed }` is not a date: write it as YYYY-MM-DD.

## Mistakes in a summary's body; $line is the line's number.
summary-empty = The summary is empty: write its text under the command, with `Decision:` and `Action: <what> @owner due YYYY-MM-DD` lines.
summary-text-too-long = The summary's text has { $chars } characters; at most { $max }.
summary-item-too-long = Line { $line } has { $chars } characters; a decision or an action has at most { $max }.
summary-too-many-decisions = A summary has at most { $max } decisions.
summary-too-many-actions = A summary has at most { $max } actions.
summary-empty-decision = Line { $line }: the decision is empty.
summary-no-owner = Line { $line }: an action needs an owner, written @name (a Matrix id like @deniz:example.org, or a Discord mention).
summary-no-due = Line { $line }: an action needs a due date, written `due YYYY-MM-DD` after the owner.
summary-impossible-date = Line { $line }: `{ $typed }` is not a date on the calendar.
summary-due-past = Line { $line }: the due date { $date } has passed already.
summary-nothing-to-do = Line { $line }: the action says who and when, but not what.

## Lists.
summary-list-title = Summaries:
summary-list-line = #{ $id } { $pillar }, { $date } ({ $state }): { $start }
summary-list-none = No summaries yet.
summary-state-draft = draft
summary-state-published = posted
summary-state-withdrawn = withdrawn
actions-title = Open actions:
actions-overdue-title = Overdue actions:
actions-none = No open actions.
actions-overdue-none = No action is overdue.
# $pillar is the pillar's name, $summary the summary's number.
actions-line = #{ $id } { $what }: { $owner }, by { $due } ({ $pillar }, summary #{ $summary }){ $late }
actions-late = { " " }⚠ overdue

## Actions.
action-done = Action #{ $id } is marked done.
action-dropped = Action #{ $id } is dropped.
action-closed-already = Action #{ $id } is closed already.
action-unknown = There is no action #{ $id }.
action-not-yours = Only the owner of action #{ $id } or the secretariat may close it.
# To the pillar's rooms, pinging the owner only.
action-reminder = ⏰ { $owner }: action #{ $id } “{ $what }” (summary #{ $summary }) is due { $due }. When it is done: `{ $command }`.

## Search.
search-empty = Give the words to look for, e.g. `{ $command }`.
search-none = Nothing found for “{ $words }”.
search-title = Found for “{ $words }”, newest first:
search-line = Summary #{ $id } ({ $pillar }, { $date }), { $kind }: { $excerpt }
search-kind-summary = text
search-kind-decision = decision
search-kind-action = action
