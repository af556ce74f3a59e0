//! Two pillars, each with a Matrix room on the test Synapse and a Discord channel on the
//! simulator, and the `magnet` binary bridging them: the setting of the bridge's
//! end-to-end tests.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use magnet_discord_sim::{DiscordSim, SeenMessage, SimConfig};
use magnet_testkit::{MagnetProcess, MatrixUser, Synapse};
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_magnet");
pub const WAIT: Duration = Duration::from_secs(60);
/// The calendar secret in the test bot's config (calendar links are derived from it).
pub const CALENDAR_SECRET: &str = "test calendar secret";

/// Everyone and everything in the test.
pub struct Network {
    pub synapse: Synapse,
    pub sim: DiscordSim,
    /// The Discord server (guild) the channels are in.
    pub guild: u64,
    /// A Matrix user in both pillars' rooms, and secretariat.
    pub ayse: MatrixUser,
    pub bot_user_id: String,
    /// A Discord user.
    pub bora: u64,
    /// A Discord user with the secretariat role.
    pub secretary: u64,
    pub authorities_room: String,
    pub civil_room: String,
    pub authorities_channel: u64,
    pub civil_channel: u64,
    /// A second Discord channel of the civil society pillar, when asked for.
    pub civil_twin: Option<u64>,
    /// Further pillars (a Matrix room and a Discord channel each), for load and benches.
    pub extra: Vec<(String, u64)>,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    /// The bot's database.
    pub database_url: String,
}

impl Network {
    /// On the shared test homeserver.
    pub async fn new(sim_config: SimConfig) -> Network {
        Network::on(Synapse::from_env(), sim_config).await
    }

    /// On the given homeserver.
    pub async fn on(synapse: Synapse, sim_config: SimConfig) -> Network {
        Network::with_pillars(synapse, sim_config, 0).await
    }

    /// On the given homeserver, with `extra` more pillars besides the two, on SQLite.
    pub async fn with_pillars(synapse: Synapse, sim_config: SimConfig, extra_pillars: usize) -> Network {
        Network::build(synapse, sim_config, extra_pillars, None, false).await
    }

    /// On the given homeserver, with the bot's database on PostgreSQL at `database_url`.
    pub async fn on_synapse_and_postgres(synapse: Synapse, sim_config: SimConfig, database_url: String) -> Network {
        Network::build(synapse, sim_config, 0, Some(database_url), false).await
    }

    /// On the shared homeserver, with the bot's database on PostgreSQL at `database_url`.
    pub async fn on_postgres(sim_config: SimConfig, database_url: String) -> Network {
        Network::build(Synapse::from_env(), sim_config, 0, Some(database_url), false).await
    }

    /// On PostgreSQL, with `extra_pillars` more pillars of one room and one channel each.
    pub async fn on_postgres_with_pillars(
        sim_config: SimConfig,
        database_url: String,
        extra_pillars: usize,
    ) -> Network {
        Network::build(
            Synapse::from_env(),
            sim_config,
            extra_pillars,
            Some(database_url),
            false,
        )
        .await
    }

    /// On the shared homeserver, the civil society pillar with a second Discord channel.
    pub async fn with_twin_channel(sim_config: SimConfig) -> Network {
        Network::build(Synapse::from_env(), sim_config, 0, None, true).await
    }

    async fn build(
        synapse: Synapse,
        sim_config: SimConfig,
        extra_pillars: usize,
        database_url: Option<String>,
        twin: bool,
    ) -> Network {
        let bot = synapse.register_user("magnetbot").await.unwrap();
        let ayse = synapse.register_user("ayse").await.unwrap();
        ayse.set_display_name("Ayşe").await.unwrap();
        let authorities_room = ayse.create_room("authorities", &[&bot.user_id]).await.unwrap();
        let civil_room = ayse.create_room("civil society", &[&bot.user_id]).await.unwrap();

        let sim = DiscordSim::start(sim_config).await.unwrap();
        let guild = sim.create_guild("MAGNET");
        let authorities_channel = sim.create_channel(guild, "authorities");
        let civil_channel = sim.create_channel(guild, "civil-society");
        let civil_twin = twin.then(|| sim.create_channel(guild, "civil-society-2"));
        let bora = sim.create_user(guild, "bora", Some("Bora"));
        let secretary = sim.create_user(guild, "selin", Some("Selin"));
        let secretariat_role = sim.create_role(guild, "secretariat");
        sim.assign_role(guild, secretary, secretariat_role);
        let mut extra = Vec::new();
        for n in 0..extra_pillars {
            let room = ayse.create_room(&format!("pillar {n}"), &[&bot.user_id]).await.unwrap();
            extra.push((room, sim.create_channel(guild, &format!("pillar-{n}"))));
        }

        let dir = tempfile::tempdir().unwrap();
        let database_url =
            database_url.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("magnet.db").display()));
        let password = dir.path().join("matrix-password");
        std::fs::write(&password, &bot.password).unwrap();
        let calendar = dir.path().join("calendar-secret");
        std::fs::write(&calendar, CALENDAR_SECRET).unwrap();
        let token = dir.path().join("discord-token");
        std::fs::write(&token, sim.bot_token()).unwrap();
        let config = dir.path().join("magnet.toml");
        let text = format!(
            r#"
[database]
url = "{db}"
[http]
listen = "127.0.0.1:0"
calendar_secret_file = "{calendar}"
[matrix]
homeserver = "{hs}"
user_id = "{bot}"
password_file = "{password}"
store_dir = "{store}"
[discord]
token_file = "{token}"
application_id = "{app}"
api_base = "{api}"
[secretariat]
matrix_users = ["{ayse}"]
discord_roles = ["{role}"]
[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "Europe/Istanbul"
matrix_rooms = ["{authorities_room}"]
discord_channels = ["{authorities_channel}"]
[[pillars]]
id = "civil-society"
name = "Civil society"
timezone = "Europe/Berlin"
allow_room_pings = true
matrix_rooms = ["{civil_room}"]
discord_channels = [{civil_channels}]
"#,
            db = database_url,
            hs = synapse.url,
            bot = bot.user_id,
            password = password.display(),
            calendar = calendar.display(),
            store = dir.path().join("matrix").display(),
            token = token.display(),
            app = sim.application_id(),
            api = sim.api_base(),
            ayse = ayse.user_id,
            role = secretariat_role,
            civil_channels = [Some(civil_channel), civil_twin]
                .iter()
                .flatten()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", "),
        );
        let mut text = text;
        for (n, (room, channel)) in extra.iter().enumerate() {
            text.push_str(&format!(
                "[[pillars]]\nid = \"pillar-{n}\"\nname = \"Pillar {n}\"\ntimezone = \"UTC\"\nmatrix_rooms = [\"{room}\"]\ndiscord_channels = [\"{channel}\"]\n"
            ));
        }
        std::fs::write(&config, text).unwrap();
        Network {
            synapse,
            sim,
            guild,
            ayse,
            bot_user_id: bot.user_id,
            bora,
            secretary,
            authorities_room,
            civil_room,
            authorities_channel,
            civil_channel,
            civil_twin,
            extra,
            dir,
            config,
            database_url,
        }
    }

    /// Sends a text command in a Matrix room as Ayşe (of the secretariat) and returns the
    /// bot's answer to it.
    pub async fn ask_matrix(&self, room: &str, text: &str) -> String {
        let asked = self.ayse.send_text(room, text).await.unwrap();
        let answer = eventually(&format!("an answer to `{text}`"), || async {
            self.bot_events(room)
                .await
                .into_iter()
                .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == asked.as_str())
        })
        .await;
        answer["content"]["body"].as_str().unwrap().to_string()
    }

    /// Runs a slash command that opens a form (once the commands are registered), fills
    /// the form's fields as `user`: the form shown, and the answer to it.
    pub async fn fill_form(
        &self,
        channel: u64,
        user: u64,
        path: &[&str],
        options: &[(&str, &str)],
        fields: &[(&str, &str)],
    ) -> (Value, magnet_discord_sim::SeenReply) {
        let opened = eventually("the slash commands registered", || async {
            self.sim.run_command(channel, user, path, options).ok()
        })
        .await;
        let view = self
            .sim
            .wait_for_interaction(opened, WAIT, |v| v.modal.is_some())
            .await
            .expect("a form opens at once");
        let sent = self.sim.submit_form(opened, user, fields).unwrap();
        let answer = self
            .sim
            .wait_for_interaction(sent, WAIT, |v| v.replies.iter().any(|r| !r.loading))
            .await
            .expect("an answer to the form");
        (
            view.modal.expect("a form"),
            answer.replies.into_iter().next().expect("a reply"),
        )
    }

    /// Waits until the bot has no delivery left to make.
    pub async fn queue_empty(&self) {
        let store = self.store().await;
        eventually("the queue empty", || async {
            let open: i64 = store
                .delivery_counts()
                .await
                .unwrap()
                .iter()
                .filter(|(state, _)| state == "pending" || state == "sending")
                .map(|(_, n)| n)
                .sum();
            (open == 0).then_some(())
        })
        .await;
    }

    /// Gives the secretariat a room on each platform (before the bot starts): their ids.
    pub async fn add_secretariat_rooms(&self) -> (String, u64) {
        let room = self
            .ayse
            .create_room("secretariat", &[&self.bot_user_id])
            .await
            .unwrap();
        let channel = self.sim.create_channel(self.guild, "secretariat");
        let config = std::fs::read_to_string(&self.config).unwrap().replacen(
            "[secretariat]\n",
            &format!("[secretariat]\nmatrix_rooms = [\"{room}\"]\ndiscord_channels = [\"{channel}\"]\n"),
            1,
        );
        std::fs::write(&self.config, config).unwrap();
        (room, channel)
    }

    /// Adds TOML sections at the end of the bot's config (before it starts).
    pub fn append_config(&self, text: &str) {
        let mut config = std::fs::read_to_string(&self.config).unwrap();
        config.push_str(text);
        std::fs::write(&self.config, config).unwrap();
    }

    /// Opens the bot's database (for what a test checks there).
    pub async fn store(&self) -> magnet::store::Store {
        magnet::store::Store::connect(&self.database_url, None, 1)
            .await
            .unwrap()
    }

    /// Waits until the bot has finished `count` deliveries in all (whatever they needed).
    pub async fn wait_for_deliveries(&self, count: i64) {
        eventually(&format!("{count} deliveries done"), || async {
            (self.deliveries_done().await >= count).then_some(())
        })
        .await;
    }

    /// How many deliveries the bot has finished.
    pub async fn deliveries_done(&self) -> i64 {
        let store = magnet::store::Store::connect(&self.database_url, None, 1)
            .await
            .unwrap();
        let counts = store.delivery_counts().await.unwrap();
        store.close().await;
        counts
            .iter()
            .filter(|(state, _)| state == "delivered")
            .map(|(_, n)| n)
            .sum()
    }

    /// Starts the bot and waits until it delivers on both platforms.
    pub fn start(&self) -> MagnetProcess {
        self.start_with(&[])
    }

    /// Starts the bot with more environment (a fault point) and waits until it delivers on
    /// both platforms.
    pub fn start_with(&self, env: &[(&str, &str)]) -> MagnetProcess {
        let process = MagnetProcess::start(Path::new(BIN), &self.config, self.dir.path(), env).unwrap();
        process.wait_for_log("bridge: delivering to matrix", WAIT).unwrap();
        process.wait_for_log("bridge: delivering to discord", WAIT).unwrap();
        process
    }

    /// The bodies of the bot's messages in a whole Matrix room (as Ayşe sees them), oldest
    /// first, edits left out; `None` while the homeserver does not answer.
    pub async fn bot_bodies(&self, room: &str) -> Option<Vec<String>> {
        Some(
            self.ayse
                .all_events(room)
                .await
                .ok()?
                .into_iter()
                .filter(|e| e["sender"] == self.bot_user_id.as_str() && e["type"] == "m.room.message")
                .filter(|e| e["content"]["m.relates_to"]["rel_type"] != "m.replace")
                .filter_map(|e| e["content"]["body"].as_str().map(str::to_string))
                .collect(),
        )
    }

    /// The bot's messages in a Matrix room (as Ayşe sees them), oldest first.
    pub async fn bot_events(&self, room: &str) -> Vec<Value> {
        self.ayse
            .recent_events(room, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e["sender"] == self.bot_user_id.as_str() && e["type"] == "m.room.message")
            .collect()
    }
}

/// The simulator with Discord's pacing out of the way: for tests of something else that
/// send hundreds of messages (the pacing has its own tests).
pub fn unthrottled() -> SimConfig {
    SimConfig {
        limits: magnet_discord_sim::Limits {
            channel_messages: (1_000_000, Duration::from_secs(1)),
            webhook_executions: (1_000_000, Duration::from_secs(1)),
            global_per_second: 1_000_000,
            ..magnet_discord_sim::Limits::default()
        },
        ..SimConfig::default()
    }
}

/// Re-checks `check` until it gives a value; fails the test if `WAIT` passes first.
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    eventually_within(what, WAIT, check).await
}

/// [`eventually`] with a limit of its own: for what must first wait out a protocol timer
/// (say so where it is used).
pub async fn eventually_within<T, F, Fut>(what: &str, limit: Duration, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    magnet_testkit::wait::until(limit, check)
        .await
        .unwrap_or_else(|| panic!("timed out after {limit:?} waiting for {what}"))
}

/// The longest the bot's Discord gateway client (serenity 0.12) takes, by its own timers,
/// to find out that a gateway went silent (`DiscordSim::silence_gateway`) and to start
/// again on a new session, when the gateway's heartbeat interval is `heartbeat`:
///
/// - it heartbeats once an interval has passed since the last heartbeat, checking at least
///   every 500 ms (its websocket read timeout), so heartbeats are at most
///   `heartbeat + 0.5 s` apart;
/// - the first heartbeat after the silence goes unacknowledged, and when the next one falls
///   due it gives up (`Error heartbeating`): at most `2 × (heartbeat + 0.5 s)` after;
/// - restarting the shard waits up to 5 s for the old shard runner to confirm its shutdown
///   (it cannot: it is the one restarting), and IDENTIFYs are kept 5 s apart: up to 10 s.
///
/// The READY that follows makes every channel reader list what it missed; from there on
/// the work is that of any other wait ([`WAIT`]).
pub fn gateway_silence_found_out(heartbeat: Duration) -> Duration {
    let check = Duration::from_millis(500);
    2 * (heartbeat + check) + Duration::from_secs(10)
}

/// The relayed messages (webhook messages) in a Discord channel, oldest first.
pub fn relays(sim: &DiscordSim, channel: u64) -> Vec<SeenMessage> {
    sim.messages(channel).into_iter().filter(|m| m.webhook).collect()
}
