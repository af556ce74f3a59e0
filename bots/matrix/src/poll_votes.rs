//! A poll's votes as the room records them: every response related to the poll, read with
//! the relations API, the last one of each person counting (MSC3381). The close of a survey
//! reads this, so a vote cast while the bot was away counts even when the room's reader
//! has not reached it yet.

use std::collections::HashMap;

use magnet_chat::{ChatError, EventKind};
use matrix_sdk::Room;
use matrix_sdk::room::{IncludeRelations, RelationsOptions};
use matrix_sdk::ruma::EventId;
use matrix_sdk::ruma::api::Direction;
use matrix_sdk::ruma::events::relation::RelationType;

use crate::convert::{Converted, MemberLookup, convert};
use crate::error;

/// Responses per page.
const PAGE: u32 = 100;

/// Who chose each of `answers` in `poll`, by each person's last response until `until_ms`.
pub async fn voters(
    room: &Room,
    poll: &str,
    answers: &[String],
    until_ms: i64,
    own_user: &str,
) -> Result<Vec<(String, Vec<String>)>, ChatError> {
    let poll_id = EventId::parse(poll).map_err(|e| ChatError::Permanent(format!("poll `{poll}`: {e}")))?;
    let mut responses = Vec::new();
    let mut from: Option<String> = None;
    loop {
        let options = RelationsOptions {
            from: from.clone(),
            dir: Direction::Backward,
            limit: Some(PAGE.into()),
            include_relations: IncludeRelations::RelationsOfType(RelationType::Reference),
            recurse: false,
        };
        let page = room
            .relations(poll_id.clone(), options)
            .await
            .map_err(|error| error::classify_send(&error))?;
        for event in &page.chunk {
            // A vote not readable yet leaves the list incomplete: better no list than one
            // that would take that vote back.
            if event.kind.is_utd() {
                return Err(ChatError::Transient(format!(
                    "a response to poll {poll} cannot be decrypted yet"
                )));
            }
            let Ok(raw) = serde_json::from_str::<serde_json::Value>(event.raw().json().get()) else {
                tracing::warn!(%poll, "matrix: a poll's related event is not JSON; skipped");
                continue;
            };
            if let Converted::Event(event) = convert(&raw, room.room_id().as_str(), own_user, &NoNames)
                && let EventKind::PollResponse { poll: of, answers } = event.kind
                && of == poll
            {
                responses.push(Response {
                    voter: event.sender.id,
                    at_ms: event.timestamp_ms,
                    answers,
                });
            }
        }
        match page.next_batch_token {
            Some(next) if from.as_ref() != Some(&next) => from = Some(next),
            _ => break,
        }
    }
    Ok(tally(responses, answers, until_ms))
}

/// One response to a poll, in the order the server gave them (newest first).
#[derive(Debug, Clone)]
struct Response {
    voter: String,
    at_ms: i64,
    answers: Vec<String>,
}

/// Each person's last response until `until_ms` (by server time; of two at the same
/// time, the one the server gave first, the later in the room), as voter lists per answer.
/// Answers the poll does not have are left out; a response left with none is no vote.
fn tally(responses: Vec<Response>, answers: &[String], until_ms: i64) -> Vec<(String, Vec<String>)> {
    let mut last: HashMap<String, Response> = HashMap::new();
    for response in responses.into_iter().filter(|r| r.at_ms <= until_ms) {
        match last.get(&response.voter) {
            Some(kept) if kept.at_ms >= response.at_ms => {}
            _ => {
                last.insert(response.voter.clone(), response);
            }
        }
    }
    answers
        .iter()
        .map(|answer| {
            let mut voters: Vec<String> = last
                .values()
                .filter(|r| r.answers.contains(answer))
                .map(|r| r.voter.clone())
                .collect();
            voters.sort();
            (answer.clone(), voters)
        })
        .collect()
}

/// Names do not matter for counting votes.
struct NoNames;

impl MemberLookup for NoNames {
    fn display_name(&self, _user_id: &str) -> Option<String> {
        None
    }
    fn avatar_url(&self, _user_id: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(voter: &str, at_ms: i64, answers: &[&str]) -> Response {
        Response {
            voter: voter.into(),
            at_ms,
            answers: answers.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn the_last_response_before_the_deadline_counts() {
        let ids: Vec<String> = ["1", "2", "3"].iter().map(|s| s.to_string()).collect();
        // Newest first, as the server pages backwards.
        let responses = vec![
            response("@late:x", 500, &["3"]),
            response("@ann:x", 300, &["2"]),
            response("@bob:x", 250, &[]),
            response("@ann:x", 100, &["1"]),
            response("@bob:x", 90, &["1"]),
            response("@late:x", 80, &["1", "9"]),
            response("@tie:x", 70, &["3"]),
            response("@tie:x", 70, &["2"]),
        ];
        let lists = tally(responses, &ids, 400);
        assert_eq!(
            lists,
            vec![
                ("1".to_string(), vec!["@late:x".to_string()]),
                ("2".to_string(), vec!["@ann:x".to_string()]),
                ("3".to_string(), vec!["@tie:x".to_string()]),
            ]
        );
    }
}
