//! Cutting a message that is too long for the target platform into parts that each fit,
//! at the most natural place, without leaving a code block open across parts.

use super::discord_blocks::is_language;

const FENCE: &str = "```";
/// What closes a code block cut in the middle; the next part reopens it.
const CLOSING_FENCE: &str = "\n```";
/// Below this limit there is no room to close and reopen code blocks; they are cut as text.
const MIN_LIMIT_FOR_FENCES: usize = 12;

/// Splits a message into parts of at most `limit` characters (chars, not bytes),
/// preferring paragraph breaks, then line breaks, then spaces; a word is cut only when it
/// alone is longer than a part can be. A part that ends inside a ``` code block closes
/// it and the next part reopens it with the same language. Empty input gives one empty
/// part.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    plan(text, limit)
        .into_iter()
        .map(|part| {
            let mut rendered = part.reopen.unwrap_or_default();
            rendered.push_str(part.body);
            if part.close {
                rendered.push_str(CLOSING_FENCE);
            }
            rendered
        })
        .collect()
}

/// One part: a slice of the original text, with the fence lines added around it.
#[derive(Debug)]
pub(super) struct Part<'t> {
    /// The fence line reopening a code block the previous part closed.
    pub(super) reopen: Option<String>,
    pub(super) body: &'t str,
    /// Whether the part closes a code block it ends inside of.
    pub(super) close: bool,
}

/// A closed code block in the text (byte offsets).
#[derive(Debug)]
struct Fence {
    open: usize,
    /// Where the code starts, after the language line if there is one.
    content: usize,
    close: usize,
    end: usize,
    language: String,
}

impl Fence {
    fn contains_cut(&self, at: usize) -> bool {
        self.content < at && at < self.close
    }

    /// Whether a part may end at `end` and the next start at `next` around this fence:
    /// not within its fence lines, and not so that a part is only a fence line.
    fn allows(&self, end: usize, next: usize) -> bool {
        let in_opening = |at: usize| self.open < at && at <= self.content;
        let at_closing = |at: usize| self.close <= at && at < self.end;
        !(in_opening(end) || in_opening(next) || (at_closing(end) && end != self.close) || at_closing(next))
    }
}

fn find_fences(text: &str) -> Vec<Fence> {
    let mut fences = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(FENCE) {
        let open = from + found;
        let after = open + FENCE.len();
        let line_end = text[after..].find('\n').map(|at| after + at);
        let (language, content) = match line_end {
            Some(newline) if is_language(&text[after..newline]) => (text[after..newline].to_string(), newline + 1),
            _ => (String::new(), after),
        };
        let Some(found_close) = text[content..].find(FENCE) else {
            break;
        };
        let close = content + found_close;
        fences.push(Fence {
            open,
            content,
            close,
            end: close + FENCE.len(),
            language,
        });
        from = close + FENCE.len();
    }
    fences
}

/// How strongly a cut is preferred, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    Paragraph,
    Line,
    Space,
}

#[derive(Debug, Clone, Copy)]
struct Cut {
    /// The part ends here…
    end: usize,
    /// …and the next starts here; what is between is the whitespace dropped at the cut.
    next: usize,
    kind: Break,
    /// Characters from the part's start to `end`.
    chars: usize,
}

/// The parts `text` is split into.
pub(super) fn plan(text: &str, limit: usize) -> Vec<Part<'_>> {
    let limit = limit.max(1);
    if text.chars().count() <= limit {
        return vec![Part {
            reopen: None,
            body: text,
            close: false,
        }];
    }
    let fences = if limit >= MIN_LIMIT_FOR_FENCES {
        find_fences(text)
    } else {
        Vec::new()
    };
    let mut parts = Vec::new();
    let mut start = 0;
    let mut reopen: Option<String> = None;
    while start < text.len() {
        let room = limit - reopen.as_deref().map_or(0, |fence| fence.chars().count());
        if text[start..].chars().count() <= room {
            parts.push(Part {
                reopen: reopen.take(),
                body: &text[start..],
                close: false,
            });
            break;
        }
        let mut cut = best_cut(text, start, room, &fences);
        let mut inside = fences.iter().find(|fence| fence.contains_cut(cut.end));
        if inside.is_some() && cut.chars + CLOSING_FENCE.len() > room {
            cut = best_cut(text, start, room - CLOSING_FENCE.len(), &fences);
            inside = fences.iter().find(|fence| fence.contains_cut(cut.end));
        }
        parts.push(Part {
            reopen: reopen.take(),
            body: &text[start..cut.end],
            close: inside.is_some(),
        });
        reopen = inside.map(|fence| reopening(&fence.language, limit));
        start = cut.next;
    }
    parts
}

/// The fence line that reopens a code block, without its language if that would leave
/// too little room for the code.
fn reopening(language: &str, limit: usize) -> String {
    let with_language = format!("{FENCE}{language}\n");
    let room_left = limit.saturating_sub(with_language.chars().count() + CLOSING_FENCE.len());
    if room_left >= limit / 2 {
        with_language
    } else {
        format!("{FENCE}\n")
    }
}

/// Where to end the part starting at `start` that may hold `room` characters.
fn best_cut(text: &str, start: usize, room: usize, fences: &[Fence]) -> Cut {
    let room = room.max(1);
    let allowed = |end: usize, next: usize| fences.iter().all(|fence| fence.allows(end, next));
    let mut candidates = Vec::new();
    let mut window_end = text.len();
    let mut run: Option<(usize, usize)> = None; // whitespace run: start byte, chars before it
    for (chars, (at, c)) in text[start..].char_indices().enumerate() {
        let at = start + at;
        if c.is_whitespace() {
            run.get_or_insert((at, chars));
        } else if let Some((run_start, run_chars)) = run.take() {
            let cut = cut_at_whitespace(text, run_start, at, run_chars);
            if cut.kind != Break::Space || run_start == start {
                // Also before the next word: for when the line break itself may not be cut
                // (it ends a fence's opening line), and so that a code line that cannot fit
                // in a part is cut in its indentation rather than in a word.
                candidates.push(Cut {
                    end: at,
                    next: at,
                    kind: Break::Space,
                    chars,
                });
            }
            candidates.push(cut);
        }
        if chars == room {
            window_end = at;
            break;
        }
    }
    if let Some((run_start, run_chars)) = run {
        // The window ends in whitespace: the run goes on past it, find where it stops.
        let run_end = text[run_start..]
            .find(|c: char| !c.is_whitespace())
            .map_or(text.len(), |at| run_start + at);
        candidates.push(cut_at_whitespace(text, run_start, run_end, run_chars));
    }
    candidates.retain(|cut| cut.end > start && allowed(cut.end, cut.next));

    // A break of a better kind wins if it still fills at least half the part.
    let fills_half = |cut: &&Cut| cut.chars * 2 >= room;
    for kind in [Break::Paragraph, Break::Line] {
        if let Some(cut) = candidates.iter().rev().filter(fills_half).find(|cut| cut.kind == kind) {
            return *cut;
        }
    }
    let line_break = candidates.iter().rev().find(|cut| cut.kind != Break::Space);
    let space = candidates
        .iter()
        .rev()
        .filter(fills_half)
        .find(|cut| cut.kind == Break::Space);
    let in_code = |cut: &Cut| fences.iter().any(|fence| fence.contains_cut(cut.end));
    match (space, line_break) {
        // A code line cut in two may change what the code says; a shorter part is better.
        (Some(space), Some(line_break)) if in_code(space) => return *line_break,
        (Some(space), _) => return *space,
        _ => {}
    }
    if let Some(cut) = candidates.iter().max_by_key(|cut| cut.end) {
        return *cut;
    }
    hard_cut(text, start, window_end, &allowed)
}

/// The cut at a whitespace run from `run_start` to `run_end`: at a line break the
/// indentation of the next line stays with it (it matters in code).
fn cut_at_whitespace(text: &str, run_start: usize, run_end: usize, chars: usize) -> Cut {
    let run = &text[run_start..run_end];
    let newlines = run.matches('\n').count();
    let (kind, next) = match newlines {
        0 => (Break::Space, run_end),
        1 => (Break::Line, run_start + run.rfind('\n').map_or(0, |at| at + 1)),
        _ => (Break::Paragraph, run_start + run.rfind('\n').map_or(0, |at| at + 1)),
    };
    Cut {
        end: run_start,
        next,
        kind,
        chars,
    }
}

/// A cut in the middle of a word: as late as allowed, at a character boundary.
fn hard_cut(text: &str, start: usize, window_end: usize, allowed: &dyn Fn(usize, usize) -> bool) -> Cut {
    let boundaries: Vec<usize> = text[start..window_end]
        .char_indices()
        .map(|(at, _)| start + at)
        .chain([window_end])
        .filter(|at| *at > start)
        .collect();
    let end = boundaries
        .iter()
        .rev()
        .copied()
        .find(|at| allowed(*at, *at))
        .unwrap_or(window_end);
    Cut {
        end,
        next: end,
        kind: Break::Space,
        chars: text[start..end].chars().count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_empty_messages_are_one_part() {
        assert_eq!(split("", 10), vec![""]);
        assert_eq!(split("hello", 5), vec!["hello"]);
    }

    #[test]
    fn paragraphs_are_preferred_over_lines_and_spaces() {
        let text = "first paragraph here\n\nsecond one\nwith lines";
        assert_eq!(split(text, 32), vec!["first paragraph here", "second one\nwith lines"]);
    }

    #[test]
    fn lines_are_preferred_over_spaces() {
        assert_eq!(split("aaa bbb\nccc ddd eee", 12), vec!["aaa bbb", "ccc ddd eee"]);
    }

    #[test]
    fn words_are_kept_whole() {
        assert_eq!(split("alpha beta gamma delta", 11), vec!["alpha beta", "gamma delta"]);
    }

    #[test]
    fn a_word_longer_than_the_limit_is_cut_at_char_boundaries() {
        assert_eq!(split("ééééééé", 3), vec!["ééé", "ééé", "é"]);
        assert_eq!(split("ab abcdefgh", 4), vec!["ab", "abcd", "efgh"]);
    }

    #[test]
    fn a_tiny_early_break_is_not_taken() {
        assert_eq!(split("a\n\nbbb ccc ddd eee", 12), vec!["a\n\nbbb ccc", "ddd eee"]);
    }

    #[test]
    fn code_blocks_are_closed_and_reopened() {
        let text = "intro\n```rust\nline one\nline two\nline three\n```\nend";
        let parts = split(text, 30);
        assert_eq!(
            parts,
            vec![
                "intro\n```rust\nline one\n```",
                "```rust\nline two\n```",
                "```rust\nline three\n```\nend"
            ]
        );
    }

    #[test]
    fn indentation_in_code_survives_a_cut() {
        let text = "```\nfn x() {\n    body();\n    more();\n}\n```";
        let parts = split(text, 24);
        assert_eq!(
            parts,
            vec![
                "```\nfn x() {\n```",
                "```\n    body();\n```",
                "```\n    more();\n}\n```"
            ]
        );
    }

    #[test]
    fn cuts_never_fall_inside_fence_lines() {
        let text = "aaaa ```py\nprint(1)\n```";
        for part in split(text, 14) {
            assert!(part.chars().count() <= 14, "{part:?}");
            assert_eq!(part.matches(FENCE).count() % 2, 0, "{part:?}");
        }
    }
}
