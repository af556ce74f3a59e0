//! The `magnet` binary with a Matrix room, killed with SIGKILL in the middle of a burst:
//! every message is committed exactly once, in order. Messages sent while it is stopped
//! arrive after it starts again.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{committed, kill_points, wait_for_committed};
use magnet::store::Store;
use magnet_chat::Platform;
use magnet_testkit::{MagnetProcess, MatrixUser, Synapse};

const BIN: &str = env!("CARGO_BIN_EXE_magnet");
const START: Duration = Duration::from_secs(60);

struct Bot {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Bot {
    fn new(synapse: &Synapse, bot: &MatrixUser, room: &str) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let password = dir.path().join("matrix-password");
        std::fs::write(&password, &bot.password).unwrap();
        let config = dir.path().join("magnet.toml");
        let text = format!(
            r#"
[database]
url = "sqlite://{db}"
[http]
listen = "127.0.0.1:0"
[matrix]
homeserver = "{hs}"
user_id = "{user}"
password_file = "{password}"
store_dir = "{store}"
[[pillars]]
id = "authorities"
name = "Migration authorities"
timezone = "Europe/Istanbul"
matrix_rooms = ["{room}"]
"#,
            db = dir.path().join("magnet.db").display(),
            hs = synapse.url,
            user = bot.user_id,
            password = password.display(),
            store = dir.path().join("matrix").display(),
        );
        std::fs::write(&config, text).unwrap();
        Bot { dir, config }
    }

    fn start(&self) -> MagnetProcess {
        let process = MagnetProcess::start(Path::new(BIN), &self.config, self.dir.path(), &[]).unwrap();
        process.wait_for_log("matrix: ready", START).unwrap();
        process
    }

    async fn store(&self) -> Store {
        Store::connect(
            &format!("sqlite://{}", self.dir.path().join("magnet.db").display()),
            None,
            1,
        )
        .await
        .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_mid_burst_loses_and_doubles_nothing() {
    let seed = common::seed();
    let (first_kill, second_kill) = kill_points(seed);
    eprintln!("kill schedule seed {seed} (MAGNET_TEST_SEED): SIGKILL after {first_kill} and {second_kill} committed");

    let synapse = Synapse::from_env();
    let bot_user = synapse.register_user("magnetbot").await.unwrap();
    let alice = synapse.register_user("alice").await.unwrap();
    let room = alice.create_room("authorities", &[&bot_user.user_id]).await.unwrap();
    let bot = Bot::new(&synapse, &bot_user, &room);
    let mut process = bot.start();
    let store = bot.store().await;

    let sender = {
        let alice = alice.clone();
        let room = room.clone();
        tokio::spawn(async move {
            let mut sent = Vec::new();
            for n in 0..300 {
                sent.push(alice.send_text(&room, &format!("burst {n}")).await.unwrap());
            }
            sent
        })
    };
    for kill_at in [first_kill, second_kill] {
        let seen = wait_for_committed(&store, Platform::Matrix, &room, kill_at, Duration::from_secs(60)).await;
        assert!(seen.len() >= kill_at, "only {} committed before the kill", seen.len());
        process.kill().unwrap();
        eprintln!(
            "killed with {} committed",
            committed(&store, Platform::Matrix, &room).await.len()
        );
        process = bot.start();
    }
    let sent = sender.await.unwrap();
    let got = wait_for_committed(&store, Platform::Matrix, &room, 300, Duration::from_secs(90)).await;
    assert_eq!(got.len(), 300, "seed {seed}: {} of 300 committed", got.len());
    assert_eq!(got, sent, "seed {seed}: every message once, in the order sent");

    // Stopped cleanly, 50 messages sent meanwhile arrive after the next start, in order.
    let status = process.stop(Duration::from_secs(30)).unwrap();
    assert!(status.success());
    let mut missed = Vec::new();
    for n in 0..50 {
        missed.push(alice.send_text(&room, &format!("while down {n}")).await.unwrap());
    }
    let process = bot.start();
    let got = wait_for_committed(&store, Platform::Matrix, &room, 350, Duration::from_secs(60)).await;
    assert_eq!(got.len(), 350);
    assert_eq!(&got[300..], &missed[..]);
    process.stop(Duration::from_secs(30)).unwrap();
}
