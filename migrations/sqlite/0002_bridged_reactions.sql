-- Reactions crossing the bridge, per room: the one a person made (in its own room) and the
-- ones the bot placed for them elsewhere. A removal finds what to take back; two people's
-- same reaction is placed once (Matrix refuses a second identical reaction from the bot,
-- Discord keeps one per emoji); it is taken back when the last of them removes theirs.
CREATE TABLE bridged_reactions (
    message_id  INTEGER NOT NULL REFERENCES bridged_messages (id),
    room_id     INTEGER NOT NULL REFERENCES rooms (id),
    -- platform:user id of the person who reacted.
    sender      TEXT NOT NULL,
    key         TEXT NOT NULL,
    -- The reaction in this room: the person's own (Matrix event id; on Discord the message
    -- id) or the bot's.
    remote_id   TEXT NOT NULL,
    -- 1 for a reaction the bot placed, 0 for the person's own.
    by_bot      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, room_id, sender, key)
) STRICT;
CREATE INDEX bridged_reactions_remote ON bridged_reactions (room_id, remote_id);
