"""A Matrix client we did not write (matrix-nio), for interop tests of the adapter.

    nio_client.py send HOMESERVER USER PASSWORD ROOM POLL_EVENT_ID
        sends a text, a reply to it, a reaction to it and a vote in the poll; prints the
        event ids as JSON
    nio_client.py read HOMESERVER USER PASSWORD ROOM
        prints the room's latest events (as the homeserver gave them) as a JSON array
"""

import asyncio
import json
import sys

from nio import AsyncClient, JoinError, LoginError, MessageDirection, RoomMessagesError, RoomSendError


async def send(client, room, poll):
    async def put(event_type, content):
        response = await client.room_send(room, event_type, content, ignore_unverified_devices=True)
        if isinstance(response, RoomSendError):
            raise SystemExit(f"send failed: {response}")
        return response.event_id

    text = await put("m.room.message", {"msgtype": "m.text", "body": "hello from nio"})
    reply = await put(
        "m.room.message",
        {"msgtype": "m.text", "body": "a reply from nio", "m.relates_to": {"m.in_reply_to": {"event_id": text}}},
    )
    reaction = await put("m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": text, "key": "👍"}})
    vote = await put(
        "org.matrix.msc3381.poll.response",
        {"m.relates_to": {"rel_type": "m.reference", "event_id": poll}, "org.matrix.msc3381.poll.response": {"answers": ["b"]}},
    )
    print(json.dumps({"text": text, "reply": reply, "reaction": reaction, "vote": vote}))


async def read(client, room):
    synced = await client.sync(timeout=0, full_state=True)
    response = await client.room_messages(room, start=synced.next_batch, direction=MessageDirection.back, limit=50)
    if isinstance(response, RoomMessagesError):
        raise SystemExit(f"reading failed: {response}")
    print(json.dumps([event.source for event in reversed(response.chunk)]))


async def main():
    command, homeserver, user, password, room = sys.argv[1:6]
    client = AsyncClient(homeserver, user)
    try:
        login = await client.login(password)
        if isinstance(login, LoginError):
            raise SystemExit(f"login failed: {login}")
        joined = await client.join(room)
        if isinstance(joined, JoinError):
            raise SystemExit(f"join failed: {joined}")
        if command == "send":
            await send(client, room, sys.argv[6])
        else:
            await read(client, room)
    finally:
        await client.close()


asyncio.run(main())
