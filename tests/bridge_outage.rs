//! When a platform is down or says no for a while, the bridge waits instead of throwing
//! messages away. A homeserver down for five minutes in the middle of a burst: every
//! message arrives afterwards, in order, none dead-lettered (an outage uses up no attempts),
//! and the outage shows in the log and in `/metrics` while it lasts. A Discord server that
//! refuses every relay for a while (as anti-spam limits do): the room pauses after a few
//! identical refusals instead of dead-lettering its whole queue, the secretariat is told
//! once, and `resume` sends everything, in order. Single refusals still dead-letter, and
//! `retry all` sends them again.

mod common;

use std::time::Duration;

use common::network::{Network, WAIT, eventually, relays, unthrottled};
use magnet_discord_sim::DiscordSim;
use magnet_testkit::SynapseServer;

/// How long the homeserver stays down (`MAGNET_TEST_OUTAGE_SECS` to try another by hand):
/// longer than any attempt budget (`max_attempts = 3` here, about 1.5 s of backoff) could
/// cover, and than the delivery backoff's cap.
fn outage() -> Duration {
    Duration::from_secs(
        std::env::var("MAGNET_TEST_OUTAGE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(300),
    )
}

/// The longest wait between two tries while a platform is down (the worker's cap): after
/// the homeserver is back, the rooms go on within this.
const OUTAGE_BACKOFF_CAP: Duration = Duration::from_secs(15);

async fn metric(addr: std::net::SocketAddr, name: &str) -> Option<i64> {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
}

async fn dead_letters(net: &Network) -> usize {
    let store = net.store().await;
    let dead = store.dead_letters(None).await.unwrap().len();
    store.close().await;
    dead
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_homeserver_down_for_five_minutes_mid_burst_loses_reorders_and_dead_letters_nothing() {
    let server = SynapseServer::start().await.unwrap();
    let net = Network::on(server.client(), unthrottled()).await;
    homeserver_down_mid_burst(server, net).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outage_with_the_database_on_postgresql() {
    let server = SynapseServer::start().await.unwrap();
    let url = magnet_testkit::postgres::fresh_database().await;
    let net = Network::on_synapse_and_postgres(server.client(), unthrottled(), url).await;
    homeserver_down_mid_burst(server, net).await;
}

async fn homeserver_down_mid_burst(mut server: SynapseServer, net: Network) {
    // Three attempts: before, a minute's outage dead-lettered the first message of a room.
    net.append_config("[bridge]\nmax_attempts = 3\n");
    let process = net.start();
    let addr = process.http_addr(WAIT).unwrap();
    let pillars = [
        (net.authorities_room.clone(), net.authorities_channel),
        (net.civil_room.clone(), net.civil_channel),
    ];
    for i in 0..10 {
        if i == 3 {
            eprintln!("taking the homeserver down for {:?}", outage());
            server.down();
        }
        for (p, (_, channel)) in pillars.iter().enumerate() {
            net.sim.post(*channel, net.bora, &format!("p{p}-{i}"));
        }
    }
    let waiting = eventually("the outage in /metrics", || async {
        metric(addr, "magnet_rooms_in_outage").await.filter(|n| *n >= 1)
    })
    .await;
    assert!(waiting >= 1);
    process.wait_for_log("the platform is not answering", WAIT).unwrap();
    tokio::time::sleep(outage()).await;
    assert_eq!(dead_letters(&net).await, 0, "nothing given up on during the outage");
    server.up().await.unwrap();
    eprintln!("the homeserver is back");

    for (p, (room, _)) in pillars.iter().enumerate() {
        let want: Vec<String> = (0..10).map(|i| format!("**Bora [Discord]**: p{p}-{i}")).collect();
        let got = magnet_testkit::wait::until(WAIT + OUTAGE_BACKOFF_CAP, || async {
            net.bot_bodies(room).await.filter(|got| got.len() >= want.len())
        })
        .await
        .unwrap_or_else(|| panic!("timed out waiting for pillar {p}'s messages on Matrix"));
        assert_eq!(got, want, "pillar {p}: each once, in order");
    }
    assert_eq!(dead_letters(&net).await, 0);
    eventually("the outage over in /metrics", || async {
        metric(addr, "magnet_rooms_in_outage").await.filter(|n| *n == 0)
    })
    .await;
    process.wait_for_log("the platform is answering again", WAIT).unwrap();
    process.stop(Duration::from_secs(30)).unwrap();
}

/// The bot's messages in a Discord channel that contain `words`.
fn bot_says(sim: &DiscordSim, channel: u64, words: &str) -> Vec<String> {
    sim.messages(channel)
        .into_iter()
        .filter(|m| m.author_id == sim.bot_user_id() && m.content.contains(words))
        .map(|m| m.content)
        .collect()
}

/// The secretary's text command in a Discord channel, and the bot's answer to it.
async fn command(net: &Network, channel: u64, text: &str) -> String {
    let asked = net.sim.post(channel, net.secretary, text);
    eventually(&format!("the answer to {text}"), || async {
        net.sim
            .messages(channel)
            .into_iter()
            .find(|m| m.reply_to == Some(asked) && m.author_id == net.sim.bot_user_id())
            .map(|m| m.content)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_refused_again_and_again_pauses_tells_the_secretariat_once_and_resumes_in_order() {
    refused_again_and_again(Network::new(unthrottled()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pause_with_the_database_on_postgresql() {
    let url = magnet_testkit::postgres::fresh_database().await;
    refused_again_and_again(Network::on_postgres(unthrottled(), url).await).await;
}

async fn refused_again_and_again(net: Network) {
    const BURST: usize = 200;
    // The secretariat's own rooms, where the bot tells it what needs its attention.
    let bot = net.bot_user_id.clone();
    let office_room = net.ayse.create_room("secretariat", &[&bot]).await.unwrap();
    let office_channel = net.sim.create_channel(net.guild, "secretariat");
    let config = std::fs::read_to_string(&net.config).unwrap();
    let config = config.replacen(
        "[secretariat]\n",
        &format!("[secretariat]\nmatrix_rooms = [\"{office_room}\"]\ndiscord_channels = [\"{office_channel}\"]\n"),
        1,
    );
    std::fs::write(&net.config, config).unwrap();
    let process = net.start();
    let (room, channel) = (net.authorities_room.clone(), net.authorities_channel);

    // Discord refuses every relay for a while.
    net.sim.fail_next("/webhooks/", 400, 1_000_000);
    for i in 0..BURST {
        net.ayse.send_text(&room, &format!("r-{i}")).await.unwrap();
    }
    let told = eventually("the secretariat told on Discord", || async {
        let told = bot_says(&net.sim, office_channel, "are paused");
        (!told.is_empty()).then_some(told)
    })
    .await;
    assert!(
        told[0].contains("authorities") && told[0].contains("/magnet resume authorities"),
        "{}",
        told[0]
    );
    let on_matrix = eventually("the secretariat told on Matrix", || async {
        let told: Vec<String> = net
            .bot_bodies(&office_room)
            .await?
            .into_iter()
            .filter(|b| b.contains("are paused"))
            .collect();
        (!told.is_empty()).then_some(told)
    })
    .await;
    assert!(on_matrix[0].contains("!magnet resume authorities"), "{}", on_matrix[0]);
    // Paused: nothing is dead-lettered, nothing more is tried, the queue waits in order
    // (the bot's own answers there too: the secretariat works from its own rooms).
    let status = command(&net, office_channel, "!magnet status authorities").await;
    assert!(status.contains("paused"), "{status}");
    assert_eq!(
        dead_letters(&net).await,
        0,
        "the refused run waits, it is not dead-lettered"
    );
    let refused = net
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.contains("/webhooks/") && r.status == 400)
        .count();
    assert_eq!(refused, 5, "five refusals in a row, then no more tries");
    assert!(relays(&net.sim, channel).is_empty());

    // Discord takes relays again; the secretariat resumes the room.
    net.sim.clear_failures();
    let answer = command(&net, office_channel, "!magnet resume authorities").await;
    assert!(answer.contains("go on"), "{answer}");
    let want: Vec<String> = (0..BURST).map(|i| format!("r-{i}")).collect();
    let got = eventually("every message on Discord", || async {
        let got: Vec<String> = relays(&net.sim, channel).into_iter().map(|m| m.content).collect();
        (got.len() >= BURST).then_some(got)
    })
    .await;
    assert_eq!(got, want, "each once, in order");
    assert_eq!(bot_says(&net.sim, office_channel, "are paused").len(), 1, "told once");

    // Refusals of different kinds are no run: each is a dead letter, and `retry all` sends
    // them all again, in order.
    net.sim.fail_next("/webhooks/", 403, 1);
    net.ayse.send_text(&room, "first refused").await.unwrap();
    eventually("the first dead letter", || async {
        (dead_letters(&net).await == 1).then_some(())
    })
    .await;
    net.sim.fail_next("/webhooks/", 413, 1);
    net.ayse.send_text(&room, "second refused").await.unwrap();
    eventually("the second dead letter", || async {
        (dead_letters(&net).await == 2).then_some(())
    })
    .await;
    let answer = command(&net, office_channel, "!magnet retry all authorities").await;
    assert!(
        answer.contains("2 failed deliveries of authorities are queued again"),
        "{answer}"
    );
    let got = eventually("the retried ones on Discord", || async {
        let got: Vec<String> = relays(&net.sim, channel).into_iter().map(|m| m.content).collect();
        (got.len() >= BURST + 2).then_some(got)
    })
    .await;
    assert_eq!(&got[BURST..], ["first refused", "second refused"]);
    process.stop(Duration::from_secs(30)).unwrap();
}
