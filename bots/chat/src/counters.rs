//! Counts an adapter keeps for the core's `/metrics`: what happens inside a platform
//! library, out of the core's sight. The core makes one and hands clones to the adapters
//! (in their settings) and to the metrics endpoint.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::Platform;

/// Events a platform sent that its library could not read, and so dropped, by platform and
/// event type. Such an event is lost for good (Discord does not send it again), so a change
/// in the platform's API shows here rather than as messages nobody notices are missing.
#[derive(Debug, Clone, Default)]
pub struct UnreadableEvents(Arc<Mutex<BTreeMap<(Platform, String), u64>>>);

impl UnreadableEvents {
    /// Counts one dropped event of this type.
    pub fn count(&self, platform: Platform, event_type: &str) {
        *self.counts().entry((platform, event_type.to_string())).or_default() += 1;
    }

    /// How many events of this type were dropped so far.
    pub fn get(&self, platform: Platform, event_type: &str) -> u64 {
        self.counts()
            .get(&(platform, event_type.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Every count so far, by platform, then event type.
    pub fn snapshot(&self) -> Vec<(Platform, String, u64)> {
        self.counts()
            .iter()
            .map(|((platform, event_type), n)| (*platform, event_type.clone(), *n))
            .collect()
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, BTreeMap<(Platform, String), u64>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_counts() {
        let counts = UnreadableEvents::default();
        let seen_by_the_core = counts.clone();
        counts.count(Platform::Discord, "MESSAGE_REACTION_ADD");
        counts.count(Platform::Discord, "MESSAGE_REACTION_ADD");
        counts.count(Platform::Discord, "GUILD_CREATE");
        assert_eq!(seen_by_the_core.get(Platform::Discord, "MESSAGE_REACTION_ADD"), 2);
        assert_eq!(seen_by_the_core.get(Platform::Matrix, "MESSAGE_REACTION_ADD"), 0);
        assert_eq!(
            seen_by_the_core.snapshot(),
            vec![
                (Platform::Discord, "GUILD_CREATE".to_string(), 1),
                (Platform::Discord, "MESSAGE_REACTION_ADD".to_string(), 2),
            ]
        );
    }
}
