//! A store error that waiting cannot cure sets that one item aside and lets the room go on.
//! Before, a unique-constraint failure was retried for ever and stopped the room for good.
//! The bridge runs here with the port's in-memory adapters (real store, both backends):
//! the fake Discord hands out ids `discord-fake-1`, `-2`, …, so a test can make one of
//! them collide with what the store already holds, as a confused server would.

#[macro_use]
#[path = "common/backends.rs"]
mod backends;

use std::sync::Arc;
use std::time::Duration;

use magnet::bridge::{Bridge, DeliveryPolicy, StoreSink};
use magnet::store::Store;
use magnet_chat::fake::FakeAdapter;
use magnet_chat::{ChatAdapter, Commit, EventKind, InboundEvent, MessageBody, OutboundAction, Platform, Sender};
use tokio::sync::watch;

const MATRIX_ROOM: &str = "!authorities:example.org";
const CHANNEL: &str = "1093848219043012608";

on_both_backends!(
    a_delivery_the_store_can_never_record_is_set_aside_and_the_room_goes_on,
    an_event_the_store_can_never_record_is_set_aside_and_the_room_goes_on,
);

struct Running {
    store: Store,
    sink: StoreSink,
    matrix: FakeAdapter,
    discord: FakeAdapter,
    stop: watch::Sender<bool>,
}

async fn running(store: Store) -> Running {
    store.migrate().await.unwrap();
    // The platform sections are only read, never used: the fakes stand in for both.
    let secrets = tempfile::tempdir().unwrap();
    let secret = secrets.path().join("unused");
    std::fs::write(&secret, "unused").unwrap();
    let text = format!(
        "[matrix]\nhomeserver = \"https://matrix.example.org\"\nuser_id = \"@magnet:example.org\"\n\
         password_file = \"{secret}\"\n[discord]\ntoken_file = \"{secret}\"\napplication_id = \"1093848219043012000\"\n\
         [[pillars]]\nid = \"authorities\"\nname = \"Authorities\"\ntimezone = \"UTC\"\n\
         matrix_rooms = [\"{MATRIX_ROOM}\"]\ndiscord_channels = [\"{CHANNEL}\"]\n",
        secret = secret.display()
    );
    let config = magnet::config::parse(std::path::Path::new("test.toml"), &text).unwrap();
    store.sync_config(&config).await.unwrap();
    let (stop, stopped) = watch::channel(false);
    let bridge = Bridge::new(store.clone(), DeliveryPolicy::default(), stopped.clone());
    let sink = StoreSink::new(store.clone(), bridge.platforms().clone(), &config);
    let matrix = FakeAdapter::new(Platform::Matrix);
    let discord = FakeAdapter::new(Platform::Discord);
    for adapter in [matrix.clone(), discord.clone()] {
        let (bridge, mut stopped) = (bridge.clone(), stopped.clone());
        let adapter: Arc<dyn ChatAdapter> = Arc::new(adapter);
        tokio::spawn(async move { bridge.serve(adapter, &mut stopped).await });
    }
    Running {
        store,
        sink,
        matrix,
        discord,
        stop,
    }
}

fn message(platform: Platform, room: &str, id: &str, text: &str) -> InboundEvent {
    InboundEvent {
        platform,
        room: room.into(),
        event_id: id.into(),
        sender: Sender {
            id: "someone".into(),
            display_name: "Someone".into(),
            avatar_url: None,
            locale: None,
        },
        timestamp_ms: 1_700_000_000_000,
        kind: EventKind::Message(MessageBody {
            text: text.into(),
            ..Default::default()
        }),
    }
}

/// The texts the fake platform was asked to send, in order.
fn sent(adapter: &FakeAdapter) -> Vec<String> {
    adapter
        .performed()
        .into_iter()
        .filter_map(|o| match o.action {
            OutboundAction::Send { body, .. } => Some(body.text),
            _ => None,
        })
        .collect()
}

async fn until<T>(what: &str, check: impl Fn() -> Option<T>) -> T {
    magnet_testkit::wait::until(Duration::from_secs(30), || async { check() })
        .await
        .unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

async fn a_delivery_the_store_can_never_record_is_set_aside_and_the_room_goes_on(store: Store) {
    let net = running(store).await;
    // A Discord message whose id is the one the fake will give the second relay: once that
    // relay is sent, recording it breaks the (room, remote id) uniqueness.
    let commit = net
        .discord
        .inject(
            &net.sink,
            message(Platform::Discord, CHANNEL, "discord-fake-2", "an old one"),
        )
        .await;
    assert_eq!(commit, Ok(Commit::Recorded));
    for n in 1..=3 {
        let event = message(Platform::Matrix, MATRIX_ROOM, &format!("$m{n}"), &format!("number {n}"));
        assert_eq!(net.matrix.inject(&net.sink, event).await, Ok(Commit::Recorded));
    }
    let texts = until("the third relay on Discord", || {
        let texts = sent(&net.discord);
        (texts.len() >= 3).then_some(texts)
    })
    .await;
    assert!(
        texts[0].ends_with("number 1") && texts[2].ends_with("number 3"),
        "{texts:?}"
    );
    let dead = net.store.dead_letters(None).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    let why = dead[0].last_error.as_deref().unwrap_or_default();
    assert!(
        why.contains("sent as discord-fake-2") && why.contains("store refused"),
        "{why}"
    );
    let emptied = magnet_testkit::wait::until(Duration::from_secs(30), || async {
        let counts = net.store.delivery_counts().await.unwrap();
        let open: i64 = counts
            .iter()
            .filter(|(state, _)| state == "pending" || state == "sending")
            .map(|(_, n)| n)
            .sum();
        (open == 0).then_some(())
    })
    .await;
    assert!(
        emptied.is_some(),
        "the room's queue empties: nothing waits behind the one set aside"
    );
    let _ = net.stop.send(true);
}

async fn an_event_the_store_can_never_record_is_set_aside_and_the_room_goes_on(store: Store) {
    let net = running(store).await;
    // The first Matrix message's relay becomes Discord's `discord-fake-1`.
    let first = message(Platform::Matrix, MATRIX_ROOM, "$m1", "hello");
    assert_eq!(net.matrix.inject(&net.sink, first).await, Ok(Commit::Recorded));
    until("the relay on Discord", || (sent(&net.discord).len() == 1).then_some(())).await;
    let recorded = magnet_testkit::wait::until(Duration::from_secs(30), || async {
        let counts = net.store.delivery_counts().await.unwrap();
        counts
            .iter()
            .any(|(state, n)| state == "delivered" && *n >= 1)
            .then_some(())
    })
    .await;
    assert!(recorded.is_some(), "the relay recorded");
    // A Discord server that hands the same id to a person's message: the store can never
    // take it as a new message in that channel. It is set aside, said so, and not retried.
    let clash = message(Platform::Discord, CHANNEL, "discord-fake-1", "same id");
    assert_eq!(net.discord.inject(&net.sink, clash.clone()).await, Ok(Commit::Ignored));
    assert_eq!(net.store.set_aside_count().await.unwrap(), 1);
    assert_eq!(
        net.discord.inject(&net.sink, clash).await,
        Ok(Commit::Duplicate),
        "seen once: a replay changes nothing"
    );
    // The channel goes on.
    let next = message(Platform::Discord, CHANNEL, "discord-real-2", "after it");
    assert_eq!(net.discord.inject(&net.sink, next).await, Ok(Commit::Recorded));
    let texts = until("the next message on Matrix", || {
        let texts = sent(&net.matrix);
        (!texts.is_empty()).then_some(texts)
    })
    .await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].ends_with("after it"), "{texts:?}");
    let _ = net.stop.send(true);
}
