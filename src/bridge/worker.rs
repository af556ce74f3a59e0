//! One delivery worker per target room: takes the room's deliveries in sequence order,
//! marks each as sending, sends it through the room's adapter with a key derived from the
//! delivery, and records the remote id (dropping the payload) in one transaction. A
//! delivery found "sending" at start was cut short by a stop or a crash: it is sent again
//! through [`ChatAdapter::redeliver`], which makes sure it lands once.
//!
//! Rate limits and temporary failures are retried with backoff and keep the delivery's
//! place; a refusal or too many attempts dead-letters it, and the worker goes on.

use std::time::Duration;

use magnet_chat::{ChatAdapter, ChatError, Platform};
use tokio::sync::watch;

use super::Platforms;
use super::outbound::{Then, Unsendable, build};
use crate::store::{Delivery, DeliveryState, ReactionChange, RoomRow, Store, now_ms};

/// How deliveries are made: how often and how far apart a failing one is retried, and how
/// relays into Matrix look.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    /// Attempts before a failing delivery is dead-lettered (rate limits do not count).
    pub max_attempts: i64,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Relays into Matrix as notices (`[bridge] matrix_notices`).
    pub matrix_notices: bool,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            max_attempts: 10,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            matrix_notices: false,
        }
    }
}

impl DeliveryPolicy {
    /// The wait after the `attempts`-th failed try: the first retry comes quickly (most
    /// failures are blips), later ones further apart.
    fn backoff(&self, attempts: i64) -> Duration {
        let factor = 1u32 << (attempts - 1).clamp(0, 16);
        (self.first_backoff * factor).min(self.max_backoff)
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
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match step(&store, &platforms, &room, &policy).await {
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
    let resend = delivery.state == DeliveryState::Sending;
    store.mark_sending(delivery.id).await?;
    let built = match build(store, platforms, &delivery, room, policy.matrix_notices).await {
        Ok(built) => built,
        Err(Unsendable::Never(why)) => {
            tracing::warn!(delivery = delivery.id, room = %room.remote_id, why, "delivery cannot be sent; dead-lettered");
            store.mark_dead(delivery.id, &why).await?;
            return Ok(Step::Done);
        }
        Err(Unsendable::NotYet(error)) => return retry_later(store, &delivery, policy, error).await,
    };
    let mut first = None;
    for part in &built.actions {
        let sent = if resend {
            adapter.redeliver(part).await
        } else {
            adapter.deliver(part).await
        };
        match sent {
            Ok(delivered) => {
                first.get_or_insert(delivered.remote_id);
            }
            Err(error) => return failed(store, &delivery, policy, error, &*adapter).await,
        }
    }
    let remote_id = first.unwrap_or_default();
    let reminder = delivery
        .payload
        .as_deref()
        .is_some_and(|p| p.starts_with("{\"Reminder\""));
    if reminder {
        crate::fault::point("reminder-sent");
    }
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
    store
        .mark_delivered_with(delivery.id, &remote_id, reaction.as_ref())
        .await?;
    if reminder {
        crate::fault::point("reminder-marked");
    }
    tracing::debug!(delivery = delivery.id, room = %room.remote_id, remote = %remote_id, "delivered");
    Ok(Step::Done)
}

async fn failed(
    store: &Store,
    delivery: &Delivery,
    policy: &DeliveryPolicy,
    error: ChatError,
    adapter: &dyn ChatAdapter,
) -> crate::store::Result<Step> {
    let platform: Platform = adapter.platform();
    match error {
        ChatError::RateLimited { retry_after } => {
            let not_before = now_ms() + retry_after.as_millis() as i64;
            store
                .mark_retry(delivery.id, &format!("rate limited by {platform}"), not_before)
                .await?;
            // A rate limit is not the delivery's fault: it does not use up an attempt.
            store.forgive_attempt(delivery.id).await?;
            Ok(Step::Done)
        }
        ChatError::Transient(why) => retry_later(store, delivery, policy, why).await,
        ChatError::Permanent(why) => {
            tracing::warn!(delivery = delivery.id, %platform, why, "the platform refused a delivery; dead-lettered");
            store.mark_dead(delivery.id, &why).await?;
            Ok(Step::Done)
        }
    }
}

async fn retry_later(
    store: &Store,
    delivery: &Delivery,
    policy: &DeliveryPolicy,
    why: String,
) -> crate::store::Result<Step> {
    // `attempts` was counted when the delivery was marked sending.
    let attempts = delivery.attempts + 1;
    if attempts >= policy.max_attempts {
        tracing::warn!(
            delivery = delivery.id,
            attempts,
            why,
            "delivery failed too often; dead-lettered"
        );
        store
            .mark_dead(delivery.id, &format!("{why} (gave up after {attempts} attempts)"))
            .await?;
    } else {
        let backoff = policy.backoff(attempts);
        tracing::info!(
            delivery = delivery.id,
            attempts,
            ?backoff,
            why,
            "delivery failed; will retry"
        );
        store
            .mark_retry(delivery.id, &why, now_ms() + backoff.as_millis() as i64)
            .await?;
    }
    Ok(Step::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = DeliveryPolicy::default();
        assert_eq!(policy.backoff(1), Duration::from_millis(500));
        assert_eq!(policy.backoff(4), Duration::from_secs(4));
        assert_eq!(policy.backoff(40), Duration::from_secs(60));
    }
}
