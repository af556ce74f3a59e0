# A Matrix user driven through matrix-nio, a third-party client: logs in, then runs the
# steps given as JSON on stdin and prints one JSON result per step. Used by the end-to-end
# tests as the human who opens a direct chat, votes and asks the bot.
import asyncio
import json
import sys
import time

from nio import AsyncClient, LoginResponse, RoomCreateResponse, RoomSendResponse, SyncResponse
from nio.api import RoomPreset


def fail(what, response):
    print(json.dumps({"error": f"{what}: {response}"}))
    sys.exit(1)


async def wait_reply(client, step):
    """Syncs until `sender` sends a message in `room` that replies to `event_id`."""
    deadline = time.monotonic() + step["timeout"]
    since = None
    sync_filter = {"room": {"rooms": [step["room"]], "timeline": {"limit": 50}}}
    while time.monotonic() < deadline:
        response = await client.sync(timeout=1000, sync_filter=sync_filter, since=since)
        if not isinstance(response, SyncResponse):
            await asyncio.sleep(0.5)
            continue
        since = response.next_batch
        room = response.rooms.join.get(step["room"])
        for event in room.timeline.events if room else []:
            source = event.source
            replied = source.get("content", {}).get("m.relates_to", {}).get("m.in_reply_to", {})
            if source.get("sender") == step["sender"] and replied.get("event_id") == step["event_id"]:
                return {"body": source["content"].get("body", ""), "event_id": source["event_id"]}
    return {"error": "no reply in time"}


async def main():
    request = json.load(sys.stdin)
    client = AsyncClient(request["homeserver"], request["user_id"])
    login = await client.login(request["password"], device_name="nio test client")
    if not isinstance(login, LoginResponse):
        fail("login", login)
    try:
        for step in request["steps"]:
            kind = step["do"]
            if kind == "create_dm":
                response = await client.room_create(
                    is_direct=True, invite=[step["with"]], preset=RoomPreset.trusted_private_chat
                )
                if not isinstance(response, RoomCreateResponse):
                    fail("room_create", response)
                print(json.dumps({"room_id": response.room_id}), flush=True)
            elif kind == "send":
                response = await client.room_send(step["room"], step["type"], step["content"])
                if not isinstance(response, RoomSendResponse):
                    fail("room_send", response)
                print(json.dumps({"event_id": response.event_id}), flush=True)
            elif kind == "wait_reply":
                print(json.dumps(await wait_reply(client, step)), flush=True)
            else:
                fail("unknown step", kind)
    finally:
        await client.logout()
        await client.close()


asyncio.run(main())
