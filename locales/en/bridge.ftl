# The bridge: what the secretariat is told about deliveries.

# $reason is the platform's own words; $command is what to send to resume.
notice-room-paused = ⏸️ Deliveries to the { $platform } room { $room } (pillar { $pillar }) are paused: { $platform } refused { $count } in a row ({ $reason }). Nothing is lost: they wait in order. When the cause is fixed, send `{ $command }`.
notice-secretariat-room-paused = ⏸️ Deliveries to the secretariat's { $platform } room { $room } are paused: { $platform } refused { $count } in a row ({ $reason }). Nothing is lost: they wait in order. When the cause is fixed, send `{ $command }`.

## Files a relay could not carry, in the room's language ($name is the file's own name).
file-too-large = 📎 { $name } ({ $size }, too large to bring over)
file-not-fetched = 📎 { $name } could not be brought over

## What the Discord side says before the bot has read what was done, in the language of
## the person's Discord client.
adapter-answer-field = Your answer
adapter-not-bridged = magnet does not bridge this channel, so it has nothing to do here.
adapter-form-expired = That form was opened before I restarted and is lost: please run the command again.
