//! The demo's world: four pillars and the secretariat, each with a Matrix room on the local
//! Synapse and a Discord channel on the simulator, the people in them, and the config that
//! points `magnet run` at all of it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use magnet_discord_sim::DiscordSim;
use magnet_testkit::{MatrixUser, Synapse};

/// Id, name, time zone and language: the authorities' pillar works in Turkish.
pub const PILLARS: [(&str, &str, &str, &str); 4] = [
    ("authorities", "Migration authorities", "Europe/Istanbul", "tr"),
    ("civil-society", "Civil society", "Europe/Berlin", "en"),
    ("international", "International community", "Europe/Zurich", "en"),
    ("private-academia", "Private sector and academia", "Europe/Athens", "en"),
];

/// A pillar's two rooms.
pub struct PillarRooms {
    pub id: &'static str,
    pub name: &'static str,
    pub timezone: &'static str,
    pub matrix_room: String,
    pub discord_channel: u64,
}

pub struct World {
    pub synapse: Synapse,
    pub sim: DiscordSim,
    pub bot: MatrixUser,
    /// On Matrix: Ayşe (secretariat) and Jonas.
    pub ayse: MatrixUser,
    pub jonas: MatrixUser,
    /// On Discord: Bora, and Selin with the secretariat role.
    pub bora: u64,
    pub selin: u64,
    pub pillars: Vec<PillarRooms>,
    pub secretariat_room: String,
    pub secretariat_channel: u64,
    pub secretariat_role: u64,
}

impl World {
    pub async fn build(synapse: Synapse, sim: DiscordSim) -> Result<World> {
        let bot = synapse.register_user("magnet").await.context("registering the bot")?;
        let ayse = synapse.register_user("ayse").await?;
        ayse.set_display_name("Ayşe (secretariat)").await?;
        let jonas = synapse.register_user("jonas").await?;
        jonas.set_display_name("Jonas").await?;

        let guild = sim.create_guild("MAGNET");
        let bora = sim.create_user(guild, "bora", Some("Bora"));
        let selin = sim.create_user(guild, "selin", Some("Selin"));
        let secretariat_role = sim.create_role(guild, "secretariat");
        sim.assign_role(guild, selin, secretariat_role);

        let mut pillars = Vec::new();
        for (id, name, timezone, _) in PILLARS {
            let matrix_room = ayse.create_room(name, &[&bot.user_id, &jonas.user_id]).await?;
            jonas.join(&matrix_room).await?;
            pillars.push(PillarRooms {
                id,
                name,
                timezone,
                matrix_room,
                discord_channel: sim.create_channel(guild, id),
            });
        }
        let secretariat_room = ayse.create_room("Secretariat", &[&bot.user_id]).await?;
        let secretariat_channel = sim.create_channel(guild, "secretariat");
        Ok(World {
            synapse,
            sim,
            bot,
            ayse,
            jonas,
            bora,
            selin,
            pillars,
            secretariat_room,
            secretariat_channel,
            secretariat_role,
        })
    }

    /// Writes the bot's config (secrets in files beside it) into `dir`; returns its path.
    pub fn write_config(&self, dir: &Path) -> Result<PathBuf> {
        let password = dir.join("matrix-password");
        std::fs::write(&password, &self.bot.password)?;
        let token = dir.join("discord-token");
        std::fs::write(&token, self.sim.bot_token())?;
        let mut text = format!(
            r#"# Written by the demo: a local Synapse and the Discord simulator.
[database]
url = "sqlite://{db}"
[http]
listen = "127.0.0.1:0"
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
matrix_rooms = ["{secretariat_room}"]
discord_roles = ["{role}"]
discord_channels = ["{secretariat_channel}"]
"#,
            db = dir.join("magnet.db").display(),
            hs = self.synapse.url,
            bot = self.bot.user_id,
            password = password.display(),
            store = dir.join("matrix").display(),
            token = token.display(),
            app = self.sim.application_id(),
            api = self.sim.api_base(),
            ayse = self.ayse.user_id,
            secretariat_room = self.secretariat_room,
            role = self.secretariat_role,
            secretariat_channel = self.secretariat_channel,
        );
        for (pillar, (_, _, timezone, language)) in self.pillars.iter().zip(PILLARS) {
            text.push_str(&format!(
                "[[pillars]]\nid = \"{}\"\nname = \"{}\"\ntimezone = \"{timezone}\"\nlanguage = \"{language}\"\nmatrix_rooms = [\"{}\"]\ndiscord_channels = [\"{}\"]\n",
                pillar.id, pillar.name, pillar.matrix_room, pillar.discord_channel
            ));
        }
        let config = dir.join("magnet.toml");
        std::fs::write(&config, text)?;
        Ok(config)
    }
}
