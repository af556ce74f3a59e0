//! The storage conformance suite: every test runs against SQLite and against a fresh
//! PostgreSQL database, through the same `Store` API, and must behave the same.

#[macro_use]
#[path = "common/backends.rs"]
mod backends;

use std::path::Path;
use std::sync::Arc;

use magnet::config::{self, Config};
use magnet::store::{DeliveryState, InboundRecord, NewDelivery, ReactionChange, Recorded, Store};
use magnet_chat::Platform;

/// A config with two pillars, each with a Matrix room and a Discord channel, and one
/// secretariat room.
fn config_with(pillars: &str) -> (Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "not-used").unwrap();
    let text = format!(
        r##"
[matrix]
homeserver = "https://matrix.example.org"
user_id = "@magnet:example.org"
password_file = "{secret}"
[discord]
token_file = "{secret}"
application_id = "1093848219043012608"
[secretariat]
matrix_rooms = ["!sec:example.org"]
{pillars}
"##,
        secret = secret.display()
    );
    (
        config::parse(Path::new("test.toml"), &text).expect("a valid test config"),
        dir,
    )
}

const TWO_PILLARS: &str = r##"
[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "Europe/Istanbul"
matrix_rooms = ["!auth:example.org"]
discord_channels = ["1093848219043012610"]
[[pillars]]
id = "civil-society"
name = "Civil society"
timezone = "Europe/Berlin"
matrix_rooms = ["!civil:example.org"]
discord_channels = ["1093848219043012611"]
"##;

/// A migrated store with the two pillars synced.
async fn prepared(store: Store) -> Store {
    store.migrate().await.unwrap();
    let (config, _dir) = config_with(TWO_PILLARS);
    store.sync_config(&config).await.unwrap();
    store
}

async fn room_id(store: &Store, platform: Platform, remote: &str) -> i64 {
    store
        .room(platform, remote)
        .await
        .unwrap()
        .expect("a configured room")
        .id
}

fn message(room_id: i64, event: &str, pillar: &str, targets: &[i64]) -> InboundRecord {
    InboundRecord {
        room_id,
        remote_event_id: event.to_string(),
        kind: "message".into(),
        sender_id: "@ayse:example.org".into(),
        event_ts: 1_700_000_000_000,
        starts_message_in: Some(pillar.to_string()),
        advances_position: true,
        reaction: None,
        deliveries: targets
            .iter()
            .map(|&target| NewDelivery {
                room_id: target,
                action: "send".into(),
                message_id: None,
                payload: format!("{{\"text\":\"{event}\"}}"),
            })
            .collect(),
    }
}

// ---- the cases -------------------------------------------------------------------------

async fn migrations_apply_once_and_again_harmlessly(store: Store) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    // Every migration in the repository, once each, in order.
    let count = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite"))
        .unwrap()
        .count() as i64;
    assert_eq!(
        store.applied_migrations().await.unwrap(),
        (1..=count).collect::<Vec<_>>()
    );
}

async fn the_schema_covers_the_design(store: Store) {
    store.migrate().await.unwrap();
    for table in [
        "pillars",
        "rooms",
        "room_positions",
        "inbound_events",
        "bridged_messages",
        "message_copies",
        "bridged_reactions",
        "deliveries",
        "meetings",
        "meeting_occurrences",
        "reminders",
        "rsvps",
        "attendance",
        "surveys",
        "survey_questions",
        "survey_posts",
        "survey_answers",
        "summaries",
        "action_items",
        "report_runs",
    ] {
        store
            .table_row_count(table)
            .await
            .unwrap_or_else(|error| panic!("table {table} is missing: {error}"));
    }
}

async fn config_sync_records_pillars_and_rooms_and_follows_changes(store: Store) {
    let store = prepared(store).await;
    let pillars = store.pillars().await.unwrap();
    let ids: Vec<&str> = pillars.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["authorities", "civil-society"]);
    assert_eq!(pillars[0].timezone, "Europe/Istanbul");
    assert!(pillars.iter().all(|p| p.active));

    let rooms = store.pillar_rooms("authorities").await.unwrap();
    let remote: Vec<(Platform, &str)> = rooms.iter().map(|r| (r.platform, r.remote_id.as_str())).collect();
    assert_eq!(
        remote,
        [
            (Platform::Matrix, "!auth:example.org"),
            (Platform::Discord, "1093848219043012610")
        ]
    );
    let secretariat = store.room(Platform::Matrix, "!sec:example.org").await.unwrap().unwrap();
    assert!(secretariat.is_secretariat && secretariat.pillar_id.is_none());
    let auth_room = room_id(&store, Platform::Matrix, "!auth:example.org").await;

    // The civil-society pillar is dropped and its Matrix room moves to authorities.
    let moved = r##"
[[pillars]]
id = "authorities"
name = "Authorities (renamed)"
timezone = "Europe/Istanbul"
matrix_rooms = ["!auth:example.org", "!civil:example.org"]
"##;
    let (config, _dir) = config_with(moved);
    store.sync_config(&config).await.unwrap();
    let pillars = store.pillars().await.unwrap();
    assert_eq!(pillars[0].name, "Authorities (renamed)");
    assert!(pillars[0].active);
    assert_eq!(pillars[1].id, "civil-society");
    assert!(!pillars[1].active, "a pillar gone from the config is kept but inactive");
    assert!(store.pillar_rooms("civil-society").await.unwrap().is_empty());
    let civil = store
        .room(Platform::Matrix, "!civil:example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(civil.pillar_id.as_deref(), Some("authorities"));
    let gone = store
        .room(Platform::Discord, "1093848219043012611")
        .await
        .unwrap()
        .unwrap();
    assert!(!gone.active && gone.pillar_id.is_none());
    // Room ids are stable across syncs: rows elsewhere keep pointing at the same room.
    assert_eq!(room_id(&store, Platform::Matrix, "!auth:example.org").await, auth_room);
    assert!(
        store
            .room(Platform::Matrix, "!unknown:example.org")
            .await
            .unwrap()
            .is_none()
    );
}

async fn an_inbound_event_is_recorded_once(store: Store) {
    let store = prepared(store).await;
    let origin = room_id(&store, Platform::Matrix, "!auth:example.org").await;
    let target = room_id(&store, Platform::Discord, "1093848219043012610").await;
    let record = message(origin, "$e1", "authorities", &[target]);
    let first = store.record_inbound(&record).await.unwrap();
    let Recorded::New {
        message_id,
        delivery_ids,
        ..
    } = first
    else {
        panic!("first sight must record: {first:?}");
    };
    assert_eq!(delivery_ids.len(), 1);
    assert_eq!(store.record_inbound(&record).await.unwrap(), Recorded::Duplicate);
    assert_eq!(store.table_row_count("deliveries").await.unwrap(), 1);
    assert_eq!(store.table_row_count("bridged_messages").await.unwrap(), 1);
    // The origin is in the id map right away.
    assert_eq!(store.message_for_remote(origin, "$e1").await.unwrap(), message_id);

    // Discord reuses a message's id for its edit: a different kind is a different event.
    let edit = InboundRecord {
        kind: "edit".into(),
        starts_message_in: None,
        deliveries: vec![NewDelivery {
            room_id: target,
            action: "edit".into(),
            message_id,
            payload: "{}".into(),
        }],
        ..record.clone()
    };
    assert!(matches!(
        store.record_inbound(&edit).await.unwrap(),
        Recorded::New { .. }
    ));
    assert_eq!(store.record_inbound(&edit).await.unwrap(), Recorded::Duplicate);
}

async fn a_failed_record_leaves_nothing_behind(store: Store) {
    let store = prepared(store).await;
    let origin = room_id(&store, Platform::Matrix, "!auth:example.org").await;
    let target = room_id(&store, Platform::Discord, "1093848219043012610").await;
    let broken = message(origin, "$e1", "authorities", &[target, 999_999]);
    assert!(store.record_inbound(&broken).await.is_err());
    assert_eq!(store.table_row_count("inbound_events").await.unwrap(), 0);
    assert_eq!(store.table_row_count("deliveries").await.unwrap(), 0);
    assert_eq!(store.table_row_count("bridged_messages").await.unwrap(), 0);
    assert!(store.position(origin).await.unwrap().is_none());
    // Seen again (as catch-up would), the event is recorded, not taken for a duplicate.
    let fixed = message(origin, "$e1", "authorities", &[target]);
    assert!(matches!(
        store.record_inbound(&fixed).await.unwrap(),
        Recorded::New { .. }
    ));

    // A reaction to it whose record fails is not remembered either, so the event seen
    // again is relayed rather than taken for a replay.
    let Some(message_id) = store.message_for_remote(origin, "$e1").await.unwrap() else {
        panic!("the message is in the id map")
    };
    let reaction = |targets: &[i64], event: &str| InboundRecord {
        kind: "reaction".into(),
        remote_event_id: event.into(),
        starts_message_in: None,
        advances_position: false,
        reaction: Some(ReactionChange::Record {
            message_id,
            room_id: origin,
            sender: "matrix:@ayse:example.org".into(),
            key: "👍".into(),
            remote_id: event.into(),
            by_bot: false,
        }),
        deliveries: targets
            .iter()
            .map(|room| NewDelivery {
                room_id: *room,
                action: "react".into(),
                message_id: Some(message_id),
                payload: "{}".into(),
            })
            .collect(),
        ..fixed.clone()
    };
    assert!(
        store
            .record_inbound(&reaction(&[target, 999_999], "$r1"))
            .await
            .is_err()
    );
    assert!(
        !store
            .has_reaction(message_id, origin, "matrix:@ayse:example.org", "👍")
            .await
            .unwrap()
    );
    assert!(matches!(
        store.record_inbound(&reaction(&[target], "$r1")).await.unwrap(),
        Recorded::New { .. }
    ));
    assert!(
        store
            .has_reaction(message_id, origin, "matrix:@ayse:example.org", "👍")
            .await
            .unwrap()
    );
    // The same reaction under another id (a Discord replay) is nothing new.
    assert_eq!(
        store.record_inbound(&reaction(&[target], "$r2")).await.unwrap(),
        Recorded::Duplicate
    );
}

async fn the_room_position_advances_and_never_goes_back(store: Store) {
    let store = prepared(store).await;
    let origin = room_id(&store, Platform::Matrix, "!auth:example.org").await;
    assert!(store.position(origin).await.unwrap().is_none());
    let mut later = message(origin, "$later", "authorities", &[]);
    later.event_ts = 2_000;
    let mut earlier = message(origin, "$earlier", "authorities", &[]);
    earlier.event_ts = 1_000;
    store.record_inbound(&later).await.unwrap();
    store.record_inbound(&earlier).await.unwrap();
    let position = store.position(origin).await.unwrap().unwrap();
    assert_eq!((position.event_id.as_str(), position.event_ts), ("$later", 2_000));
    // An edit or a reaction is not a place to read on from: the position stays.
    let mut edit = message(origin, "$edit", "authorities", &[]);
    (edit.kind, edit.event_ts, edit.starts_message_in, edit.advances_position) = ("edit".into(), 3_000, None, false);
    store.record_inbound(&edit).await.unwrap();
    let position = store.position(origin).await.unwrap().unwrap();
    assert_eq!(position.event_id, "$later");
}

async fn deliveries_go_in_sequence_and_fill_the_id_map(store: Store) {
    let store = prepared(store).await;
    let origin = room_id(&store, Platform::Matrix, "!auth:example.org").await;
    let target = room_id(&store, Platform::Discord, "1093848219043012610").await;
    for n in 1..=3 {
        store
            .record_inbound(&message(origin, &format!("$e{n}"), "authorities", &[target]))
            .await
            .unwrap();
    }
    let first = store.next_delivery(target).await.unwrap().unwrap();
    assert_eq!((first.seq, first.state, first.attempts), (1, DeliveryState::Pending, 0));
    assert_eq!(first.payload.as_deref(), Some("{\"text\":\"$e1\"}"));
    assert!(
        store.next_delivery(origin).await.unwrap().is_none(),
        "nothing goes back to the origin"
    );

    store.mark_sending(first.id).await.unwrap();
    let again = store.next_delivery(target).await.unwrap().unwrap();
    assert_eq!(
        (again.id, again.state, again.attempts),
        (first.id, DeliveryState::Sending, 1)
    );

    store.mark_delivered(first.id, "discord-msg-1").await.unwrap();
    let done = store.delivery(first.id).await.unwrap().unwrap();
    assert_eq!(done.state, DeliveryState::Delivered);
    assert_eq!(done.payload, None, "a delivered payload is dropped");
    assert!(
        store.mark_delivered(first.id, "discord-msg-1").await.is_err(),
        "delivered twice"
    );
    let message_id = done.message_id.unwrap();
    assert_eq!(
        store.copy_in_room(message_id, target).await.unwrap().as_deref(),
        Some("discord-msg-1")
    );
    assert_eq!(
        store.message_for_remote(target, "discord-msg-1").await.unwrap(),
        Some(message_id)
    );
    assert_eq!(store.message_for_remote(origin, "$e1").await.unwrap(), Some(message_id));

    let second = store.next_delivery(target).await.unwrap().unwrap();
    assert_eq!(second.seq, 2);
}

async fn retries_wait_in_place_and_dead_letters_can_be_retried(store: Store) {
    let store = prepared(store).await;
    let origin = room_id(&store, Platform::Matrix, "!auth:example.org").await;
    let target = room_id(&store, Platform::Discord, "1093848219043012610").await;
    let civil_origin = room_id(&store, Platform::Matrix, "!civil:example.org").await;
    let civil_target = room_id(&store, Platform::Discord, "1093848219043012611").await;
    store
        .record_inbound(&message(origin, "$a", "authorities", &[target]))
        .await
        .unwrap();
    store
        .record_inbound(&message(origin, "$b", "authorities", &[target]))
        .await
        .unwrap();
    store
        .record_inbound(&message(civil_origin, "$c", "civil-society", &[civil_target]))
        .await
        .unwrap();

    let first = store.next_delivery(target).await.unwrap().unwrap();
    store.mark_sending(first.id).await.unwrap();
    store
        .mark_retry(first.id, "429 rate limited", 5_000_000_000_000)
        .await
        .unwrap();
    let waiting = store.next_delivery(target).await.unwrap().unwrap();
    assert_eq!(
        (waiting.id, waiting.state, waiting.not_before),
        (first.id, DeliveryState::Pending, 5_000_000_000_000)
    );

    store.mark_dead(first.id, "403 missing permissions").await.unwrap();
    let next = store.next_delivery(target).await.unwrap().unwrap();
    assert_eq!(next.seq, 2, "the worker goes on after a dead letter");

    let civil_first = store.next_delivery(civil_target).await.unwrap().unwrap();
    store.mark_dead(civil_first.id, "unknown channel").await.unwrap();

    let all = store.dead_letters(None).await.unwrap();
    assert_eq!(all.len(), 2);
    let authorities = store.dead_letters(Some("authorities")).await.unwrap();
    assert_eq!(authorities.len(), 1);
    assert_eq!(authorities[0].id, first.id);
    assert_eq!(authorities[0].last_error.as_deref(), Some("403 missing permissions"));
    assert_eq!(
        (authorities[0].platform.as_str(), authorities[0].attempts),
        ("discord", 1)
    );

    assert!(store.retry_dead(first.id).await.unwrap());
    assert!(
        !store.retry_dead(first.id).await.unwrap(),
        "only a dead letter can be retried"
    );
    let retried = store.next_delivery(target).await.unwrap().unwrap();
    assert_eq!(
        (retried.id, retried.attempts),
        (first.id, 0),
        "a retried letter goes first, with fresh attempts"
    );
    assert_eq!(store.dead_letters(Some("authorities")).await.unwrap().len(), 0);
}

async fn concurrent_writers_get_distinct_gapless_sequence_numbers(store: Store) {
    let store = Arc::new(prepared(store).await);
    let origin = room_id(&store, Platform::Matrix, "!auth:example.org").await;
    let target = room_id(&store, Platform::Discord, "1093848219043012610").await;
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .record_inbound(&message(origin, &format!("$c{n}"), "authorities", &[target]))
                    .await
                    .unwrap()
            })
        })
        .collect();
    for task in tasks {
        assert!(matches!(task.await.unwrap(), Recorded::New { .. }));
    }
    let mut seqs = Vec::new();
    while let Some(delivery) = store.next_delivery(target).await.unwrap() {
        seqs.push(delivery.seq);
        store
            .mark_delivered(delivery.id, &format!("m{}", delivery.seq))
            .await
            .unwrap();
    }
    assert_eq!(seqs, (1..=40).collect::<Vec<i64>>());
}

// ---- running each case on both backends -------------------------------------------------

/// One summary's life on the store: recorded once per command, found by a word of a
/// decision, edited with the earlier version kept (an unchanged action keeps its state, a
/// removed one is dropped), its reminders claimed once, withdrawn out of search.
async fn summaries_are_versioned_searchable_and_remind_once(store: Store) {
    use magnet::store::{Changed, NewSummary, Revision, SummaryState};
    use magnet::summary::body;
    let store = prepared(store).await;
    let room = room_id(&store, Platform::Matrix, "!auth:example.org").await;
    let first = body::read(
        "We went through the venues.\nDecision: Meet in Ankara in January.\nAction: Book the hall @deniz:example.org due 2030-01-10\nAction: Call the ministry @Selin due 2030-01-12",
    )
    .unwrap();
    let notice = |_: i64| {
        vec![NewDelivery {
            room_id: room,
            action: "send".into(),
            message_id: None,
            payload: "{}".into(),
        }]
    };
    let new = NewSummary {
        pillar_id: "authorities",
        occurrence_id: None,
        draft: false,
        summary: &first,
        remind_at: vec![Some(1_000), Some(5_000)],
        created_by: "matrix:@ayse:example.org",
        source_event: "matrix:!auth:example.org:$add",
    };
    let searched = vec!["authorities".to_string(), "civil-society".to_string()];
    let (id, fresh) = store.add_summary(&new, 100, notice).await.unwrap();
    assert!(fresh);
    assert_eq!(store.add_summary(&new, 100, notice).await.unwrap(), (id, false));
    assert_eq!(
        store.table_row_count("deliveries").await.unwrap(),
        1,
        "one notice for one command"
    );

    let found = store.search_summaries(&["ankara".into()], &searched, 10).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].summary_id, found[0].kind.as_str()), (id, "decision"));
    assert!(
        store
            .search_summaries(&["ankara".into(), "berlin".into()], &searched, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .search_summaries(&["ankara".into()], &["civil-society".to_string()], 10)
            .await
            .unwrap()
            .is_empty(),
        "only in the pillars asked for"
    );
    // What people type is words, never search syntax.
    assert!(
        store
            .search_summaries(&["\"hall".into(), "OR".into()], &searched, 10)
            .await
            .is_ok()
    );

    let stored = store.summary(id).await.unwrap().unwrap();
    let (hall, call) = (stored.actions[0].id, stored.actions[1].id);
    assert_eq!(
        store
            .close_action(hall, true, "matrix:@deniz:example.org", 200)
            .await
            .unwrap(),
        Changed::Done
    );
    assert_eq!(
        store.close_action(hall, false, "x", 201).await.unwrap(),
        Changed::NotNow
    );

    // Edited: the hall stays (done), the call is dropped, a new action comes.
    let second = body::read(
        "We went through the venues again.\nDecision: Meet in Izmir in January.\nAction: Book the hall @deniz:example.org due 2030-01-10\nAction: Print the agenda <@42> due 2030-01-09",
    )
    .unwrap();
    let edit = Revision {
        summary: &second,
        remind_at: &[Some(1_000), Some(2_000)],
        by: "matrix:@ayse:example.org",
        source_event: "matrix:!auth:example.org:$edit",
    };
    assert_eq!(store.edit_summary(id, &edit, 300, notice).await.unwrap(), Changed::Done);
    assert_eq!(
        store.edit_summary(id, &edit, 300, notice).await.unwrap(),
        Changed::Before
    );
    let edited = store.summary(id).await.unwrap().unwrap();
    assert_eq!(edited.version, 2);
    assert_eq!(edited.decisions, vec!["Meet in Izmir in January."]);
    let states: Vec<(i64, &str)> = edited.actions.iter().map(|a| (a.id, a.state.as_str())).collect();
    assert!(states.contains(&(hall, "done")), "{states:?}");
    assert!(states.contains(&(call, "dropped")), "{states:?}");
    assert_eq!(store.table_row_count("summary_versions").await.unwrap(), 1);
    assert!(
        store
            .search_summaries(&["ankara".into()], &searched, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .search_summaries(&["izmir".into()], &searched, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // The new action's reminder once, whoever claims it; the done and dropped ones never.
    let claim = |now| {
        store.claim_due_action_reminders(now, |_, rooms| {
            rooms
                .iter()
                .map(|room| NewDelivery {
                    room_id: *room,
                    action: "send".into(),
                    message_id: None,
                    payload: "{}".into(),
                })
                .collect()
        })
    };
    let (a, b) = tokio::join!(claim(10_000), claim(10_000));
    assert_eq!(a.unwrap().len() + b.unwrap().len(), 2, "the pillar's two rooms, once");
    assert!(claim(20_000).await.unwrap().is_empty());
    assert_eq!(store.next_action_reminder().await.unwrap(), None);
    let open = store.open_actions(Some("2030-01-10")).await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].owner, Some((Platform::Discord, "42".to_string())));

    assert_eq!(
        store
            .withdraw_summary(
                id,
                "matrix:@ayse:example.org",
                "matrix:!auth:example.org:$withdraw",
                400,
                notice
            )
            .await
            .unwrap(),
        Changed::Done
    );
    assert_eq!(store.summary(id).await.unwrap().unwrap().state, SummaryState::Withdrawn);
    assert!(
        store
            .search_summaries(&["izmir".into()], &searched, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.open_actions(None).await.unwrap().is_empty());
    assert_eq!(store.table_row_count("summary_versions").await.unwrap(), 2);
}

on_both_backends!(
    summaries_are_versioned_searchable_and_remind_once,
    migrations_apply_once_and_again_harmlessly,
    the_schema_covers_the_design,
    config_sync_records_pillars_and_rooms_and_follows_changes,
    an_inbound_event_is_recorded_once,
    a_failed_record_leaves_nothing_behind,
    the_room_position_advances_and_never_goes_back,
    deliveries_go_in_sequence_and_fill_the_id_map,
    retries_wait_in_place_and_dead_letters_can_be_retried,
    concurrent_writers_get_distinct_gapless_sequence_numbers,
);

/// The two migration folders are versioned in step: same files, same order.
#[test]
fn sqlite_and_postgres_migrations_are_in_step() {
    let names = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names("migrations/sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("migrations/postgres"));
}
