# Words and forms every part of the bot uses.

## Dates and times: chrono patterns (strftime), in the order the language writes them; the
## weekday and month names come from the locale.
format-date-time = %a %-d %b %Y, %H:%M
format-date-time-short = %a %-d %b %H:%M
format-time = %H:%M

## Spans of time, as reminder offsets are written: 24h, 1h30m.
span-days = { $n }d
span-hours = { $n }h
span-minutes = { $n }m
span-seconds = { $n }s
span-separator = {""}
# A list of spans: 24h, 1h
span-list-separator = {", "}
span-none = none

## File sizes; $size is already a number in the language's form.
size-bytes = { $n ->
    [one] { $n } byte
   *[other] { $n } bytes
}
size-kb = { $size } KB
size-mb = { $size } MB

## An instant on the pillar's clock, then in UTC (on another day, with the day).
when-with-utc = { $local } { $zone } ({ $utc } UTC)

## Answers to a meeting.
answer-yes = yes
answer-maybe = maybe
answer-no = no
button-yes = Yes
button-maybe = Maybe
button-no = No
rsvp-counts = { $yes } yes · { $maybe } maybe · { $no } no
