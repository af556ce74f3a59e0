# Reports: their text (Markdown, HTML, chat) and the answers about them.

report-title = MAGNET report { $from } to { $to }
report-made = Made { $at } ({ $zone }); figures from the database's report views.
report-meetings = Meetings: { $held } held, { $cancelled } cancelled, { $moved } moved.
report-rsvps = Answers: { $yes } yes, { $maybe } maybe, { $no } no; { $attended } attended.
report-reminders = Reminders: { $sent } on time, { $late } late, { $missed } missed.
report-summaries = Summaries: { $count }, with { $decisions } decisions.
report-actions = Actions: { $opened } opened, { $done } done; { $open } open at the end, { $overdue } of them overdue.
report-activity = Bridged messages: { $messages }, from { $participants } people.
report-platform = { $platform }: { $messages } messages from { $participants } people; { $failed } deliveries failed, { $retried } tried again.
report-sessions-heading = Sessions
report-session-state = { $state ->
    [held] held
    [cancelled] cancelled
    [moved] moved
   *[other] scheduled
}
report-session-answers = { $yes } yes, { $maybe } maybe, { $no } no, { $attended } attended
report-decisions-heading = Decisions
report-from-summary = summary #{ $id }, { $date }
report-overdue-heading = Overdue actions
report-due = due { $date }
report-surveys-heading = Surveys
report-survey-line = { $respondents ->
    [one] One person answered
   *[other] { $respondents } people answered
}; { $state ->
    [open] open until { $closes }
    [cancelled] cancelled
   *[other] closed { $closes }
}.
report-survey-rate = { $pillar }: { $answered } answered{ $members ->
    [-1] {""}
   *[other] { "" } of { $members }{ $rate ->
        [-1] {""}
       *[other] { "" } ({ $rate } %)
    }
}
report-survey-hidden = The results are hidden: too few people answered this anonymous survey.
report-question-respondents = { $count ->
    [one] one answer
   *[other] { $count } answers
}
report-option = { $label }: { $count } ({ $percent } %)
report-mean = Mean: { $mean } of 5
report-texts = { $count ->
    [one] One written answer (not shown here).
   *[other] { $count } written answers (not shown here).
}
report-overview-heading = Overview
report-col-held = Held
report-col-cancelled = Cancelled
report-col-attended = Attended
report-col-reminders = Reminders sent / missed
report-col-messages = Messages
report-col-participants = People
report-col-decisions = Decisions
report-col-open-actions = Open / overdue actions
report-col-failed = Failed deliveries
report-table-note = Counts only: no message text is in reports.
report-chart-activity = Bridged messages per day
report-chart-attendance = Answers and attendance per pillar
report-chart-yes = Said yes
report-chart-attended = Attended
report-chart-answers = Answers
report-chat-line = { $held } meetings held, { $attended } attended; { $messages } messages from { $participants } people; { $decisions } decisions; { $open } open actions ({ $overdue } overdue).
report-chat-surveys = { $count ->
    [one] One survey.
   *[other] { $count } surveys.
}
report-chat-full = The full report (HTML, with charts) is attached.

## Answers and mistakes.
report-bad-date = `{ $typed }` is not a date: write it as YYYY-MM-DD.
report-from-after-to = The period starts ({ $from }) after it ends ({ $to }).
report-too-long = A report covers at most { $years } years.
report-unwritable = Cannot write the report to { $dir }: { $reason }
report-written = The report of { $from } to { $to } is written to { $dir }: { $files }.
report-unknown-format = `{ $format }` is not a report format: markdown, html or csv.
report-made-here = The report of { $from } to { $to } is made; here it comes.
report-other-pillar = Here only the report of { $pillar } can be made; the others, in the secretariat's rooms or privately.
