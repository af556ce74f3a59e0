# What each command does, for the help lines and Discord's slash-command descriptions
# (at most 100 characters). `cmd-<command>` describes a command, `cmd-<command>-arg-<name>`
# one of its arguments.

cmd-root = The MAGNET bot
cmd-help = List the commands you may run.
cmd-status = Show the bridge's state: rooms, pending and failed deliveries per pillar.
cmd-status-arg-pillar = Only this pillar (its id, e.g. authorities).
cmd-dead-letters = List deliveries the bridge gave up on (secretariat).
cmd-dead-letters-arg-pillar = Only this pillar.
cmd-retry = Send failed deliveries again: 12, 12-40, 3,5,7-9, or all [pillar] (secretariat).
cmd-retry-arg-which = Which: a number from dead-letters, a range, a list, or all.
cmd-retry-arg-pillar = With all: only this pillar.
cmd-resume = Resume deliveries paused after repeated refusals (secretariat).
cmd-resume-arg-pillar = Only this pillar's rooms (default: all paused rooms).
cmd-meeting = Meetings: list, show, add, cancel, move, set reminders.
cmd-rsvp = Say whether you come to a meeting: yes, maybe or no.
cmd-rsvp-arg-meeting = The meeting's number.
cmd-rsvp-arg-answer = Your answer.
cmd-rsvp-arg-on = For a series: the date of the meeting you answer for (default: the next one).
cmd-meeting-list = List the meetings to come (this room's pillar, or the one named).
cmd-meeting-list-arg-pillar = Only this pillar (the secretariat may name any).
cmd-meeting-show = Show a meeting: when, agenda, place, answers so far.
cmd-meeting-show-arg-meeting = The meeting's number.
cmd-meeting-add = Add a meeting to a pillar (secretariat).
cmd-meeting-add-arg-pillar = The pillar's id, e.g. authorities.
cmd-meeting-add-arg-title = The title, in quotes if it has spaces.
cmd-meeting-add-arg-start = When it starts, e.g. "2026-12-01 10:00" in the pillar's time zone.
cmd-meeting-add-arg-zone = The time zone of the start, e.g. Europe/Istanbul (default: the pillar's).
cmd-meeting-add-arg-duration = How long it lasts, e.g. 90m (default 60m).
cmd-meeting-add-arg-agenda = The agenda: a link or a short text.
cmd-meeting-add-arg-place = Where: an online link or a place.
cmd-meeting-add-arg-every = Repeat by a cron rule in the zone, e.g. "0 10 * * TUE" (Tuesdays 10:00).
cmd-meeting-add-arg-until = The last date of a series, e.g. 2027-06-30.
cmd-meeting-add-arg-reminders = Reminders before each meeting, e.g. 24h,1h or none (default: the pillar's).
cmd-meeting-cancel = Cancel a meeting: the whole series, or one date of it (secretariat).
cmd-meeting-cancel-arg-meeting = The meeting's number.
cmd-meeting-cancel-arg-on = Only the meeting on this date, e.g. 2026-12-08.
cmd-meeting-move = Move a meeting (for a series, the one on a date) to a new start (secretariat).
cmd-meeting-move-arg-meeting = The meeting's number.
cmd-meeting-move-arg-start = The new start, e.g. "2026-12-02 11:00".
cmd-meeting-move-arg-on = For a series: the date of the meeting to move (default: the next one).
cmd-meeting-move-arg-zone = The time zone of the new start (default: the meeting's).
cmd-meeting-reminders = Set when a meeting's reminders come, e.g. 24h,1h or none (secretariat).
cmd-meeting-reminders-arg-meeting = The meeting's number.
cmd-meeting-reminders-arg-offsets = Offsets before each meeting, e.g. 24h,1h or none.

help-options = options
help-aliases = Turkish command words work too: yardım, durum, iletilemeyenler, yeniden-dene (or tekrar; tümü or hepsi for all), sürdür (or devam), toplantı (liste or listele, göster, ekle, iptal, taşı, hatırlatmalar), katılım (evet, belki, hayır); options --tarih, --süre, --gündem, --yer, --her, --bitiş, --saat-dilimi, --hatırlatmalar. Each may also be typed without Turkish letters (toplanti, katilim, sure…).

## Names of commands and arguments: in English the words typed; in other languages the
## names Discord shows for the slash command (the English words work everywhere).
name-help = help
name-status = status
name-dead-letters = dead-letters
name-retry = retry
name-resume = resume
name-meeting = meeting
name-rsvp = rsvp
name-list = list
name-show = show
name-add = add
name-cancel = cancel
name-move = move
name-reminders = reminders
arg-pillar = pillar
arg-which = which
arg-meeting = meeting
arg-answer = answer
arg-on = on
arg-title = title
arg-start = start
arg-zone = zone
arg-duration = duration
arg-agenda = agenda
arg-place = place
arg-every = every
arg-until = until
arg-reminders = reminders
arg-offsets = offsets
