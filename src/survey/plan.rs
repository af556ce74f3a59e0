//! What a survey posts in a room, platform by platform. A single or multiple choice
//! question of a survey that is not anonymous is the platform's own poll where the
//! platform can hold it: on Matrix always (MSC3381 polls have a maximum of choices); on
//! Discord when the poll can stay open until the deadline (Discord polls last at most 32
//! days) and the maximum is one choice or all of them (Discord's polls know no other).
//! Everything else is asked in the survey's own message: on Discord with a menu per
//! choice or rating question and a button that opens a form for a text; on Matrix as text
//! to answer by command. Anonymous surveys never use polls: their voters are public.

use magnet_chat::Platform;

use super::spec::{Kind, Question};
use crate::bridge::Payload;
use crate::store::{PlannedPost, PostRow, QuestionRow, RoomRow};

/// The longest Discord lets a poll run.
pub const DISCORD_POLL_MAX_MS: i64 = 32 * 24 * 3_600_000;

/// The part of a post that is the survey's own message.
pub const OWN_MESSAGE: i64 = 0;

/// Whether a question is asked as a native poll on a platform.
pub fn as_poll(question: &Question, anonymous: bool, platform: Platform, open_for_ms: i64) -> bool {
    if anonymous || !question.kind.has_options() {
        return false;
    }
    match platform {
        Platform::Matrix => true,
        Platform::Discord => {
            open_for_ms <= DISCORD_POLL_MAX_MS
                && (question.kind == Kind::Choice || question.max_choices >= question.options.len())
        }
    }
}

/// The posts of a survey in these rooms: its own message first, then a poll per question
/// asked as one, in order.
pub fn posts(
    survey: i64,
    questions: &[QuestionRow],
    anonymous: bool,
    open_for_ms: i64,
    rooms: &[RoomRow],
) -> Vec<PlannedPost> {
    let mut planned = Vec::new();
    for room in rooms {
        for part in parts(questions, anonymous, room.platform, open_for_ms) {
            planned.push(PlannedPost {
                room_id: room.id,
                part,
                payload: Payload::SurveyPost { survey, part }.to_json(),
            });
        }
    }
    planned
}

/// What a survey's end posts in each of its rooms: the end of each of its polls there,
/// then `last` (its results, or the notice that it was cancelled).
pub fn ending(survey: i64, posts: &[PostRow], rooms: &[RoomRow], last: &Payload) -> Vec<PlannedPost> {
    let mut planned = Vec::new();
    for room in rooms {
        for post in posts.iter().filter(|p| p.room_id == room.id && p.part != OWN_MESSAGE) {
            planned.push(PlannedPost {
                room_id: room.id,
                part: post.part,
                payload: Payload::SurveyPollEnd {
                    survey,
                    part: post.part,
                }
                .to_json(),
            });
        }
        planned.push(PlannedPost {
            room_id: room.id,
            part: OWN_MESSAGE,
            payload: last.to_json(),
        });
    }
    planned
}

/// The parts posted on a platform: [`OWN_MESSAGE`], then the positions of the questions
/// that are polls there.
pub fn parts(questions: &[QuestionRow], anonymous: bool, platform: Platform, open_for_ms: i64) -> Vec<i64> {
    std::iter::once(OWN_MESSAGE)
        .chain(
            questions
                .iter()
                .filter(|q| as_poll(&q.question, anonymous, platform, open_for_ms))
                .map(|q| q.position),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: Kind, options: usize, max: usize) -> Question {
        Question {
            kind,
            prompt: "?".into(),
            options: (1..=options).map(|n| format!("option {n}")).collect(),
            max_choices: max,
        }
    }

    const DAY: i64 = 24 * 3_600_000;

    #[test]
    fn choices_are_native_polls_where_the_platform_can_hold_them() {
        let single = question(Kind::Choice, 3, 1);
        assert!(as_poll(&single, false, Platform::Matrix, 7 * DAY));
        assert!(as_poll(&single, false, Platform::Discord, 7 * DAY));
        assert!(
            !as_poll(&single, false, Platform::Discord, 40 * DAY),
            "a Discord poll ends after 32 days at most"
        );
        assert!(as_poll(&single, false, Platform::Matrix, 40 * DAY));
        let up_to_two = question(Kind::Multiple, 4, 2);
        assert!(as_poll(&up_to_two, false, Platform::Matrix, DAY));
        assert!(
            !as_poll(&up_to_two, false, Platform::Discord, DAY),
            "Discord polls cannot limit a multiple choice"
        );
        assert!(as_poll(&question(Kind::Multiple, 4, 4), false, Platform::Discord, DAY));
    }

    #[test]
    fn anonymous_surveys_ratings_and_texts_are_never_polls() {
        assert!(!as_poll(&question(Kind::Choice, 3, 1), true, Platform::Matrix, DAY));
        assert!(!as_poll(&question(Kind::Rating, 0, 1), false, Platform::Matrix, DAY));
        assert!(!as_poll(&question(Kind::Text, 0, 1), false, Platform::Discord, DAY));
    }

    #[test]
    fn each_room_gets_the_survey_message_then_its_polls() {
        let rows: Vec<QuestionRow> = [question(Kind::Choice, 2, 1), question(Kind::Rating, 0, 1)]
            .into_iter()
            .enumerate()
            .map(|(n, question)| QuestionRow {
                id: 10 + n as i64,
                survey_id: 3,
                position: n as i64 + 1,
                question,
            })
            .collect();
        assert_eq!(parts(&rows, false, Platform::Discord, DAY), vec![0, 1]);
        assert_eq!(parts(&rows, true, Platform::Discord, DAY), vec![0]);
        let room = |id, platform| RoomRow {
            id,
            platform,
            remote_id: id.to_string(),
            pillar_id: Some("authorities".into()),
            is_secretariat: false,
            active: true,
            direct_with: None,
        };
        let planned = posts(
            3,
            &rows,
            false,
            DAY,
            &[room(1, Platform::Matrix), room(2, Platform::Discord)],
        );
        let shape: Vec<(i64, i64)> = planned.iter().map(|p| (p.room_id, p.part)).collect();
        assert_eq!(shape, vec![(1, 0), (1, 1), (2, 0), (2, 1)]);
        assert_eq!(
            Payload::from_json(&planned[1].payload),
            Ok(Payload::SurveyPost { survey: 3, part: 1 })
        );
    }
}
