//! The bridge: a message in any of a pillar's rooms becomes the same message in all its
//! other rooms, exactly once and in order, through the port only.
//!
//! - [`inbound`]: the [`EventSink`](magnet_chat::EventSink) adapters hand events to; records
//!   each event once with the deliveries it causes ([`route`]) or a command's answer.
//! - [`route`]: which rooms an event goes to, as [`payload`]s kept until sent.
//! - [`worker`]: one per target room, sends its deliveries in order ([`outbound`] renders
//!   them for the target platform with [`format`]), retries, dead-letters.
//! - [`platforms`]: the running adapters and the workers' wake-up bells.

pub mod format;
mod inbound;
mod outbound;
mod payload;
mod platforms;
mod route;
mod worker;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use magnet_chat::ChatAdapter;
use tokio::sync::watch;

pub use inbound::StoreSink;
pub use payload::{Author, Payload};
pub use platforms::Platforms;
pub use worker::{DeliveryPolicy, OUTAGE_RETRIES, ROOMS_IN_OUTAGE};

use crate::store::Store;

/// The bridge's running parts: the store, the adapters, the delivery workers.
#[derive(Clone)]
pub struct Bridge {
    store: Store,
    platforms: Platforms,
    policy: DeliveryPolicy,
    stop: watch::Receiver<bool>,
    workers: Arc<Mutex<HashSet<i64>>>,
}

impl Bridge {
    pub fn new(store: Store, policy: DeliveryPolicy, stop: watch::Receiver<bool>) -> Bridge {
        Bridge {
            store,
            platforms: Platforms::default(),
            policy,
            stop,
            workers: Arc::default(),
        }
    }

    pub fn platforms(&self) -> &Platforms {
        &self.platforms
    }

    /// An adapter is up: its commands are registered, and every room on its platform gets
    /// a delivery worker (once; a worker outlives a restart of its adapter and waits for
    /// the platform to come back).
    async fn platform_up(&self, adapter: Arc<dyn ChatAdapter>) {
        let platform = adapter.platform();
        if let Err(error) = adapter.register_commands(&crate::command::slash_commands()).await {
            tracing::warn!(%platform, %error, "could not register the bot's commands; text commands still work");
        }
        self.platforms.set(adapter);
        let rooms = match self.store.active_rooms(platform).await {
            Ok(rooms) => rooms,
            Err(error) => {
                tracing::error!(%platform, %error, "cannot list the rooms to deliver to");
                return;
            }
        };
        for room in rooms {
            let new = self.workers.lock().unwrap_or_else(|p| p.into_inner()).insert(room.id);
            if new {
                tokio::spawn(worker::run(
                    self.store.clone(),
                    self.platforms.clone(),
                    room.clone(),
                    self.policy,
                    self.stop.clone(),
                ));
            }
            self.platforms.wake(room.id);
        }
        tracing::info!("bridge: delivering to {platform}");
    }

    /// Serves a started adapter until `stop` is set, then takes it out of service (its
    /// workers wait until it is back); the caller shuts the adapter down.
    pub async fn serve(&self, adapter: Arc<dyn ChatAdapter>, stop: &mut watch::Receiver<bool>) {
        let platform = adapter.platform();
        self.platform_up(adapter).await;
        let _ = stop.wait_for(|stop| *stop).await;
        self.platforms.remove(platform);
    }
}
