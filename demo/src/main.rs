//! The README's first command (`scripts/demo`): magnet running on this machine between a
//! local Synapse and the Discord simulator, four pillars and the secretariat, and a short
//! conversation played through the real bot, printing what people on each side see.
//!
//! `scripts/demo` starts Synapse (installing it the first time) and builds the binaries;
//! this program builds the world, starts `magnet run`, plays the conversation, and stops
//! everything, or with `--keep-running` stays up for a person to join in.

mod world;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use magnet_discord_sim::{DiscordSim, SimConfig};
use magnet_testkit::Synapse;
use serde_json::{Value, json};
use world::World;

const WAIT: Duration = Duration::from_secs(60);

#[derive(Parser)]
#[command(about = "A local Synapse, the Discord simulator and magnet between them")]
struct Args {
    /// Stay up after the conversation, so a person can join in; stop with Ctrl-C.
    #[arg(long)]
    keep_running: bool,
    /// Where the bot's config, database and log go (emptied first).
    #[arg(long, default_value = "data/demo")]
    dir: PathBuf,
    /// The simulator's address (0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    discord_sim: std::net::SocketAddr,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let synapse = Synapse::from_env();
    let sim = DiscordSim::start_on(SimConfig::default(), args.discord_sim).await?;
    let world = World::build(synapse, sim).await?;

    let _ = std::fs::remove_dir_all(&args.dir);
    std::fs::create_dir_all(&args.dir)?;
    let dir = args.dir.canonicalize()?;
    let config = world.write_config(&dir)?;
    let log = dir.join("magnet.log");
    println!("Starting magnet (config {}, log {})", config.display(), log.display());
    let mut bot = Bot::start(&config, &log)?;
    bot.wait_for_log("bridge: delivering to matrix")?;
    bot.wait_for_log("bridge: delivering to discord")?;

    let played = play(&world).await;
    if let Err(error) = &played {
        println!(
            "\nThe conversation did not go through: {error:#}\n(see {})",
            log.display()
        );
    }
    if args.keep_running && played.is_ok() {
        keep_running(&world).await?;
    }
    bot.stop()?;
    println!("magnet stopped cleanly.");
    played
}

/// `magnet run` as a child process, its log in a file.
struct Bot {
    child: Child,
    log: PathBuf,
}

impl Bot {
    fn start(config: &std::path::Path, log: &std::path::Path) -> Result<Bot> {
        let binary = std::env::current_exe()?.with_file_name("magnet");
        let child = Command::new(&binary)
            .arg("--config")
            .arg(config)
            .arg("run")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log)?)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Bot {
            child,
            log: log.to_path_buf(),
        })
    }

    fn wait_for_log(&mut self, needle: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if std::fs::read_to_string(&self.log)?.contains(needle) {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("magnet exited ({status}); see {}", self.log.display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "magnet did not log `{needle}` within {WAIT:?}; see {}",
            self.log.display()
        )
    }

    fn stop(&mut self) -> Result<()> {
        // SAFETY: signalling our own child by its pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let status = self.child.wait()?;
        if !status.success() {
            bail!("magnet exited with {status}");
        }
        Ok(())
    }
}

fn matrix(room: &str, who: &str, text: &str) {
    println!("  [Matrix  #{room}] {who}: {text}");
}

fn discord(channel: &str, who: &str, text: &str) {
    println!("  [Discord #{channel}] {who}: {text}");
}

/// Re-checks until `check` gives a value, for up to a minute.
async fn seen<T, F, Fut>(what: &str, check: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    match magnet_testkit::wait::until(WAIT, check).await {
        Some(value) => Ok(value),
        None => bail!("{what} did not show within {WAIT:?}"),
    }
}

/// The bot's messages in a Matrix room, as a member sees them.
async fn relayed_on_matrix(world: &World, room: &str) -> Vec<Value> {
    world
        .jonas
        .recent_events(room, 50)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["sender"] == world.bot.user_id.as_str() && e["type"] == "m.room.message")
        .collect()
}

async fn play(world: &World) -> Result<()> {
    let pillar = &world.pillars[0];
    let (room, channel, name) = (&pillar.matrix_room, pillar.discord_channel, pillar.id);
    let sim = &world.sim;
    println!("\nThe {} pillar talks across Matrix and Discord:\n", pillar.name);

    let text = "Good morning! The **draft agenda** for Thursday is ready.";
    matrix(name, "Ayşe (secretariat)", text);
    let hello = world
        .ayse
        .send_event(
            room,
            "m.room.message",
            json!({"msgtype": "m.text", "body": "Good morning! The draft agenda for Thursday is ready.",
                "format": "org.matrix.custom.html",
                "formatted_body": "Good morning! The <strong>draft agenda</strong> for Thursday is ready."}),
        )
        .await?;
    let copy = seen("Ayşe's message on Discord", || async {
        sim.messages(channel)
            .into_iter()
            .find(|m| m.webhook && m.content.contains("agenda"))
    })
    .await?;
    discord(name, &copy.author_name, &copy.content);

    let text = "Thanks! Can we add *labour mobility*?";
    discord(name, "Bora", &format!("(replying to Ayşe) {text}"));
    let reply = sim.post_with(channel, world.bora, text, Some(copy.id), Vec::new());
    let on_matrix = seen("Bora's reply on Matrix", || async {
        relayed_on_matrix(world, room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.contains("labour")))
    })
    .await?;
    let replies_to_hello = on_matrix["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == hello.as_str();
    matrix(
        name,
        "magnet",
        &format!(
            "{}{}",
            if replies_to_hello {
                "(a reply to Ayşe's message) "
            } else {
                ""
            },
            on_matrix["content"]["body"].as_str().unwrap_or_default()
        ),
    );

    let edited = "Thanks! Can we add *labour mobility* and housing?";
    discord(name, "Bora", &format!("(edits the message) {edited}"));
    sim.edit(channel, reply, edited);
    let edit = seen("Bora's edit on Matrix", || async {
        relayed_on_matrix(world, room).await.into_iter().find(|e| {
            e["content"]["m.new_content"]["body"]
                .as_str()
                .is_some_and(|b| b.contains("housing"))
        })
    })
    .await?;
    matrix(
        name,
        "magnet",
        &format!(
            "(edited) {}",
            edit["content"]["m.new_content"]["body"].as_str().unwrap_or_default()
        ),
    );

    matrix(name, "Jonas", "(reacts 👍 to Bora's message)");
    let bora_on_matrix = on_matrix["event_id"].as_str().unwrap_or_default().to_string();
    world
        .jonas
        .send_event(
            room,
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": bora_on_matrix, "key": "👍"}}),
        )
        .await?;
    seen("the reaction on Discord", || async {
        sim.messages(channel)
            .into_iter()
            .find(|m| m.id == reply && m.reactions.iter().any(|(emoji, _)| emoji == "👍"))
    })
    .await?;
    discord(name, "magnet", "👍 on Bora's message");

    discord(name, "Bora", "(uploads agenda-draft.txt)");
    sim.post_with(
        channel,
        world.bora,
        "",
        None,
        vec![(
            "agenda-draft.txt".into(),
            b"1. Opening\n2. Labour mobility\n3. Housing\n".to_vec(),
        )],
    );
    let file = seen("the file on Matrix", || async {
        relayed_on_matrix(world, room)
            .await
            .into_iter()
            .find(|e| e["content"]["msgtype"] == "m.file")
    })
    .await?;
    let bytes = match file["content"]["url"].as_str() {
        Some(url) => world.jonas.download_media(url).await?.len(),
        None => 0,
    };
    matrix(
        name,
        "magnet",
        &format!(
            "📎 {} ({bytes} bytes)",
            file["content"]["body"].as_str().unwrap_or_default()
        ),
    );

    matrix(name, "Ayşe (secretariat)", "!magnet status");
    let asked = world.ayse.send_text(room, "!magnet status").await?;
    let answer = seen("the answer to the command", || async {
        relayed_on_matrix(world, room)
            .await
            .into_iter()
            .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == asked.as_str())
    })
    .await?;
    for line in answer["content"]["body"].as_str().unwrap_or_default().lines() {
        matrix(name, "magnet", line);
    }

    meeting(world).await?;

    let other = &world.pillars[1];
    let leaked = sim.messages(other.discord_channel).len() + relayed_on_matrix(world, &other.matrix_room).await.len();
    println!(
        "\nThe {} pillar's rooms saw {leaked} of these messages: pillars stay apart.",
        other.name
    );
    Ok(())
}

/// Selin (secretariat) schedules a meeting with a Discord slash command; its reminder
/// reaches both platforms, in Turkish, the pillar's language; Bora answers with the
/// reminder's button, Jonas by command.
async fn meeting(world: &World) -> Result<()> {
    let pillar = &world.pillars[0];
    let (room, channel, name) = (&pillar.matrix_room, pillar.discord_channel, pillar.id);
    let sim = &world.sim;
    let zone: chrono_tz::Tz = pillar.timezone.parse()?;
    // A start 100 s away with a reminder 90 s before it, so the demo shows it at once.
    let start = (chrono::Utc::now() + chrono::Duration::seconds(100))
        .with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    println!("\nThe secretariat schedules a meeting:\n");
    let options = [
        ("pillar", name),
        ("title", "Thursday coordination"),
        ("start", start.as_str()),
        ("reminders", "90s"),
        ("agenda", "Labour mobility; housing"),
        ("place", "https://meet.example.org/magnet"),
    ];
    discord(
        name,
        "Selin (secretariat)",
        &format!("/magnet meeting add pillar:{name} title:Thursday coordination start:{start} reminders:90s …"),
    );
    let asked = seen("the slash commands registered", || async {
        sim.run_command(channel, world.selin, &["magnet", "meeting", "add"], &options)
            .ok()
    })
    .await?;
    let answer = private_answer(world, asked).await?;
    discord(name, "magnet (only Selin sees this)", &answer);
    let added = seen("the new meeting on Matrix", || async {
        relayed_on_matrix(world, room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.starts_with("📅")))
    })
    .await?;
    for line in added["content"]["body"].as_str().unwrap_or_default().lines() {
        matrix(name, "magnet", line);
    }

    println!("\nTen seconds later, the reminder on both platforms:\n");
    let reminder = seen("the reminder on Discord", || async {
        sim.messages(channel)
            .into_iter()
            .find(|m| !m.webhook && m.content.starts_with("⏰"))
    })
    .await?;
    let on_matrix = seen("the reminder on Matrix", || async {
        relayed_on_matrix(world, room)
            .await
            .into_iter()
            .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.starts_with("⏰")))
    })
    .await?;
    for line in reminder.content.lines() {
        discord(name, "magnet", line);
    }
    let buttons: Vec<String> = reminder.components[0]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["label"].as_str().map(|l| format!("[{l}]")))
        .collect();
    discord(name, "magnet", &format!("buttons: {}", buttons.join(" ")));
    for line in on_matrix["content"]["body"].as_str().unwrap_or_default().lines() {
        matrix(name, "magnet", line);
    }

    println!("\nAn answer from each side:\n");
    // Bora's Discord is in Turkish: the answer only he sees is too.
    sim.set_locale(world.bora, "tr");
    discord(
        name,
        "Bora",
        &format!(
            "(clicks {})",
            buttons.first().map_or("the first button", String::as_str)
        ),
    );
    let yes = reminder.components[0]["components"][0]["custom_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let click = sim
        .click(channel, reminder.id, world.bora, &yes)
        .map_err(|e| anyhow::anyhow!(e))?;
    discord(
        name,
        "magnet (only Bora sees this)",
        &private_answer(world, click).await?,
    );
    let meeting = added["content"]["body"]
        .as_str()
        .and_then(|b| b.split('#').nth(1))
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .filter(|number| !number.is_empty())
        .unwrap_or_else(|| "1".to_string());
    let command = format!("!magnet rsvp {meeting} maybe");
    matrix(name, "Jonas", &command);
    let asked = world.jonas.send_text(room, &command).await?;
    let answer = seen("the answer to Jonas", || async {
        relayed_on_matrix(world, room)
            .await
            .into_iter()
            .find(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == asked.as_str())
    })
    .await?;
    matrix(name, "magnet", answer["content"]["body"].as_str().unwrap_or_default());
    Ok(())
}

/// The private answer to an interaction once the bot has given it.
async fn private_answer(world: &World, interaction: u64) -> Result<String> {
    let view = world
        .sim
        .wait_for_interaction(interaction, WAIT, |v| {
            v.replies.iter().any(|r| !r.loading && r.ephemeral)
        })
        .await
        .ok_or_else(|| anyhow::anyhow!("no answer to the interaction within {WAIT:?}"))?;
    Ok(view
        .replies
        .iter()
        .find(|r| !r.loading && r.ephemeral)
        .map(|r| r.content.clone())
        .unwrap_or_default())
}

async fn keep_running(world: &World) -> Result<()> {
    let person = world.synapse.register_user("guest").await?;
    println!("\nStill running. Join in:");
    println!(
        "  Matrix: homeserver {}, log in as {} with password {}",
        world.synapse.url, person.user_id, person.password
    );
    for pillar in &world.pillars {
        world.ayse.invite(&pillar.matrix_room, &person.user_id).await?;
        println!(
            "    {}: Matrix room {} (you are invited), Discord channel {}",
            pillar.name, pillar.matrix_room, pillar.discord_channel
        );
    }
    println!(
        "  Discord (simulator): post as Bora with\n    curl -X POST {}/control/post -H 'content-type: application/json' \\\n      -d '{{\"channel\": \"{}\", \"user\": \"{}\", \"content\": \"hello from Discord\"}}'\n    and read a channel at {}/control/messages/{}",
        world.sim.base_url(),
        world.pillars[0].discord_channel,
        world.bora,
        world.sim.base_url(),
        world.pillars[0].discord_channel
    );
    println!("Stop with Ctrl-C.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
