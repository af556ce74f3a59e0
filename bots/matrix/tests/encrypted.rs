//! The adapter in an end-to-end encrypted room, against the real Synapse: a second
//! matrix-sdk client and the adapter exchange messages, before and after the adapter
//! restarts (its keys live in its store and survive).

// matrix-sdk's sync future is deep enough to need more than the default limit.
#![recursion_limit = "256"]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use magnet_chat::{ChatAdapter, EventKind, MessageBody, Outbound, OutboundAction};
use magnet_matrix::{Credential, MatrixAdapter, MatrixSettings};
use magnet_testkit::{RecordingSink, Synapse};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::room::create_room::v3::Request as CreateRoom;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{MessageType, OriginalSyncRoomMessageEvent, RoomMessageEventContent};
use matrix_sdk::ruma::{OwnedUserId, UserId};
use matrix_sdk::{Client, Room, RoomMemberships};

const WAIT: Duration = Duration::from_secs(60);

/// The texts of the messages the core was handed, in order.
fn texts(sink: &RecordingSink) -> Vec<String> {
    sink.events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Message(body) => Some(body.text.clone()),
            _ => None,
        })
        .collect()
}

/// Waits for a condition that other tasks make true, checking it as they progress.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Alice on her own matrix-sdk client, syncing in the background and keeping every
/// decrypted text she sees.
struct Alice {
    client: Client,
    seen: Arc<Mutex<Vec<(OwnedUserId, String)>>>,
    _store: tempfile::TempDir,
}

impl Alice {
    async fn login(synapse: &Synapse, user: &magnet_testkit::MatrixUser) -> Alice {
        let store = tempfile::tempdir().unwrap();
        let client = Client::builder()
            .homeserver_url(&synapse.url)
            .sqlite_store(store.path(), None)
            .build()
            .await
            .unwrap();
        client
            .matrix_auth()
            .login_username(&user.user_id, &user.password)
            .send()
            .await
            .unwrap();
        client.sync_once(SyncSettings::default()).await.unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        client.add_event_handler(move |event: OriginalSyncRoomMessageEvent| {
            let sink = sink.clone();
            async move {
                if let MessageType::Text(text) = event.content.msgtype {
                    sink.lock().unwrap().push((event.sender, text.body));
                }
            }
        });
        let syncing = client.clone();
        tokio::spawn(async move {
            let _ = syncing
                .sync(SyncSettings::default().timeout(Duration::from_secs(1)))
                .await;
        });
        Alice {
            client,
            seen,
            _store: store,
        }
    }

    fn saw(&self, sender: &UserId, text: &str) -> bool {
        self.seen.lock().unwrap().iter().any(|(s, t)| s == sender && t == text)
    }
}

async fn bot_joined(room: &Room, bot: &UserId) -> bool {
    room.members(RoomMemberships::JOIN)
        .await
        .unwrap_or_default()
        .iter()
        .any(|m| m.user_id() == bot)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_cross_an_encrypted_room_both_ways_before_and_after_a_restart() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let synapse = Synapse::from_env();
    let bot_user = synapse.register_user("bot").await.unwrap();
    let alice_user = synapse.register_user("alice").await.unwrap();
    let alice = Alice::login(&synapse, &alice_user).await;
    let bot_id = UserId::parse(&bot_user.user_id).unwrap();

    let mut request = CreateRoom::new();
    request.invite = vec![bot_id.clone()];
    request.initial_state = vec![
        InitialStateEvent::with_empty_state_key(RoomEncryptionEventContent::with_recommended_defaults()).to_raw_any(),
    ];
    let room = alice.client.create_room(request).await.unwrap();
    let room_id = room.room_id().to_string();

    let store = tempfile::tempdir().unwrap();
    let settings = MatrixSettings {
        homeserver: synapse.url.clone(),
        user_id: bot_user.user_id.clone(),
        credential: Credential::Password(bot_user.password.clone()),
        store_dir: store.path().join("matrix"),
        device_name: "magnet e2ee test".into(),
        rooms: vec![room_id.clone()],
    };
    let sink = Arc::new(RecordingSink::default());
    let adapter = MatrixAdapter::start(settings.clone(), sink.clone()).await.unwrap();
    eventually("the bot to join", async || bot_joined(&room, &bot_id).await).await;
    // Alice's client shares room keys only with devices it knows of, as any client does.
    eventually("alice to know the bot's device", async || {
        alice
            .client
            .encryption()
            .get_user_devices(&bot_id)
            .await
            .is_ok_and(|devices| devices.devices().count() > 0)
    })
    .await;
    assert!(room.latest_encryption_state().await.unwrap().is_encrypted());

    room.send(RoomMessageEventContent::text_plain("secret one"))
        .await
        .unwrap();
    eventually("the bot to decrypt alice's message", async || {
        texts(&sink).contains(&"secret one".to_string())
    })
    .await;

    let outbound = |key: &str, text: &str| Outbound {
        idempotency_key: key.into(),
        room: room_id.clone(),
        action: OutboundAction::Send {
            body: MessageBody {
                text: text.into(),
                ..Default::default()
            },
            persona: None,
        },
    };
    adapter.deliver(&outbound("e1", "bot secret one")).await.unwrap();
    eventually("alice to decrypt the bot's message", async || {
        alice.saw(&bot_id, "bot secret one")
    })
    .await;

    // Restart: the same device and keys come back from the store.
    adapter.shutdown();
    drop(adapter);
    room.send(RoomMessageEventContent::text_plain("secret while down"))
        .await
        .unwrap();
    let adapter = MatrixAdapter::start(settings, sink.clone()).await.unwrap();
    eventually("the message sent while down", async || {
        texts(&sink).contains(&"secret while down".to_string())
    })
    .await;
    room.send(RoomMessageEventContent::text_plain("secret two"))
        .await
        .unwrap();
    eventually("the bot to decrypt after restart", async || {
        texts(&sink).contains(&"secret two".to_string())
    })
    .await;
    adapter.deliver(&outbound("e2", "bot secret two")).await.unwrap();
    eventually("alice to decrypt after restart", async || {
        alice.saw(&bot_id, "bot secret two")
    })
    .await;

    assert_eq!(texts(&sink), ["secret one", "secret while down", "secret two"]);
    adapter.shutdown();
}
