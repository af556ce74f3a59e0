# Meetings: what the pillar's rooms are told, and reminders.

meeting-when = **When:** { $when }, { $minutes } min
meeting-agenda = **Agenda:** { $agenda }
meeting-place = **Where:** { $place }

## Reminders. $span is a span of time (24h).
reminder-starts-in = starts in { $span }
reminder-starts-in-late = starts in { $span } (this reminder is late: the bot could not send it on time)
reminder-title = ⏰ **{ $title }** { $left }
reminder-rsvp-so-far = **RSVP so far:** { $counts }
reminder-answer-how = Answer with `{ $command }`, or react { $yes_emoji } { $yes }, { $maybe_emoji } { $maybe }, { $no_emoji } { $no }

## Notices to the pillar's rooms.
notice-meeting-added = 📅 New meeting #{ $id }: **{ $title }**
notice-meeting-repeats = (repeats `{ $rule }` in { $zone })
notice-meeting-reminders = Reminders: { $offsets } before. Answer with `{ $command }`.
notice-occurrence-cancelled-series-goes-on = ❌ **{ $title }** on { $when } is cancelled. The series goes on.
notice-series-cancelled = ❌ The meeting series **{ $title }** is cancelled: no more meetings.
notice-meeting-cancelled = ❌ **{ $title }** on { $when } is cancelled.
notice-meeting-moved = 🔁 **{ $title }** has moved: it was { $old }, it is now { $new }. Answers given stay.

## Answers to meeting commands. $invoke is `!magnet` or `/magnet`.
meeting-other-pillar-in-public = That concerns the { $pillar } pillar; everyone in this room would see the answer. Ask in one of its rooms or the secretariat's.
meeting-not-here = There is no meeting #{ $id } here. Send `{ $invoke } meeting list` to see this pillar's meetings.
meeting-date-too-far = { $date } is too far ahead; name a date within { $days } days.
meeting-none-on-date = Meeting #{ $id } has no session on { $date } still to come.
meeting-none-to-come = Meeting #{ $id } has no session still to come.
meeting-list-other-pillar = Only the secretariat may list another pillar's meetings; here you can see those of { $pillar }.
meeting-list-where = Ask in a pillar's room, or name the pillar: `{ $invoke } meeting list <pillar>`.
meeting-list-none-pillar = No meetings to come for { $pillar }.
meeting-list-none = No meetings to come.
meeting-list-title = Meetings to come:
meeting-list-line = • #{ $id } **{ $title }** ({ $pillar }) — { $when }; { $counts }
meeting-list-how = Send `{ $invoke } meeting show <number>` for one, `{ $invoke } rsvp <number> yes` to answer.
meeting-show-title = #{ $id } **{ $title }** ({ $pillar })
meeting-show-cancelled = — cancelled
meeting-show-repeats = **Repeats:** `{ $rule }` ({ $zone })
meeting-show-reminders = **Reminders:** { $offsets } before
meeting-show-rsvp = **RSVP:** { $counts }
meeting-show-answer = { $answer }: { $name } ({ $platform })
meeting-show-nothing-to-come = Nothing still to come.
meeting-title-length = A meeting's title must have 1 to 200 characters.
meeting-agenda-length = The agenda is at most 1000 characters and the place 500; put a link to a longer agenda.
meeting-start-past = That start ({ $when }) is in the past. Give a time still to come.
meeting-series-ends-before = The series ends ({ $date }) before it starts.
meeting-until-without-every = --until goes with --every: only a series has a last date.
meeting-rule-unusable = The rule `{ $rule }` cannot be used: { $reason }. Write five fields: minute hour day-of-month month day-of-week, e.g. `0 10 * * TUE` for Tuesdays at 10:00.
meeting-rule-no-time = The rule `{ $rule }` names no time between the start and the last date.
meeting-added-before = This command was received before and already carried out: it added meeting #{ $id }.
meeting-added = Added meeting #{ $id } to { $pillar }: **{ $title }**, first on { $when }. Reminders { $offsets } before. The pillar's rooms are told.
meeting-already-cancelled = Meeting #{ $id } is already cancelled.
meeting-on-for-single = Meeting #{ $id } happens once; `--on` picks a date of a series. Send `{ $invoke } meeting cancel { $id }` to cancel it.
meeting-cancel-too-late = Meeting #{ $id } has already begun or taken place; there is nothing to cancel.
meeting-cancel-nothing-left = Meeting #{ $id } has already taken place; there was nothing left to cancel.
meeting-cancelled = { $count ->
        [one] Cancelled: 1 meeting of #{ $id }; its reminders will not be sent. The pillar's rooms are told.
       *[other] Cancelled: { $count } meetings of #{ $id }; their reminders will not be sent. The pillar's rooms are told.
    }
meeting-move-cancelled = Meeting #{ $id } is cancelled; add a new one instead.
meeting-move-same-time = Meeting #{ $id } is at { $when } already; nothing to move.
meeting-moved = Moved #{ $id } to { $when }. The old reminders will not be sent; new ones follow. The pillar's rooms are told.
meeting-move-taken = Meeting #{ $id } already has a session at that time.
meeting-move-changed = That meeting of #{ $id } was changed meanwhile; see `{ $invoke } meeting show { $id }` and try again.
meeting-reminders-set = Meeting #{ $id } now reminds { $offsets } before each meeting (reminders already sent stay sent).
meeting-is-cancelled = Meeting #{ $id } is cancelled.
meeting-gone = That meeting no longer exists.
meeting-occurrence-state = That meeting is { $state }; see `{ $invoke } meeting show { $id }`.
occurrence-state-cancelled = cancelled
occurrence-state-moved = moved
occurrence-state-held = over
meeting-over = That meeting is over.
rsvp-noted = Noted: **{ $answer }** for { $title } on { $when }. So far: { $counts }.

## Reading what people type.
when-bad-start = `{ $text }` is not a start time I can read. Write the date and the time, e.g. `2026-12-01 10:00` (in the pillar's time zone, or the one given with --zone).
when-bad-date = `{ $text }` is not a date I can read. Write it like `2026-12-01`.
when-bad-zone = `{ $text }` is not a time zone I know. Use an IANA name such as `Europe/Istanbul`, `Europe/Berlin` or `UTC`.
when-bad-duration = `{ $text }` is not a duration I can read. Write it like `60m` or `1h30m`.
when-duration-range = `{ $text }` cannot be a meeting's length: a meeting lasts whole minutes, from 1 minute to 24 hours.
when-bad-offset = `{ $text }` is not a reminder offset I can read. Write them like `24h,1h` (or `none`).
when-offset-range = `{ $text }` cannot be a reminder offset: a reminder comes from 1 minute to 14 days before the meeting.

## The calendar feed a pillar's members subscribe to.
calendar-name = { $pillar } meetings
calendar-description = Meetings of the { $pillar } pillar, kept by the MAGNET bot
