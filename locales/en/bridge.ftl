# The bridge: what the secretariat is told about deliveries.

# $reason is the platform's own words; $command is what to send to resume.
notice-room-paused = ⏸️ Deliveries to the { $platform } room { $room } (pillar { $pillar }) are paused: { $platform } refused { $count } in a row ({ $reason }). Nothing is lost: they wait in order. When the cause is fixed, send `{ $command }`.
notice-secretariat-room-paused = ⏸️ Deliveries to the secretariat's { $platform } room { $room } are paused: { $platform } refused { $count } in a row ({ $reason }). Nothing is lost: they wait in order. When the cause is fixed, send `{ $command }`.
