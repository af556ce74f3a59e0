//! The test harness itself works: two users registered on the real Synapse that
//! `scripts/test` started, one sends a message, the other receives it.

use std::time::Duration;

use magnet_testkit::Synapse;

#[tokio::test]
async fn two_users_on_the_real_synapse_exchange_a_message() {
    let synapse = Synapse::from_env();
    let alice = synapse.register_user("alice").await.unwrap();
    let bob = synapse.register_user("bob").await.unwrap();
    assert_ne!(alice.user_id, bob.user_id);

    let room = alice.create_room("harness smoke test", &[&bob.user_id]).await.unwrap();
    bob.join(&room).await.unwrap();
    let body = format!("hello from {} at {}", alice.user_id, rand_token());
    let sent = alice.send_text(&room, &body).await.unwrap();

    let received = bob
        .wait_for_message(&room, Duration::from_secs(30), |event| {
            event["content"]["body"] == body.as_str()
        })
        .await
        .unwrap();
    assert_eq!(received["event_id"], sent.as_str());
    assert_eq!(received["sender"], alice.user_id.as_str());
}

fn rand_token() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}
