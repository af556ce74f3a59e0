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
        // A survey's close may be waiting to read this platform's polls.
        self.platforms.wake_scheduler();
        self.start_workers(platform).await;
        tracing::info!("bridge: delivering to {platform}");
    }

    /// Starts a delivery worker for each active room on the platform that has none yet.
    async fn start_workers(&self, platform: magnet_chat::Platform) {
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
    }

    /// Serves a started adapter until `stop` is set, then takes it out of service (its
    /// workers wait until it is back); the caller shuts the adapter down.
    pub async fn serve(&self, adapter: Arc<dyn ChatAdapter>, stop: &mut watch::Receiver<bool>) {
        let platform = adapter.platform();
        let mut rooms_added = self.platforms.rooms_added();
        self.platform_up(adapter).await;
        let stopped = async {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        tokio::pin!(stopped);
        loop {
            tokio::select! {
                () = &mut stopped => break,
                Ok(()) = rooms_added.changed() => self.start_workers(platform).await,
            }
        }
        self.platforms.remove(platform);
    }
}
