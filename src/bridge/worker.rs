//! One delivery worker per target room: takes the room's deliveries in sequence order,
//! marks each as sending, sends it through the room's adapter with a key derived from the
//! delivery, and records the remote id (dropping the payload) in one transaction.
//!
//! A delivery tried before (a crash between send and record, a timeout the platform may
//! have acted on) is first looked for in the room ([`ChatAdapter::earlier_copies`]): the
//! oldest copy no recorded delivery claims is taken for it, and only if there is none is it
//! sent again. "The same text" is never enough: people repeat "+1" all day.
//!
//! What happens on failure depends on what failed:
//! - a rate limit: wait as told, keep the place, no attempt counted;
//! - an outage (unreachable, 5xx): wait it out however long, backoff capped, no attempt
//!   counted, order kept, a WARN when it starts and a metric while it lasts; but a delivery
//!   that keeps failing while the same platform takes other rooms' deliveries is failing on
//!   its own: after `max_attempts` such tries it is dead-lettered and the room goes on;
//! - a refusal: dead-letter and go on; but a run of refusals for the same reason pauses the
//!   room and tells the secretariat once, instead of emptying the queue into dead letters;
//! - a store error waiting cannot cure (a constraint): that one delivery is set aside as a
//!   dead letter and the room goes on; other store errors are retried.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use magnet_chat::{ChatAdapter, ChatError, Delivered, Outbound, OutboundAction, Platform};
use tokio::sync::watch;

use super::Platforms;
use super::outbound::{Then, Unsendable, build};
use super::payload::Payload;
use crate::store::{Delivery, NewDelivery, ReactionChange, RoomRow, Store, now_ms};

/// Rooms whose platform is failing right now (unreachable or 5xx), for `/metrics`.
pub static ROOMS_IN_OUTAGE: AtomicI64 = AtomicI64::new(0);
/// Tries that met an outage, since start, for `/metrics`.
pub static OUTAGE_RETRIES: AtomicU64 = AtomicU64::new(0);
/// When each platform last took a delivery (epoch ms; Matrix, Discord): a room whose
/// delivery keeps failing while others get through is not in an outage.
static LAST_DELIVERED: [AtomicI64; 2] = [AtomicI64::new(0), AtomicI64::new(0)];

fn last_delivered(platform: Platform) -> &'static AtomicI64 {
    match platform {
        Platform::Matrix => &LAST_DELIVERED[0],
        Platform::Discord => &LAST_DELIVERED[1],
    }
}

/// How deliveries are made: how often and how far apart a failing one is retried, and how
/// relays into Matrix look.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    /// Failed tries of one delivery, while its platform takes other rooms' deliveries, before
    /// it is dead-lettered (rate limits and outages do not count).
    pub max_attempts: i64,
    /// The wait after the first failed try; each further one doubles it.
    pub first_backoff: Duration,
    /// The longest wait between tries while a platform is down: how soon after it is back
    /// the room goes on.
    pub max_outage_backoff: Duration,
    /// Refusals in a row, for the same reason, that pause the room.
    pub pause_after_refusals: usize,
    /// Relays into Matrix as notices (`[bridge] matrix_notices`).
    pub matrix_notices: bool,
    /// The language of what the secretariat's rooms are told (`[secretariat] language`).
    pub secretariat_lang: crate::i18n::Lang,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            max_attempts: 10,
            first_backoff: Duration::from_millis(500),
            max_outage_backoff: Duration::from_secs(15),
            pause_after_refusals: 5,
            matrix_notices: false,
            secretariat_lang: crate::i18n::Lang::En,
        }
    }
}

impl DeliveryPolicy {
    /// The wait after the `tries`-th try in a row that met an outage: the first retry comes
    /// quickly (most failures are blips), later ones further apart, up to the cap.
    fn outage_backoff(&self, tries: i64) -> Duration {
        let factor = 1u32 << (tries - 1).clamp(0, 16);
        (self.first_backoff * factor).min(self.max_outage_backoff)
    }
}

/// What a worker remembers between deliveries (not across restarts: a restart starts
/// counting afresh, which at worst makes a pause come a few refusals later).
#[derive(Default)]
struct Memory {
    outage: Option<Outage>,
    refusals: Option<RefusalRun>,
}

/// The room's platform has been failing since `since`, `tries` tries in a row, of which
/// `alone` while the platform took other rooms' deliveries.
struct Outage {
    since: Instant,
    since_ms: i64,
    tries: i64,
    alone: i64,
}

/// Refusals in a row for the same reason, and the dead letters they made.
struct RefusalRun {
    reason: String,
    dead: Vec<i64>,
}

impl Memory {
    /// A try that met an outage: the number of such tries in a row.
    fn outage_try(&mut self, room: &RoomRow, platform: Platform, why: &str) -> i64 {
        OUTAGE_RETRIES.fetch_add(1, Ordering::Relaxed);
        let outage = self.outage.get_or_insert_with(|| {
            ROOMS_IN_OUTAGE.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(room = %room.remote_id, %platform, why, "the platform is not answering; waiting it out, in order, however long it takes");
            Outage {
                since: Instant::now(),
                since_ms: now_ms(),
                tries: 0,
                alone: 0,
            }
        });
        outage.tries += 1;
        outage.tries
    }

    /// A failed try of a delivery, made while the platform took another room's delivery
    /// after this room's outage began: how many such tries in a row.
    fn failed_alone(&mut self, platform: Platform) -> i64 {
        let Some(outage) = self.outage.as_mut() else {
            return 0;
        };
        if last_delivered(platform).load(Ordering::Relaxed) > outage.since_ms {
            outage.alone += 1;
        }
        outage.alone
    }

    /// The platform answered (whatever it said): an outage is over.
    fn platform_answered(&mut self, room: &RoomRow) {
        if let Some(outage) = self.outage.take() {
            ROOMS_IN_OUTAGE.fetch_sub(1, Ordering::Relaxed);
            tracing::warn!(room = %room.remote_id, after = ?outage.since.elapsed(), tries = outage.tries, "the platform is answering again; delivering");
        }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        if self.outage.is_some() {
            ROOMS_IN_OUTAGE.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Delivers a room's queue until `stop` is set.
pub async fn run(
    store: Store,
    platforms: Platforms,
    room: RoomRow,
    policy: DeliveryPolicy,
    mut stop: watch::Receiver<bool>,
) {
    let bell = platforms.bell(room.id);
    let mut memory = Memory::default();
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match step(&store, &platforms, &room, &policy, &mut memory).await {
            Ok(Step::Done) => None,
            Ok(Step::Idle) => Some(Duration::MAX),
            Ok(Step::NotBefore(ms)) => Some(Duration::from_millis(ms.max(1) as u64)),
            Err(error) => {
                tracing::error!(room = %room.remote_id, %error, "delivery worker: the store failed; retrying");
                Some(Duration::from_secs(1))
            }
        };
        let Some(wait) = wait else { continue };
        let sleep = tokio::time::sleep(wait.min(Duration::from_secs(3600)));
        tokio::select! {
            _ = bell.notified() => {}
            _ = sleep => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
    }
}

enum Step {
    /// One delivery was handled; look for the next at once.
    Done,
    /// Nothing to do until someone rings.
    Idle,
    /// The next delivery may not be tried for this many milliseconds.
    NotBefore(i64),
}

async fn step(
    store: &Store,
    platforms: &Platforms,
    room: &RoomRow,
    policy: &DeliveryPolicy,
    memory: &mut Memory,
) -> crate::store::Result<Step> {
    let Some(delivery) = store.next_delivery(room.id).await? else {
        return Ok(Step::Idle);
    };
    let wait = delivery.not_before - now_ms();
    if wait > 0 {
        return Ok(Step::NotBefore(wait));
    }
    let Some(adapter) = platforms.get(room.platform) else {
        // The platform is not up (yet); its start wakes the worker.
        return Ok(Step::Idle);
    };
    let tried_since = delivery.first_tried_at;
    store.mark_sending(delivery.id).await?;
    crate::fault::point(match room.platform {
        Platform::Matrix => "delivery-sending:matrix",
        Platform::Discord => "delivery-sending:discord",
    });
    let built = match build(
        store,
        platforms,
        &delivery,
        room,
        policy.matrix_notices,
        policy.secretariat_lang,
    )
    .await
    {
        Ok(built) => built,
        Err(Unsendable::Never(why)) => {
            tracing::warn!(delivery = delivery.id, room = %room.remote_id, why, "delivery cannot be sent; dead-lettered");
            store.mark_dead(delivery.id, &why).await?;
            return Ok(Step::Done);
        }
        Err(Unsendable::Wait(why)) => return wait_out(store, room, &delivery, policy, memory, &why).await,
    };
    let mut sent_ids: Vec<String> = Vec::with_capacity(built.actions.len());
    for part in &built.actions {
        let sent = match tried_since {
            // Copies this delivery's earlier parts were just matched to are not candidates.
            Some(since) => resend(store, &*adapter, room, &delivery, part, since, &sent_ids).await?,
            None => adapter.deliver(part).await,
        };
        match sent {
            Ok(delivered) => sent_ids.push(delivered.remote_id),
            Err(error) => return failed(store, platforms, room, &delivery, policy, memory, error).await,
        }
    }
    memory.platform_answered(room);
    memory.refusals = None;
    last_delivered(room.platform).store(now_ms(), Ordering::Relaxed);
    let mut sent_ids = sent_ids.into_iter();
    let remote_id = sent_ids.next().unwrap_or_default();
    let more_parts: Vec<String> = sent_ids.collect();
    let reminder = delivery
        .payload
        .as_deref()
        .is_some_and(|p| p.starts_with("{\"Reminder\""));
    if reminder {
        crate::fault::point("reminder-sent");
    }
    crate::fault::point(match room.platform {
        Platform::Matrix => "delivery-sent:matrix",
        Platform::Discord => "delivery-sent:discord",
    });
    // The bot's reaction, placed or taken back, is remembered with the delivery.
    let reaction = match built.then {
        Some(Then::RecordReaction {
            message,
            sender,
            key,
            existing,
        }) => Some(ReactionChange::Record {
            message_id: message,
            room_id: room.id,
            sender,
            key,
            remote_id: existing.unwrap_or_else(|| remote_id.clone()),
            by_bot: true,
        }),
        Some(Then::ForgetReaction { message, sender, key }) => Some(ReactionChange::Forget {
            message_id: message,
            room_id: room.id,
            sender,
            key,
        }),
        None => None,
    };
    match store
        .mark_delivered_with(delivery.id, &remote_id, &more_parts, reaction.as_ref())
        .await
    {
        Ok(()) => {}
        Err(error) if error.is_permanent() => {
            // Retrying would meet the same refusal for ever and stop the room: this one
            // delivery is set aside (with what was sent, so nothing else takes it for its own).
            tracing::error!(delivery = delivery.id, room = %room.remote_id, remote = %remote_id, %error, "a delivery was sent but cannot be recorded; set aside as a dead letter");
            let why = format!("sent as {remote_id}, but the store refused to record it: {error}");
            let sent = (!remote_id.is_empty()).then_some(remote_id.as_str());
            store.set_aside_delivery(delivery.id, &why, sent).await?;
            return Ok(Step::Done);
        }
        Err(error) => return Err(error),
    }
    if reminder {
        crate::fault::point("reminder-marked");
    }
    tracing::debug!(delivery = delivery.id, room = %room.remote_id, remote = %remote_id, "delivered");
    Ok(Step::Done)
}

/// Sends a part of a delivery tried before: what an earlier attempt left in the room, if
/// anything there is unclaimed and no older than the first try, is taken for it.
async fn resend(
    store: &Store,
    adapter: &dyn ChatAdapter,
    room: &RoomRow,
    delivery: &Delivery,
    part: &Outbound,
    since: i64,
    taken: &[String],
) -> crate::store::Result<Result<Delivered, ChatError>> {
    let copies = match adapter.earlier_copies(part, since).await {
        Ok(copies) => copies,
        Err(error) => return Ok(Err(error)),
    };
    for copy in copies {
        if taken.contains(&copy.remote_id) {
            continue;
        }
        if !store.remote_claimed(room.id, &copy.remote_id, delivery.id).await? {
            tracing::info!(room = %room.remote_id, remote = %copy.remote_id, "an earlier attempt reached the room; not sending again");
            return Ok(Ok(copy));
        }
    }
    Ok(adapter.deliver(part).await)
}

async fn failed(
    store: &Store,
    platforms: &Platforms,
    room: &RoomRow,
    delivery: &Delivery,
    policy: &DeliveryPolicy,
    memory: &mut Memory,
    error: ChatError,
) -> crate::store::Result<Step> {
    let platform = room.platform;
    match error {
        ChatError::RateLimited { retry_after } => {
            memory.platform_answered(room);
            let not_before = now_ms() + retry_after.as_millis() as i64;
            store
                .mark_retry(delivery.id, &format!("rate limited by {platform}"), not_before)
                .await?;
            // A rate limit is not the delivery's fault: it does not use up an attempt.
            store.forgive_attempt(delivery.id).await?;
            Ok(Step::Done)
        }
        ChatError::Transient(why) => {
            let alone = memory.failed_alone(platform);
            if alone >= policy.max_attempts {
                // Not an outage: the platform takes everyone else's deliveries, this one
                // fails on its own (a payload its server chokes on). It must not hold up
                // the room for ever.
                let why = format!("{why} (failed {alone} times while {platform} took other rooms' deliveries)");
                tracing::warn!(delivery = delivery.id, room = %room.remote_id, why, "a delivery keeps failing on its own; dead-lettered");
                store.mark_dead(delivery.id, &why).await?;
                memory.platform_answered(room);
                return Ok(Step::Done);
            }
            wait_out(store, room, delivery, policy, memory, &why).await
        }
        ChatError::Permanent(why) => {
            memory.platform_answered(room);
            tracing::warn!(delivery = delivery.id, %platform, why, "the platform refused a delivery; dead-lettered");
            store.mark_dead(delivery.id, &why).await?;
            let reason = refusal_reason(&why);
            let run = match memory.refusals.take() {
                Some(mut run) if run.reason == reason => {
                    run.dead.push(delivery.id);
                    run
                }
                _ => RefusalRun {
                    reason,
                    dead: vec![delivery.id],
                },
            };
            if run.dead.len() >= policy.pause_after_refusals {
                if let Err(error) = pause(store, platforms, room, &why, &run.dead, policy.secretariat_lang).await {
                    // Tried again with the next refusal.
                    memory.refusals = Some(run);
                    return Err(error);
                }
            } else {
                memory.refusals = Some(run);
            }
            Ok(Step::Done)
        }
    }
}

/// Pauses the room after a run of identical refusals: the run goes back in line, nothing
/// more is tried until the secretariat resumes the room, and the secretariat is told once.
async fn pause(
    store: &Store,
    platforms: &Platforms,
    room: &RoomRow,
    why: &str,
    run: &[i64],
    lang: crate::i18n::Lang,
) -> crate::store::Result<()> {
    let pillar = room.pillar_id.as_deref().unwrap_or("secretariat");
    let resume_words = match room.pillar_id.as_deref() {
        Some(pillar) => format!("resume {pillar}"),
        None => "resume".to_string(),
    };
    let told: Vec<RoomRow> = store
        .secretariat_rooms()
        .await?
        .into_iter()
        .filter(|r| r.id != room.id)
        .collect();
    let notices: Vec<NewDelivery> = told
        .iter()
        .map(|to| {
            let invoke = crate::command::invocation(to.platform == Platform::Discord);
            let (platform, remote, count) = (room.platform.name(), room.remote_id.as_str(), run.len());
            let command = format!("{invoke} {resume_words}");
            let text = match room.pillar_id.as_deref() {
                Some(pillar) => crate::t!(
                    lang,
                    "notice-room-paused",
                    platform = platform,
                    room = remote,
                    pillar = pillar,
                    count = count,
                    reason = why,
                    command = command
                ),
                None => crate::t!(
                    lang,
                    "notice-secretariat-room-paused",
                    platform = platform,
                    room = remote,
                    count = count,
                    reason = why,
                    command = command
                ),
            };
            // Markdown on Discord, a notice with the same as HTML on Matrix.
            let payload = Payload::Direct(OutboundAction::Send {
                body: crate::schedule::render::body(to.platform, text),
                persona: None,
            });
            NewDelivery {
                room_id: to.id,
                action: payload.action().to_string(),
                message_id: None,
                payload: payload.to_json(),
            }
        })
        .collect();
    if store.pause_room(room.id, why, run, &notices).await? {
        tracing::warn!(room = %room.remote_id, pillar, refusals = run.len(), why, "deliveries paused after a run of identical refusals; the secretariat was told");
        for to in &told {
            platforms.wake(to.id);
        }
    }
    Ok(())
}

/// A refusal's reason without what differs from one message to the next (ids, numbers),
/// so that the same refusal of different messages reads the same.
fn refusal_reason(why: &str) -> String {
    let mut out = String::with_capacity(why.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        // Status and error codes are short and part of the reason; ids are long.
        out.push_str(if run.len() > 6 { "#" } else { run.as_str() });
        run.clear();
    };
    for c in why.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// An outage (of the room's platform, of the platform a file comes from, of the store):
/// not the delivery's fault, so no attempt is used up, and the room waits in order, tries
/// at most `max_outage_backoff` apart, until it is over.
async fn wait_out(
    store: &Store,
    room: &RoomRow,
    delivery: &Delivery,
    policy: &DeliveryPolicy,
    memory: &mut Memory,
    why: &str,
) -> crate::store::Result<Step> {
    let tries = memory.outage_try(room, room.platform, why);
    let backoff = policy.outage_backoff(tries);
    tracing::info!(
        delivery = delivery.id,
        tries,
        ?backoff,
        why,
        "delivery met an outage; will retry"
    );
    store
        .mark_retry(delivery.id, why, now_ms() + backoff.as_millis() as i64)
        .await?;
    store.forgive_attempt(delivery.id).await?;
    Ok(Step::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = DeliveryPolicy::default();
        assert_eq!(policy.outage_backoff(1), Duration::from_millis(500));
        assert_eq!(policy.outage_backoff(4), Duration::from_secs(4));
        assert_eq!(policy.outage_backoff(40), Duration::from_secs(15));
    }

    #[test]
    fn the_same_refusal_of_different_messages_reads_the_same() {
        let a = refusal_reason(
            "400 Bad Request: {\"code\": 50035, \"message\": \"Invalid Form Body\"} (message 1181234567890123456)",
        );
        let b = refusal_reason(
            "400 Bad Request: {\"code\": 50035, \"message\": \"Invalid Form Body\"} (message 1181234567890999999)",
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            refusal_reason("403 Forbidden: {\"code\": 50013, \"message\": \"Missing Permissions\"}")
        );
        // Status and error codes still tell refusals apart.
        assert_ne!(refusal_reason("400: code 50035"), refusal_reason("400: code 50006"));
    }
}
