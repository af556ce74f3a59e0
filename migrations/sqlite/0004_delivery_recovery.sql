-- What issue #11 found the bridge needed to never lose or double a message the way people
-- really chat.

-- When a delivery was first tried. A copy an earlier, cut-short attempt left in the room is
-- no older than this; with the copies already recorded it tells that copy from an earlier
-- identical message ("+1", "ok").
ALTER TABLE deliveries ADD COLUMN first_tried_at INTEGER;
-- Which remote ids a room's deliveries already claim.
CREATE INDEX deliveries_room_remote ON deliveries (room_id, remote_id);
-- Deliveries tried before this version (state `sending`, or attempts made) may have
-- reached their room: they are looked for before they are sent again.
UPDATE deliveries SET first_tried_at = created_at
WHERE first_tried_at IS NULL AND (state = 'sending' OR attempts > 0);

-- The parts after the first of a delivery sent in several (a long text split, files after
-- a text): each is claimed, so that none is ever taken for another's copy.
CREATE TABLE delivery_parts (
    delivery_id  INTEGER NOT NULL REFERENCES deliveries (id),
    part         INTEGER NOT NULL,
    room_id      INTEGER NOT NULL REFERENCES rooms (id),
    remote_id    TEXT NOT NULL,
    PRIMARY KEY (delivery_id, part)
) STRICT;
CREATE INDEX delivery_parts_room_remote ON delivery_parts (room_id, remote_id);

-- A room whose deliveries the platform refused again and again, for the same reason, waits
-- here for the secretariat (`resume`) instead of dead-lettering its whole queue.
ALTER TABLE rooms ADD COLUMN paused_reason TEXT;
ALTER TABLE rooms ADD COLUMN paused_at INTEGER;

-- An inbound event the store could never record (a constraint no retry would satisfy):
-- kept as seen, with the reason, so the room goes on and nobody loses sight of it.
ALTER TABLE inbound_events ADD COLUMN set_aside TEXT;
CREATE INDEX inbound_events_set_aside ON inbound_events (id) WHERE set_aside IS NOT NULL;
