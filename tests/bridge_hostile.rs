//! Hostile input through the real bot, both ways: mention injection in names and text,
//! HTML and script injection, markdown that tries to leave code blocks, zero-width and
//! right-to-left characters, very long and empty messages, file names with path
//! separators. Nothing pings, nothing executes, nothing crashes, and the text survives.

mod common;

use std::time::Duration;

use common::network::{Network, WAIT, eventually, relays};
use magnet_discord_sim::{Limits, SimConfig};
use serde_json::{Value, json};

/// What people type. Each is sent with a tag in front so its relay can be found.
fn corpus() -> Vec<String> {
    let mut inputs: Vec<String> = [
        "@everyone meeting now",
        "@here please read",
        "@room wake up",
        "<@&123456789012345678> role ping",
        "<@123456789012345678> user ping",
        "<#123456789012345678> channel link",
        "<t:1700000000:R> timestamp",
        "<:custom:123456789012345678> emoji",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "``` end the block ``` @everyone",
        "`code` with ``` inside",
        "```\nunclosed fence @here",
        "**unbalanced bold",
        "||spoiler|| and __underline__ and ~~strike~~",
        "> quote\n>>> deep quote",
        "# heading @everyone",
        "zero\u{200b}width\u{200b}@\u{200b}everyone",
        "right-to-left \u{202e}txt.exe",
        "emoji 👍🏽 and combining é",
        "&lt;b&gt;entity&lt;/b&gt; &amp; friends",
        "\\*escaped\\* \\@everyone",
        "line one\nline two\n\nparagraph",
        "https://example.org/a_b_c?x=1&y=<2>",
        "mailto:someone@example.org",
        "@everyone@here@room",
        "a\u{0}null byte",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.push(format!("{}{}", "nested ".repeat(5), "*".repeat(300)));
    inputs.push(format!("{} deep", ">".repeat(300)));
    inputs.push(format!("long {}", "word ".repeat(800)));
    inputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_pings_nobody_executes_nothing_and_survives() {
    let limits = Limits {
        channel_messages: (1_000_000, Duration::from_secs(1)),
        webhook_executions: (1_000_000, Duration::from_secs(1)),
        global_per_second: 1_000_000,
        ..Limits::default()
    };
    let net = Network::new(SimConfig {
        limits,
        ..SimConfig::default()
    })
    .await;
    let process = net.start();
    let (sim, room, channel) = (&net.sim, net.authorities_room.as_str(), net.authorities_channel);
    let corpus = corpus();
    assert!(corpus.len() >= 30);

    for (n, text) in corpus.iter().enumerate() {
        // From Matrix, as plain text and (for half of them) with the HTML a client sends for
        // typed text: escaped, line breaks as <br>.
        let tagged = format!("H{n} {text}");
        let mut content = json!({"msgtype": "m.text", "body": tagged});
        if n % 2 == 0 {
            let escaped = tagged
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('\n', "<br>");
            content["format"] = json!("org.matrix.custom.html");
            content["formatted_body"] = json!(escaped);
        }
        net.ayse.send_event(room, "m.room.message", content).await.unwrap();
        sim.post(channel, net.bora, &format!("D{n} {text}"));
    }
    // HTML that tries to run something, from a client that sends what it likes.
    for (n, html) in ["<script>alert(1)</script>shown", "<img src=x onerror=alert(1)>shown"]
        .iter()
        .enumerate()
    {
        let content = json!({"msgtype": "m.text", "body": format!("X{n} shown"),
            "format": "org.matrix.custom.html", "formatted_body": format!("X{n} {html}")});
        net.ayse.send_event(room, "m.room.message", content).await.unwrap();
    }
    // An empty message and a file whose name climbs out of its folder.
    sim.post(channel, net.bora, "");
    sim.post_with(
        channel,
        net.bora,
        "D-file",
        None,
        vec![("../../etc/passwd".into(), b"not really".to_vec())],
    );

    // Discord side: every Matrix message arrived, pinging nobody.
    let missing_on_discord = || {
        let got = relays(sim, channel);
        let mut missing: Vec<String> = (0..corpus.len())
            .map(|n| format!("H{n} "))
            .chain(["X0".to_string(), "X1".to_string()])
            .filter(|tag| {
                !got.iter().any(|m| {
                    m.content.starts_with(tag.as_str()) && (tag.starts_with('H') || m.content.ends_with("shown"))
                })
            })
            .collect();
        missing.sort();
        missing
    };
    let complete = magnet_testkit::wait::until(WAIT, || async { missing_on_discord().is_empty().then_some(()) });
    if complete.await.is_none() {
        let shown: Vec<String> = relays(sim, channel)
            .into_iter()
            .map(|m| m.content.chars().take(60).collect())
            .collect();
        panic!("missing on Discord: {:?}; relays: {shown:#?}", missing_on_discord());
    }
    let on_discord = relays(sim, channel);
    for message in &on_discord {
        assert!(!message.mention_everyone, "pinged everyone: {:?}", message.content);
        assert!(message.mentions.is_empty(), "pinged someone: {:?}", message.content);
        assert!(message.mention_roles.is_empty(), "pinged a role: {:?}", message.content);
        assert!(message.content.chars().count() <= 2000);
        for needle in ["@everyone", "@here"] {
            assert!(
                !message.content.contains(needle),
                "a live {needle}: {:?}",
                message.content
            );
        }
    }
    let survived = |tag: &str, words: &[&str]| {
        let found = on_discord.iter().find(|m| m.content.starts_with(tag)).unwrap();
        for word in words {
            assert!(found.content.contains(word), "{word} lost in {:?}", found.content);
        }
    };
    survived("H0 ", &["meeting", "now"]);
    survived("H8 ", &["script", "alert"]);
    survived("H24 ", &["line one\nline two"]);
    survived("H16 ", &["spoiler", "underline", "strike"]);

    // Matrix side: every Discord message arrived, nothing executable, no room ping.
    let on_matrix: Vec<Value> = eventually("the corpus on Matrix", || async {
        let got = net
            .ayse
            .all_events(room)
            .await
            .ok()?
            .into_iter()
            .filter(|e| e["sender"] == net.bot_user_id.as_str() && e["type"] == "m.room.message")
            .collect::<Vec<_>>();
        let tags = (0..corpus.len())
            .filter(|n| {
                got.iter().any(|e| {
                    e["content"]["body"]
                        .as_str()
                        .is_some_and(|b| b.contains(&format!("D{n} ")))
                })
            })
            .count();
        let file = got.iter().any(|e| e["content"]["msgtype"] == "m.file");
        (tags == corpus.len() && file).then_some(got)
    })
    .await;
    for event in &on_matrix {
        let body = event["content"]["body"].as_str().unwrap_or_default();
        let html = event["content"]["formatted_body"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        assert!(!body.contains("@room"), "a live @room: {body:?}");
        assert_inert(&html);
        assert_eq!(event["content"]["m.mentions"], json!({}), "the bot mentions nobody");
    }
    let file = on_matrix.iter().find(|e| e["content"]["msgtype"] == "m.file").unwrap();
    let name = file["content"]["body"].as_str().unwrap();
    assert!(!name.contains('/') && name.contains("passwd"), "{name}");
    let script = on_matrix
        .iter()
        .find(|e| e["content"]["body"].as_str().is_some_and(|b| b.contains("D8 ")))
        .unwrap();
    assert!(
        script["content"]["body"]
            .as_str()
            .unwrap()
            .contains("<script>alert(1)</script>")
    );

    let status = process.stop(Duration::from_secs(30)).unwrap();
    assert!(status.success(), "the bot is still well");
}

/// Every tag in Matrix HTML is one clients render harmlessly: a formatting tag, with no
/// event handler and no script link. (Escaped text, `&lt;img …&gt;`, is not a tag.)
fn assert_inert(html: &str) {
    const ALLOWED: &[&str] = &[
        "strong",
        "b",
        "em",
        "i",
        "u",
        "del",
        "s",
        "strike",
        "span",
        "code",
        "pre",
        "blockquote",
        "br",
        "p",
        "a",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "sub",
        "sup",
        "hr",
        "font",
        "div",
        "details",
        "summary",
    ];
    for tag in html.split('<').skip(1) {
        let inside = tag.split('>').next().unwrap_or_default();
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(ALLOWED.contains(&name.as_str()), "a <{name}> tag in {html:?}");
        let attributes = inside.to_lowercase();
        assert!(!attributes.contains(" on"), "an event handler in <{inside}>");
        assert!(!attributes.contains("javascript:"), "a script link in <{inside}>");
    }
}
