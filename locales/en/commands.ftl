# Answers to commands (help lines and usage come from the command grammar).

only-secretariat = Only the secretariat may run `{ $command }`. { $hint }
help-hint = Send `{ $help }` to see the commands you may run.
internal-error = Something went wrong on the bot's side (ref { $reference }). The operators can look it up.
help-title = Commands you may run:
no-such-pillar = There is no pillar `{ $pillar }`.
no-such-pillar-known = There is no pillar `{ $pillar }`. Pillars: { $known }.

## status
status-title = Bridge status:
status-pillar = • { $name } ({ $id }): { $matrix ->
        [one] { $matrix } Matrix room
       *[other] { $matrix } Matrix rooms
    }, { $discord ->
        [one] { $discord } Discord channel
       *[other] { $discord } Discord channels
    }; { $delivered } delivered, { $waiting } waiting, { $failed } failed
status-paused = ⏸️ { $platform } { $room } ({ $pillar }) is paused after repeated refusals: { $reason }. Send `{ $command }` to resume.
status-paused-secretariat-room = ⏸️ { $platform } { $room } (secretariat) is paused after repeated refusals: { $reason }. Send `{ $command }` to resume.
status-paused-for-members = ⏸️ Deliveries to a { $platform } room of { $pillar } wait: the platform refused them; the secretariat has been told.
status-paused-for-members-secretariat = ⏸️ Deliveries to a { $platform } room of the secretariat wait: the platform refused them; the secretariat has been told.

## dead-letters
dead-letters-none = No failed deliveries.
dead-letters-title = { $count ->
        [one] 1 failed delivery (newest first):
       *[other] { $count } failed deliveries (newest first):
    }
# What a dead delivery was to do ($action as stored).
delivery-action = { $action ->
    [send] message
    [edit] edit
    [delete] deletion
    [react] reaction
    [unreact] reaction taken back
   *[other] { $action }
}
dead-letter = • #{ $id } { $action } to { $platform } { $room } ({ $pillar }), { $attempts ->
        [one] 1 attempt
       *[other] { $attempts } attempts
    }: { $error }
dead-letter-no-pillar = no pillar
dead-letter-no-error = no error recorded
dead-letters-more = … and { $count } more.
dead-letters-how = Send `{ $invoke } retry <number>` (or a range 12-40, or `{ $invoke } retry all [pillar]`) to send them again.

## retry
retry-none = No failed deliveries to retry.
retry-all-pillar = { $count ->
        [one] 1 failed delivery of { $pillar } is queued again.
       *[other] { $count } failed deliveries of { $pillar } are queued again, in their order.
    }
retry-all = { $count ->
        [one] 1 failed delivery is queued again.
       *[other] { $count } failed deliveries are queued again, in their order.
    }
retry-pillar-only-with-all = `{ $extra }`: a pillar goes with `retry all`; give several deliveries as 3,5,7-9.
retry-queued-one = Delivery #{ $id } is queued again.
retry-queued-many = { $count } deliveries are queued again ({ $numbers }).
retry-not-failed-one = Delivery #{ $id } has not failed (it is { $state }); nothing to retry.
retry-not-failed-many = { $count } had not failed ({ $numbers }); nothing to retry there.
retry-unknown-one = There is no delivery #{ $id }.
retry-unknown-many = There are no deliveries { $numbers }.
retry-not-a-number = `{ $which }` is not a delivery number. Write 12, a range 12-40, a list 3,5,7-9, or all.
retry-too-many = `{ $which }` is more than { $limit } deliveries; use `retry all [pillar]`.
numbers-more = … { $count } more
delivery-state-pending = waiting
delivery-state-sending = being sent
delivery-state-delivered = delivered
delivery-state-dead = failed

## resume
resume-none-pillar = No room of { $pillar } is paused.
resume-none = No room is paused.
resume-done = { $count ->
        [one] Deliveries to 1 room go on, in their order.
       *[other] Deliveries to { $count } rooms go on, in their order.
    }

## Mistakes in a command as typed.
usage-line = Usage: `{ $usage }`
usage-unclosed-quote = a quote is not closed. Put text with spaces in "double quotes".
usage-not-magnet = /{ $path } is not a magnet command.
usage-unknown-command = `{ $word }` is not a command here.
usage-did-you-mean = Did you mean `{ $suggestion }`?
usage-unknown-option = `{ $option }` is not an option of this command.
usage-invalid-value = `{ $value }` is not a possible { $argument }: { $valid }.
usage-bad-value = `{ $value }` is not a valid { $argument }.
usage-missing = Missing: { $arguments }.
usage-missing-command = Say which one: { $commands }.
usage-other = { $text }
