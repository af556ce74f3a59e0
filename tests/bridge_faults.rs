//! The bridge when its peers misbehave: during a burst the homeserver restarts, the Discord
//! gateway connection is cut and later goes silent, and Discord answers 429 and 503 for a
//! while; nothing is lost or doubled. A delivery Discord refuses is dead-lettered, listed
//! and retried by the secretariat.
//! (Its own homeserver: restarting the shared one would disturb the other tests.)

mod common;

use std::time::Duration;

use common::network::{Network, WAIT, eventually, eventually_within, gateway_silence_found_out, relays};
use magnet_discord_sim::{Limits, SimConfig};
use magnet_testkit::SynapseServer;

const BURST: usize = 200;
/// The gateway's heartbeat interval in this test (Discord's is about 41 s). A silent gateway
/// is found out only by heartbeats, so the wait for what was posted meanwhile follows from
/// it: see `gateway_silence_found_out`.
const HEARTBEAT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_homeserver_a_dropped_gateway_and_429s_and_503s_lose_and_double_nothing() {
    let mut server = SynapseServer::start().await.unwrap();
    // Discord's own pacing (5 relays per 2 s per webhook) has its own test; the 429s here
    // are the injected ones.
    let limits = Limits {
        channel_messages: (1_000_000, Duration::from_secs(1)),
        webhook_executions: (1_000_000, Duration::from_secs(1)),
        global_per_second: 1_000_000,
        ..Limits::default()
    };
    let config = SimConfig {
        limits,
        heartbeat_interval: HEARTBEAT,
        ..SimConfig::default()
    };
    let net = Network::on(server.client(), config).await;
    let (sim, room, channel) = (&net.sim, net.authorities_room.clone(), net.authorities_channel);
    let process = net.start();

    for i in 0..BURST {
        match i {
            // Cut: the bot sees the connection end at once, and resumes.
            40 => {
                eprintln!("cutting the gateway connection");
                sim.drop_gateway();
            }
            80 => {
                sim.fail_next("/webhooks/", 429, 5);
                sim.fail_next("/webhooks/", 503, 5);
            }
            120 => {
                eprintln!("restarting the homeserver");
                server.restart().await.unwrap();
            }
            // Silent but open: only the heartbeats tell.
            160 => {
                eprintln!("silencing the gateway");
                sim.silence_gateway();
            }
            _ => {}
        }
        net.ayse.send_text(&room, &format!("m-{i}")).await.unwrap();
        sim.post(channel, net.bora, &format!("d-{i}"));
    }

    let want: Vec<String> = (0..BURST).map(|i| format!("m-{i}")).collect();
    let got = eventually("every Matrix message on Discord", || async {
        let got: Vec<String> = relays(sim, channel).into_iter().map(|m| m.content).collect();
        (got.len() >= BURST).then_some(got)
    })
    .await;
    assert_eq!(got, want, "each once, in order");
    let want: Vec<String> = (0..BURST).map(|i| format!("**Bora [Discord]**: d-{i}")).collect();
    // What was posted after the silence reaches the bot once it has found the silence out,
    // by the gateway's heartbeats; that began before this wait.
    let limit = WAIT + gateway_silence_found_out(HEARTBEAT);
    let got = eventually_within("every Discord message on Matrix", limit, || async {
        let got: Vec<String> = net
            .ayse
            .all_events(&room)
            .await
            .ok()?
            .into_iter()
            .filter(|e| e["sender"] == net.bot_user_id.as_str() && e["type"] == "m.room.message")
            .filter_map(|e| e["content"]["body"].as_str().map(str::to_string))
            .collect();
        (got.len() >= BURST).then_some(got)
    })
    .await;
    assert_eq!(got, want, "each once, in order");

    // Discord refuses a relay for good: it is dead-lettered, and the secretariat sees it
    // and sends it again.
    sim.fail_next("/webhooks/", 403, 1);
    net.ayse.send_text(&room, "refused once").await.unwrap();
    let asked = eventually("the failure listed", || async {
        let asked = sim.post(channel, net.secretary, "!magnet dead-letters");
        let answer = eventually("an answer", || async {
            sim.messages(channel)
                .into_iter()
                .find(|m| m.reply_to == Some(asked) && m.author_id == sim.bot_user_id())
        })
        .await;
        answer.content.contains("message to Discord").then_some(answer.content)
    })
    .await;
    let number: String = asked
        .split('#')
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!relays(sim, channel).iter().any(|m| m.content == "refused once"));
    let retry = sim.post(channel, net.secretary, &format!("!magnet retry {number}"));
    let answer = eventually("the retry answered", || async {
        sim.messages(channel)
            .into_iter()
            .find(|m| m.reply_to == Some(retry) && m.author_id == sim.bot_user_id())
    })
    .await;
    assert!(answer.content.contains("queued again"), "{}", answer.content);
    eventually("the retried relay", || async {
        relays(sim, channel).into_iter().find(|m| m.content == "refused once")
    })
    .await;
    process.stop(Duration::from_secs(30)).unwrap();
}
