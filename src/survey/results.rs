//! Counting a question's answers into one result: how many chose each option (a multiple
//! choice counts each option chosen; percentages are of the people who answered, so they
//! may add up to more than 100), the spread and mean of a rating, the texts of a free-text
//! question; and the bar drawn for a share.

use super::spec::{Answer, Kind, Question, RATING_MAX};

/// A question's answers, counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// People who answered the question.
    pub respondents: usize,
    /// Per option (choices) or per rating 1..=5; empty for texts.
    pub counts: Vec<usize>,
    /// The mean rating, for a rating question with answers.
    pub mean: Option<f64>,
    /// The texts, for a text question, in the order given.
    pub texts: Vec<String>,
}

impl Tally {
    /// The share of respondents behind `count`, from 0 to 1.
    pub fn share(&self, count: usize) -> f64 {
        if self.respondents == 0 {
            0.0
        } else {
            count as f64 / self.respondents as f64
        }
    }
}

/// Counts the answers to `question`. Answers that do not fit it (stored before a change,
/// or of another kind) are left out, not guessed at.
pub fn tally(question: &Question, answers: &[Answer]) -> Tally {
    let slots = match question.kind {
        Kind::Choice | Kind::Multiple => question.options.len(),
        Kind::Rating => RATING_MAX as usize,
        Kind::Text => 0,
    };
    let mut result = Tally {
        respondents: 0,
        counts: vec![0; slots],
        mean: None,
        texts: Vec::new(),
    };
    let mut rating_sum = 0u64;
    for answer in answers {
        match (question.kind, answer) {
            (Kind::Choice | Kind::Multiple, Answer::Choices(chosen))
                if !chosen.is_empty() && chosen.iter().all(|&n| n < slots) =>
            {
                result.respondents += 1;
                for &n in chosen {
                    result.counts[n] += 1;
                }
            }
            (Kind::Rating, Answer::Rating(n)) if (1..=RATING_MAX).contains(n) => {
                result.respondents += 1;
                result.counts[*n as usize - 1] += 1;
                rating_sum += u64::from(*n);
            }
            (Kind::Text, Answer::Text(text)) => {
                result.respondents += 1;
                result.texts.push(text.clone());
            }
            _ => {}
        }
    }
    if question.kind == Kind::Rating && result.respondents > 0 {
        result.mean = Some(rating_sum as f64 / result.respondents as f64);
    }
    result
}

/// A bar of `width` cells for a share from 0 to 1, in whole cells: `██████░░░░`.
pub fn bar(share: f64, width: usize) -> String {
    let filled = ((share.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// A percentage as shown: rounded to a whole number.
pub fn percent(share: f64) -> i64 {
    (share * 100.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: Kind, options: &[&str], max: usize) -> Question {
        Question {
            kind,
            prompt: "?".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            max_choices: max,
        }
    }

    #[test]
    fn choices_are_counted_per_option_of_the_people_who_answered() {
        let venue = question(Kind::Choice, &["Ankara", "İstanbul", "Online"], 1);
        let answers = [
            Answer::Choices(vec![0]),
            Answer::Choices(vec![2]),
            Answer::Choices(vec![0]),
            Answer::Choices(vec![0]),
        ];
        let result = tally(&venue, &answers);
        assert_eq!(result.respondents, 4);
        assert_eq!(result.counts, vec![3, 0, 1]);
        assert_eq!(percent(result.share(3)), 75);
        assert_eq!(bar(result.share(3), 10), "████████░░");
        assert_eq!(bar(result.share(0), 10), "░░░░░░░░░░");
    }

    #[test]
    fn a_multiple_choice_counts_each_option_chosen() {
        let topics = question(Kind::Multiple, &["Borders", "Housing", "Health"], 2);
        let result = tally(&topics, &[Answer::Choices(vec![0, 1]), Answer::Choices(vec![1])]);
        assert_eq!(result.respondents, 2);
        assert_eq!(result.counts, vec![1, 2, 0]);
        assert_eq!(percent(result.share(2)), 100);
    }

    #[test]
    fn ratings_have_a_spread_and_a_mean_and_texts_are_kept() {
        let rating = question(Kind::Rating, &[], 1);
        let result = tally(&rating, &[Answer::Rating(5), Answer::Rating(4), Answer::Rating(4)]);
        assert_eq!(result.counts, vec![0, 0, 0, 2, 1]);
        assert!((result.mean.unwrap() - 13.0 / 3.0).abs() < 1e-9);
        let text = question(Kind::Text, &[], 1);
        let result = tally(&text, &[Answer::Text("More time".into())]);
        assert_eq!((result.respondents, result.texts.len()), (1, 1));
        assert_eq!(tally(&rating, &[]).mean, None);
    }

    #[test]
    fn answers_that_do_not_fit_the_question_are_left_out() {
        let venue = question(Kind::Choice, &["Ankara", "Online"], 1);
        let result = tally(
            &venue,
            &[Answer::Choices(vec![5]), Answer::Rating(3), Answer::Choices(vec![])],
        );
        assert_eq!(result.respondents, 0);
        assert_eq!(result.share(0), 0.0);
    }
}
