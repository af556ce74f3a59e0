//! The scheduler against the real store (SQLite and PostgreSQL) with an injected clock:
//! series across both DST changes in Berlin and none in Istanbul, the spring gap and the
//! autumn repeated hour, the lateness policy, cancel and move, and two schedulers claiming
//! the same reminders. The "worker" here takes each queued delivery and marks it delivered,
//! as the bridge's worker does after sending.

#[macro_use]
#[path = "common/backends.rs"]
mod backends;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use magnet::bridge::{Payload, Platforms};
use magnet::schedule::Scheduler;
use magnet::schedule::plan::stretch;
use magnet::schedule::recurrence::Recurrence;
use magnet::schedule::reminders::LatenessPolicy;
use magnet::store::{Moved, NewMeeting, Store, Stretch};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn ms(text: &str) -> i64 {
    utc(text).timestamp_millis()
}

/// A reminder sent: the meeting's start, the room, when it was sent.
type Sent = (DateTime<Utc>, i64, DateTime<Utc>);

const CONFIG: &str = r#"
[matrix]
homeserver = "http://127.0.0.1:1"
user_id = "@magnetbot:example.org"
password_file = "DIR/secret"
[discord]
token_file = "DIR/secret"
application_id = "1093848219043012600"
[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "Europe/Istanbul"
matrix_rooms = ["!authorities:example.org"]
discord_channels = ["1093848219043012608"]
[[pillars]]
id = "civil"
name = "Civil society"
timezone = "Europe/Berlin"
matrix_rooms = ["!civil:example.org"]
discord_channels = ["1093848219043012609"]
"#;

async fn prepared(store: Store) -> Store {
    store.migrate().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("magnet.toml");
    std::fs::write(dir.path().join("secret"), "not used").unwrap();
    let text = CONFIG.replace("DIR", &dir.path().display().to_string());
    let config = magnet::config::parse(&path, &text).unwrap();
    store.sync_config(&config).await.unwrap();
    store
}

fn scheduler(store: &Store, name: &str) -> Scheduler {
    Scheduler::new(
        store.clone(),
        Platforms::default(),
        LatenessPolicy::default(),
        name.into(),
    )
}

/// Adds a meeting the way `meeting add` does: a one-off, or a series written ahead.
async fn add(
    store: &Store,
    pillar: &str,
    zone: &str,
    start: &str,
    every: Option<&str>,
    offsets: &[i64],
    now: DateTime<Utc>,
) -> i64 {
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    let start = utc(start);
    let plan = match every {
        Some(rule) => stretch(&Recurrence::new(rule, tz).unwrap(), start, None, now),
        None => Stretch {
            starts: vec![start.timestamp_millis()],
            unwritten_from: None,
        },
    };
    let meeting = NewMeeting {
        pillar_id: pillar.into(),
        title: "Coordination".into(),
        starts_at: plan.starts[0],
        duration_minutes: 60,
        timezone: zone.into(),
        recurrence: every.map(str::to_string),
        until_at: None,
        agenda: None,
        location: None,
        reminder_offsets: offsets.to_vec(),
        created_by: "test".into(),
        source_event: None,
    };
    store
        .add_meeting(&meeting, &plan, now.timestamp_millis(), |_| Vec::new())
        .await
        .unwrap()
        .0
}

/// Sends (marks delivered) every queued delivery; returns the reminders among them as
/// (room, reminder id).
async fn deliver_all(store: &Store) -> Vec<(i64, i64)> {
    let mut sent = Vec::new();
    for room in store.rooms_with_open_deliveries().await.unwrap() {
        while let Some(delivery) = store.next_delivery(room).await.unwrap() {
            store.mark_sending(delivery.id).await.unwrap();
            store
                .mark_delivered(delivery.id, &format!("remote-{}", delivery.id))
                .await
                .unwrap();
            if let Ok(Payload::Reminder { reminder }) = Payload::from_json(delivery.payload.as_deref().unwrap()) {
                sent.push((room, reminder));
            }
        }
    }
    sent
}

/// Runs the scheduler from `from` to `to`, each round at the time the last one said work
/// is next, delivering what it queues; returns every reminder sent with the round's time.
async fn run_clock(store: &Store, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, i64, i64)> {
    let scheduler = scheduler(store, "test");
    let mut now = from;
    let mut sent = Vec::new();
    while now <= to {
        let round = scheduler.round(now).await.unwrap();
        for (room, reminder) in deliver_all(store).await {
            sent.push((now, room, reminder));
        }
        let Some(next) = round.next else { break };
        now = DateTime::from_timestamp_millis(next)
            .unwrap()
            .max(now + chrono::Duration::milliseconds(1));
    }
    sent
}

async fn series_stay_at_ten_local_across_dst(store: Store) {
    let store = prepared(store).await;
    let now = utc("2026-03-10T00:00:00Z");
    let berlin = add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-03-10T00:00:00Z",
        Some("0 10 * * TUE"),
        &[3600],
        now,
    )
    .await;
    let istanbul = add(
        &store,
        "authorities",
        "Europe/Istanbul",
        "2026-03-10T00:00:00Z",
        Some("0 10 * * TUE"),
        &[3600],
        now,
    )
    .await;
    let sent = run_clock(&store, now, utc("2026-11-05T00:00:00Z")).await;

    let mut per_meeting: BTreeMap<i64, Vec<Sent>> = BTreeMap::new();
    for (at, room, reminder) in &sent {
        let row = store.reminder(*reminder).await.unwrap().unwrap();
        assert_eq!(row.state, "sent", "on time, not late");
        let starts = DateTime::from_timestamp_millis(row.occurrence.starts_at).unwrap();
        assert_eq!(*at, starts - chrono::Duration::hours(1), "sent at its due time");
        per_meeting
            .entry(row.occurrence.meeting_id)
            .or_default()
            .push((starts, *room, *at));
    }
    // Tuesdays 10 March to 3 November: 35 weeks, two rooms each, every one once.
    for meeting in [berlin, istanbul] {
        let times = &per_meeting[&meeting];
        assert_eq!(times.len(), 35 * 2, "meeting {meeting}: {times:?}");
        let mut keys: Vec<(DateTime<Utc>, i64)> = times.iter().map(|(s, r, _)| (*s, *r)).collect();
        keys.dedup();
        assert_eq!(keys.len(), times.len(), "no reminder twice");
    }
    let local = |meeting: i64, zone: chrono_tz::Tz| -> Vec<String> {
        per_meeting[&meeting]
            .iter()
            .map(|(s, _, _)| s.with_timezone(&zone).format("%a %H:%M").to_string())
            .collect()
    };
    assert!(
        local(berlin, chrono_tz::Europe::Berlin)
            .iter()
            .all(|t| t == "Tue 10:00")
    );
    assert!(
        local(istanbul, chrono_tz::Europe::Istanbul)
            .iter()
            .all(|t| t == "Tue 10:00")
    );
    let utc_hours = |meeting: i64| -> Vec<(String, String)> {
        per_meeting[&meeting]
            .iter()
            .map(|(s, _, _)| (s.format("%m-%d").to_string(), s.format("%H:%M").to_string()))
            .collect()
    };
    let berlin_hours = utc_hours(berlin);
    assert!(
        berlin_hours.contains(&("03-24".into(), "09:00".into())),
        "CET before 29 March"
    );
    assert!(berlin_hours.contains(&("03-31".into(), "08:00".into())), "CEST after");
    assert!(
        berlin_hours.contains(&("10-20".into(), "08:00".into())),
        "CEST before 25 October"
    );
    assert!(berlin_hours.contains(&("10-27".into(), "09:00".into())), "CET after");
    assert!(
        utc_hours(istanbul).iter().all(|(_, h)| h == "07:00"),
        "Istanbul has no DST"
    );
}

async fn the_spring_gap_and_the_autumn_hour_have_one_time_each(store: Store) {
    let store = prepared(store).await;
    let march = utc("2026-03-27T00:00:00Z");
    let daily = add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-03-27T00:00:00Z",
        Some("30 2 * * *"),
        &[600],
        march,
    )
    .await;
    let _ = run_clock(&store, march, utc("2026-03-31T00:00:00Z")).await;
    let occurrences = store.occurrences(daily).await.unwrap();
    let local: Vec<String> = occurrences
        .iter()
        .map(|o| {
            DateTime::from_timestamp_millis(o.starts_at)
                .unwrap()
                .with_timezone(&chrono_tz::Europe::Berlin)
                .format("%d %H:%M")
                .to_string()
        })
        .take(4)
        .collect();
    assert_eq!(
        local,
        ["27 02:30", "28 02:30", "29 03:30", "30 02:30"],
        "02:30 on the 29th does not exist"
    );
    store
        .cancel_meeting(daily, None, march.timestamp_millis(), &[])
        .await
        .unwrap();

    let october = utc("2026-10-23T00:00:00Z");
    let nightly = add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-10-23T00:00:00Z",
        Some("30 2 * * *"),
        &[600],
        october,
    )
    .await;
    let sent = run_clock(&store, october, utc("2026-10-27T00:00:00Z")).await;
    let occurrences = store.occurrences(nightly).await.unwrap();
    let times: Vec<String> = occurrences
        .iter()
        .take(4)
        .map(|o| {
            DateTime::from_timestamp_millis(o.starts_at)
                .unwrap()
                .format("%d %H:%M")
                .to_string()
        })
        .collect();
    // 02:30 on the 25th happens twice on the wall clock; the meeting is at the first.
    assert_eq!(times, ["23 00:30", "24 00:30", "25 00:30", "26 01:30"]);
    let on_the_25th = sent
        .iter()
        .filter(|(at, _, _)| at.format("%m-%d").to_string() == "10-25")
        .count();
    assert_eq!(on_the_25th, 2, "one reminder per room on the night of the change");
}

async fn reminders_the_bot_could_not_send_follow_the_lateness_policy(store: Store) {
    let store = prepared(store).await;
    let added = utc("2026-12-01T00:00:00Z");
    // Starts 12:00; reminders 3h, 1h and 10 min before (09:00, 11:00, 11:50).
    let meeting = add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-12-03T12:00:00Z",
        None,
        &[10_800, 3_600, 600],
        added,
    )
    .await;
    let scheduler = scheduler(&store, "test");
    // The bot was down from before 09:00 until 11:20: the 3h reminder is 2h20 late (over
    // the 2h limit: missed), the 1h one 20 min late (sent, marked late).
    scheduler.round(utc("2026-12-03T11:20:00Z")).await.unwrap();
    let sent = deliver_all(&store).await;
    assert_eq!(sent.len(), 2, "the 1h reminder, in both rooms");
    for (_, reminder) in &sent {
        let row = store.reminder(*reminder).await.unwrap().unwrap();
        assert_eq!((row.offset_seconds, row.state.as_str()), (3_600, "late"));
    }
    // Back up within the grace for the 10 min one: on time.
    scheduler.round(utc("2026-12-03T11:50:30Z")).await.unwrap();
    let sent = deliver_all(&store).await;
    assert_eq!(sent.len(), 2);
    for (_, reminder) in &sent {
        assert_eq!(store.reminder(*reminder).await.unwrap().unwrap().state, "sent");
    }
    let counts = store.reminder_counts().await.unwrap();
    assert_eq!(
        counts,
        [
            ("late".to_string(), 2),
            ("missed".to_string(), 2),
            ("sent".to_string(), 2)
        ]
    );

    // Down across the start itself: a reminder after the meeting began reminds no one.
    let other = add(
        &store,
        "authorities",
        "Europe/Istanbul",
        "2026-12-04T08:00:00Z",
        None,
        &[600],
        added,
    )
    .await;
    scheduler.round(utc("2026-12-04T08:01:00Z")).await.unwrap();
    assert!(deliver_all(&store).await.is_empty());
    let counts = store.reminder_counts().await.unwrap();
    assert!(counts.contains(&("missed".to_string(), 4)), "{counts:?}");
    let _ = (meeting, other);
}

async fn cancelled_and_moved_meetings_do_not_send_their_old_reminders(store: Store) {
    let store = prepared(store).await;
    let added = utc("2026-12-01T00:00:00Z");
    let meeting = add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-12-02T12:00:00Z",
        None,
        &[86_400, 3_600],
        added,
    )
    .await;
    let scheduler = scheduler(&store, "test");
    // The 24h reminder is queued (claimed) but not yet sent when the meeting is cancelled.
    scheduler.round(utc("2026-12-01T12:00:00Z")).await.unwrap();
    assert_eq!(
        store.reminder_counts().await.unwrap(),
        [("claimed".to_string(), 2), ("pending".to_string(), 2)]
    );
    let notices = magnet::schedule::render::notices(&store, "civil", "cancelled")
        .await
        .unwrap();
    assert_eq!(notices.len(), 2);
    let cancelled = store
        .cancel_meeting(meeting, None, ms("2026-12-01T12:00:01Z"), &notices)
        .await
        .unwrap();
    assert_eq!(cancelled, 1);
    assert_eq!(store.reminder_counts().await.unwrap(), [("cancelled".to_string(), 4)]);
    let sent = deliver_all(&store).await;
    assert!(sent.is_empty(), "no reminder of a cancelled meeting goes out");
    let _ = run_clock(&store, utc("2026-12-01T12:00:02Z"), utc("2026-12-03T00:00:00Z")).await;
    assert_eq!(store.reminder_counts().await.unwrap(), [("cancelled".to_string(), 4)]);

    // Moved: the old time's reminders are dropped, the new time's are sent.
    let moving = add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-12-10T12:00:00Z",
        None,
        &[3_600],
        added,
    )
    .await;
    let row = store.meeting(moving).await.unwrap().unwrap();
    let old = store.occurrences(moving).await.unwrap()[0].id;
    let moved = store
        .move_occurrence(&row, old, ms("2026-12-11T12:00:00Z"), ms("2026-12-05T00:00:00Z"), &[])
        .await
        .unwrap();
    assert!(matches!(moved, Moved::To(_)), "{moved:?}");
    // Moving it back to where it was brings the old occurrence back, with its reminders.
    let new = store.occurrences(moving).await.unwrap()[1].id;
    let back = store
        .move_occurrence(&row, new, ms("2026-12-10T12:00:00Z"), ms("2026-12-05T00:00:01Z"), &[])
        .await
        .unwrap();
    assert_eq!(back, Moved::To(old));
    let forth = store
        .move_occurrence(&row, old, ms("2026-12-11T12:00:00Z"), ms("2026-12-05T00:00:02Z"), &[])
        .await
        .unwrap();
    assert_eq!(forth, Moved::To(new));
    assert_eq!(
        store
            .move_occurrence(&row, old, ms("2026-12-12T12:00:00Z"), ms("2026-12-05T00:00:03Z"), &[])
            .await
            .unwrap(),
        Moved::NotScheduled,
        "an occurrence already moved is not moved again"
    );
    let sent = run_clock(&store, utc("2026-12-05T00:00:00Z"), utc("2026-12-12T00:00:00Z")).await;
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter().all(|(at, _, _)| *at == utc("2026-12-11T11:00:00Z")),
        "{sent:?}"
    );
    // A reminder still queued when its meeting begins (the platform was down meanwhile) is
    // not sent late into a meeting under way: it is recorded as missed.
    add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-12-20T12:00:00Z",
        None,
        &[600],
        added,
    )
    .await;
    scheduler.round(utc("2026-12-20T11:50:00Z")).await.unwrap();
    let (room, reminder) = queued_reminder(&store).await;
    let at_start = ms("2026-12-20T12:00:00Z");
    let action = magnet::schedule::render::reminder_action(&store, reminder, &room, at_start)
        .await
        .unwrap();
    assert!(action.is_none(), "nothing to send once the meeting has begun");
    assert_eq!(store.reminder(reminder).await.unwrap().unwrap().state, "missed");

    // One queued for a room that has since left the pillar is not sent there either.
    deliver_all(&store).await;
    add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-12-21T12:00:00Z",
        None,
        &[600],
        added,
    )
    .await;
    scheduler.round(utc("2026-12-21T11:50:00Z")).await.unwrap();
    let (mut room, reminder) = queued_reminder(&store).await;
    room.pillar_id = Some("authorities".into());
    let action = magnet::schedule::render::reminder_action(&store, reminder, &room, ms("2026-12-21T11:50:01Z"))
        .await
        .unwrap();
    assert!(
        action.is_none(),
        "a civil society reminder never goes to an authorities room"
    );
    room.pillar_id = Some("civil".into());
    let (other_room, other) = queued_reminder_other_than(&store, reminder).await;
    let action = magnet::schedule::render::reminder_action(&store, other, &other_room, ms("2026-12-21T11:50:01Z"))
        .await
        .unwrap();
    assert!(action.is_some(), "in its own pillar's room it goes out");
}

/// A reminder waiting in a delivery queue, with its room.
async fn queued_reminder(store: &Store) -> (magnet::store::RoomRow, i64) {
    queued_reminder_other_than(store, -1).await
}

async fn queued_reminder_other_than(store: &Store, not: i64) -> (magnet::store::RoomRow, i64) {
    for room_id in store.rooms_with_open_deliveries().await.unwrap() {
        let mut seen = Vec::new();
        while let Some(delivery) = store.next_delivery(room_id).await.unwrap() {
            if seen.contains(&delivery.id) {
                break;
            }
            seen.push(delivery.id);
            if let Ok(Payload::Reminder { reminder }) = Payload::from_json(delivery.payload.as_deref().unwrap()) {
                let state = store.reminder(reminder).await.unwrap().unwrap().state;
                if reminder != not && state == "claimed" {
                    let rooms = store.pillar_rooms("civil").await.unwrap();
                    let room = rooms.into_iter().find(|r| r.id == room_id).unwrap();
                    return (room, reminder);
                }
            }
            // Out of the way (as if sent), to look at the next one.
            store.mark_sending(delivery.id).await.unwrap();
            store.mark_delivered(delivery.id, "x").await.unwrap();
        }
    }
    panic!("no reminder queued")
}

async fn two_schedulers_claim_each_of_200_reminders_once(store: Store, second: Store) {
    let store = prepared(store).await;
    let added = utc("2026-12-01T00:00:00Z");
    // 100 meetings, each reminding two rooms 10 minutes before: 200 reminders due at once.
    for n in 0..100 {
        let start = (utc("2026-12-02T12:00:00Z") + chrono::Duration::seconds(n)).to_rfc3339();
        add(&store, "civil", "Europe/Berlin", &start, None, &[600], added).await;
    }
    let one = scheduler(&store, "one");
    let two = scheduler(&second, "two");
    let now = utc("2026-12-02T12:00:00Z") - chrono::Duration::seconds(300);
    let (a, b) = tokio::join!(
        async {
            let mut queued = 0;
            for _ in 0..5 {
                queued += one.round(now).await.unwrap().queued;
            }
            queued
        },
        async {
            let mut queued = 0;
            for _ in 0..5 {
                queued += two.round(now).await.unwrap().queued;
            }
            queued
        }
    );
    assert_eq!(a + b, 200, "one claim per reminder between them ({a} + {b})");
    let sent = deliver_all(&store).await;
    assert_eq!(sent.len(), 200);
    let mut ids: Vec<i64> = sent.iter().map(|(_, r)| *r).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200, "each reminder once");
}

async fn a_command_seen_again_adds_its_meeting_once(store: Store) {
    let store = prepared(store).await;
    let now = utc("2026-12-01T00:00:00Z");
    let start = ms("2026-12-02T12:00:00Z");
    let meeting = NewMeeting {
        pillar_id: "civil".into(),
        title: "Replayed".into(),
        starts_at: start,
        duration_minutes: 60,
        timezone: "Europe/Berlin".into(),
        recurrence: None,
        until_at: None,
        agenda: None,
        location: None,
        reminder_offsets: vec![3_600],
        created_by: "test".into(),
        source_event: Some("matrix:!civil:example.org:$command".into()),
    };
    let plan = Stretch {
        starts: vec![start],
        unwritten_from: None,
    };
    let notices = magnet::schedule::render::notices(&store, "civil", "added")
        .await
        .unwrap();
    let first = store
        .add_meeting(&meeting, &plan, now.timestamp_millis(), |_| notices.clone())
        .await
        .unwrap();
    let again = store
        .add_meeting(&meeting, &plan, now.timestamp_millis(), |_| notices.clone())
        .await
        .unwrap();
    assert_eq!((first.1, again.1), (true, false));
    assert_eq!(first.0, again.0);
    assert_eq!(store.meetings(Some("civil")).await.unwrap().len(), 1);
    assert_eq!(store.reminder_counts().await.unwrap(), [("pending".to_string(), 2)]);
    assert_eq!(
        store.delivery_counts().await.unwrap(),
        [("pending".to_string(), 2)],
        "one notice per room"
    );
}

async fn answers_are_one_per_person_and_yes_becomes_attendance(store: Store) {
    let store = prepared(store).await;
    let added = utc("2026-12-01T00:00:00Z");
    let meeting = add(
        &store,
        "authorities",
        "Europe/Istanbul",
        "2026-12-02T09:00:00Z",
        None,
        &[3_600],
        added,
    )
    .await;
    let occurrence = store.occurrences(meeting).await.unwrap()[0].id;
    let at = added.timestamp_millis();
    store
        .record_rsvp(occurrence, "discord", "42", "Bora", "maybe", at)
        .await
        .unwrap();
    store
        .record_rsvp(occurrence, "discord", "42", "Bora", "yes", at + 1)
        .await
        .unwrap();
    store
        .record_rsvp(occurrence, "matrix", "@ayse:example.org", "Ayşe", "yes", at)
        .await
        .unwrap();
    store
        .record_rsvp(occurrence, "matrix", "@jonas:example.org", "Jonas", "no", at)
        .await
        .unwrap();
    let counts = store.rsvp_counts(occurrence).await.unwrap();
    assert_eq!(
        (counts.yes, counts.maybe, counts.no),
        (2, 0, 1),
        "Bora changed his mind: one answer"
    );
    assert!(
        store.attendance(occurrence).await.unwrap().is_empty(),
        "not before it is held"
    );
    // The meeting (60 min from 09:00) ends at 10:00: then it is held and the yeses attend.
    let _ = run_clock(&store, utc("2026-12-02T09:30:00Z"), utc("2026-12-02T10:00:00Z")).await;
    assert_eq!(store.occurrence(occurrence).await.unwrap().unwrap().state, "held");
    assert_eq!(store.attendance(occurrence).await.unwrap(), ["Ayşe", "Bora"]);
}

async fn a_room_that_joins_a_pillar_gets_the_reminders_still_to_come(store: Store) {
    let store = prepared(store).await;
    // Years ahead: joining uses the real clock to decide which reminders are still to come.
    let added = utc("2036-12-01T00:00:00Z");
    add(
        &store,
        "civil",
        "Europe/Berlin",
        "2036-12-01T00:00:00Z",
        Some("0 10 * * TUE"),
        &[3_600],
        added,
    )
    .await;
    // A second Discord channel joins the civil society pillar.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret"), "not used").unwrap();
    let text = CONFIG.replace("DIR", &dir.path().display().to_string()).replace(
        "discord_channels = [\"1093848219043012609\"]",
        "discord_channels = [\"1093848219043012609\", \"1093848219043012610\"]",
    );
    let config = magnet::config::parse(&dir.path().join("magnet.toml"), &text).unwrap();
    store.sync_config(&config).await.unwrap();
    assert_eq!(store.pillar_rooms("civil").await.unwrap().len(), 3);
    // The next two Tuesdays remind all three rooms; synced again, nothing doubles.
    store.sync_config(&config).await.unwrap();
    let sent = run_clock(&store, added, utc("2036-12-10T00:00:00Z")).await;
    assert_eq!(sent.len(), 2 * 3, "{sent:?}");
}

// ---- each case on both backends ----------------------------------------------------------

on_both_backends!(
    series_stay_at_ten_local_across_dst,
    the_spring_gap_and_the_autumn_hour_have_one_time_each,
    reminders_the_bot_could_not_send_follow_the_lateness_policy,
    cancelled_and_moved_meetings_do_not_send_their_old_reminders,
    a_command_seen_again_adds_its_meeting_once,
    answers_are_one_per_person_and_yes_becomes_attendance,
    a_room_that_joins_a_pillar_gets_the_reminders_still_to_come,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_on_one_postgresql_claim_each_reminder_once() {
    let url = backends::postgres_url().await;
    let first = Store::connect(&url, None, 4).await.unwrap();
    let second = Store::connect(&url, None, 4).await.unwrap();
    two_schedulers_claim_each_of_200_reminders_once(first, second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_whose_lease_was_taken_sends_nothing_more() {
    let url = backends::postgres_url().await;
    let store = prepared(Store::connect(&url, None, 4).await.unwrap()).await;
    let added = utc("2026-12-01T00:00:00Z");
    add(
        &store,
        "civil",
        "Europe/Berlin",
        "2026-12-02T12:00:00Z",
        None,
        &[600],
        added,
    )
    .await;
    scheduler(&store, "one")
        .round(utc("2026-12-02T11:50:00Z"))
        .await
        .unwrap();
    let room = store.rooms_with_open_deliveries().await.unwrap()[0];
    let delivery = store.next_delivery(room).await.unwrap().unwrap();

    let _lease = store.lead().await.unwrap().expect("PostgreSQL has a lease");
    // The lease's session ends behind the instance's back (an operator, a pooler, a
    // network cut): before its next check, its sends are refused already.
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    // Only this test's database: other tests run beside it on the same cluster, and their
    // migrations hold advisory locks too.
    let held: Vec<(i32,)> = sqlx::query_as(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert_eq!(held.len(), 1, "one lease held");
    let lease_pid = held[0].0;
    let (ended,): (bool,) = sqlx::query_as("SELECT pg_terminate_backend($1)")
        .bind(lease_pid)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(ended);
    // The backend ends a moment after it is told to; until then it still holds the lock.
    let gone = magnet_testkit::wait::until(std::time::Duration::from_secs(10), || async {
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pg_locks WHERE pid = $1")
            .bind(lease_pid)
            .fetch_one(&admin)
            .await
            .unwrap();
        (left == 0).then_some(())
    })
    .await;
    assert!(gone.is_some(), "the lease's session ended");
    let refused = store.mark_sending(delivery.id).await.unwrap_err().to_string();
    assert!(refused.contains("no longer holds the instance lease"), "{refused}");
    assert_eq!(
        store.next_delivery(room).await.unwrap().unwrap().attempts,
        0,
        "not marked as being sent"
    );
    // Another instance takes the lease and may send.
    let standby = Store::connect(&url, None, 2).await.unwrap();
    let _taken = tokio::time::timeout(std::time::Duration::from_secs(10), standby.lead())
        .await
        .expect("the standby gets the lease")
        .unwrap();
    standby.mark_sending(delivery.id).await.unwrap();
}
