//! The running adapters, by platform, the wake-up bell of each room's delivery worker and
//! the scheduler's.
//! Adapters come and go (a platform may start late, after its server comes back); workers
//! sleep until their room has work, and whoever creates work rings the room's bell.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use magnet_chat::{ChatAdapter, Platform};
use tokio::sync::{Notify, watch};

/// Shared by the inbound side, the workers and the commands; cheap to clone.
#[derive(Clone)]
pub struct Platforms {
    adapters: Arc<RwLock<HashMap<Platform, Arc<dyn ChatAdapter>>>>,
    bells: Arc<RwLock<HashMap<i64, Arc<Notify>>>>,
    scheduler: Arc<Notify>,
    /// Bumped when a room is added while running (a direct room): its worker is started.
    rooms_added: Arc<watch::Sender<u64>>,
}

impl Default for Platforms {
    fn default() -> Platforms {
        Platforms {
            adapters: Arc::default(),
            bells: Arc::default(),
            scheduler: Arc::default(),
            rooms_added: Arc::new(watch::channel(0).0),
        }
    }
}

impl Platforms {
    pub fn set(&self, adapter: Arc<dyn ChatAdapter>) {
        self.adapters
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(adapter.platform(), adapter);
    }

    pub fn remove(&self, platform: Platform) {
        self.adapters
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&platform);
    }

    pub fn get(&self, platform: Platform) -> Option<Arc<dyn ChatAdapter>> {
        self.adapters
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&platform)
            .cloned()
    }

    /// The bell of a room's worker.
    pub fn bell(&self, room_id: i64) -> Arc<Notify> {
        if let Some(bell) = self.bells.read().unwrap_or_else(|p| p.into_inner()).get(&room_id) {
            return bell.clone();
        }
        self.bells
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(room_id)
            .or_default()
            .clone()
    }

    /// Tells a room's worker there is work (a permit is kept if it is busy).
    pub fn wake(&self, room_id: i64) {
        self.bell(room_id).notify_one();
    }

    /// The scheduler's bell: rung when a meeting changes, so it looks at its next due
    /// time again.
    pub fn scheduler_bell(&self) -> Arc<Notify> {
        self.scheduler.clone()
    }

    pub fn wake_scheduler(&self) {
        self.scheduler.notify_one();
    }

    /// A room was added while the bot runs: its platform's workers are looked for again.
    pub fn room_added(&self) {
        self.rooms_added.send_modify(|n| *n += 1);
    }

    /// Changes each time a room is added.
    pub fn rooms_added(&self) -> watch::Receiver<u64> {
        self.rooms_added.subscribe()
    }
}
