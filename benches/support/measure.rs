//! What the benchmarks share: percentiles, and a process's memory and CPU from /proc.

/// The sample at fraction `p` of a sorted list (nearest rank).
pub fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// A `kB` field of /proc/<pid>/status (`VmRSS:`, `VmHWM:`), 0 if unreadable.
pub fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A number from the environment, or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

/// The simulator without Discord's rate limits: a bench measures the bot, not the waits
/// Discord would impose.
pub fn unlimited_sim() -> magnet_discord_sim::SimConfig {
    use std::time::Duration;
    magnet_discord_sim::SimConfig {
        limits: magnet_discord_sim::Limits {
            channel_messages: (1_000_000, Duration::from_secs(1)),
            webhook_executions: (1_000_000, Duration::from_secs(1)),
            global_per_second: 1_000_000,
            ..magnet_discord_sim::Limits::default()
        },
        ..magnet_discord_sim::SimConfig::default()
    }
}
