//! People's names as relays show them. A name is the one thing in a relay the sender picks
//! and the reader trusts, so it is cleaned before it is shown: no invisible or direction-
//! changing characters (80 zero-width spaces once pushed a platform marker out of sight;
//! a right-to-left override can make "Selin" read as anything), one space between words,
//! and a length that leaves room for the marker saying which platform the person is on.
//! The marker is never what gets cut.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Shown for a name with nothing visible in it.
const NOBODY: &str = "someone";

/// Combining marks kept on one letter: enough for any script's accents, too few to stack
/// into lines that cover the text around ("zalgo").
const MARKS_PER_LETTER: usize = 3;

/// The name cleaned, and at most `max_chars` long (an ellipsis marks a cut).
pub fn clean_name(raw: &str, max_chars: usize) -> String {
    let mut cleaned = String::with_capacity(raw.len());
    let mut space = false;
    let mut marks = 0;
    let mut visible = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if invisible(c) {
            continue;
        }
        if is_mark(c) {
            // Only on a letter of the name, and only a few.
            if cleaned.is_empty() || space || marks >= MARKS_PER_LETTER {
                continue;
            }
            marks += 1;
            cleaned.push(c);
            continue;
        }
        if space && !cleaned.is_empty() {
            cleaned.push(' ');
        }
        space = false;
        marks = 0;
        visible = true;
        cleaned.push(c);
    }
    if !visible {
        return NOBODY.into();
    }
    if cleaned.chars().count() <= max_chars {
        return cleaned;
    }
    let mut cut: String = cleaned.chars().take(max_chars.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// A name with its platform marker, at most `max_chars` in all: the name is shortened to
/// fit, never the marker.
pub fn marked_name(raw: &str, platform_label: &str, max_chars: usize) -> String {
    let marker = format!(" [{platform_label}]");
    let room = max_chars.saturating_sub(marker.chars().count()).max(1);
    format!("{}{marker}", clean_name(raw, room))
}

fn is_mark(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark | GeneralCategory::SpacingMark
    )
}

/// Characters that show nothing, or change how the text around them is shown: controls,
/// format characters (zero-width spaces and joiners, bidi embeddings, overrides and
/// isolates, the byte order mark, tags), and the fillers and blanks that render empty.
fn invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Unassigned
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || matches!(
        c,
        '\u{034F}' // combining grapheme joiner
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
            | '\u{2800}' // braille blank
            | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels, invisible
            | '\u{180B}'..='\u{180D}' // Mongolian variation selectors
            | '\u{FE00}'..='\u{FE0E}' // variation selectors (not FE0F, which makes emoji)
            | '\u{E0100}'..='\u{E01EF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_direction_characters_are_dropped() {
        assert_eq!(clean_name("Selin\u{200B}\u{200B}\u{200B}", 80), "Selin");
        assert_eq!(clean_name("\u{202E}nileS", 80), "nileS");
        assert_eq!(clean_name("Se\u{2066}lin\u{2069}", 80), "Selin");
        assert_eq!(clean_name("\u{FEFF}Bora\u{00AD}", 80), "Bora");
        assert_eq!(clean_name("\u{3164}\u{3164}", 80), "someone");
        assert_eq!(clean_name("Ayşe\nYılmaz\t  (UNHCR)", 80), "Ayşe Yılmaz (UNHCR)");
        assert_eq!(clean_name("  ", 80), "someone");
        // What people really write stays: letters of any script, emoji (with their joiners
        // gone a family shows as its members, which is still visible).
        assert_eq!(clean_name("Ömer 🇹🇷", 80), "Ömer 🇹🇷");
        assert_eq!(clean_name("محمد", 80), "محمد");
        assert_eq!(clean_name("❤️", 80), "❤️");
    }

    #[test]
    fn marks_stay_on_letters_and_do_not_stack() {
        // Accents of any script stay.
        assert_eq!(clean_name("Nguyễn", 80), "Nguyễn");
        assert_eq!(clean_name("Zoe\u{0308}", 80), "Zoe\u{0308}");
        // A pile of them is cut to a few per letter.
        let zalgo = format!("Se{}lin", "\u{0336}\u{0489}".repeat(40));
        let cleaned = clean_name(&zalgo, 80);
        assert_eq!(cleaned.chars().count(), "Selin".len() + MARKS_PER_LETTER, "{cleaned:?}");
        // Marks alone are no name.
        assert_eq!(clean_name("\u{0301}\u{0301}\u{0489}", 80), "someone");
        assert_eq!(clean_name("\u{17B4}\u{180B}", 80), "someone");
    }

    #[test]
    fn long_names_are_shortened_and_the_marker_always_shows() {
        let padded = format!("Selin{}", "\u{200B}".repeat(80));
        assert_eq!(marked_name(&padded, "Matrix", 80), "Selin [Matrix]");
        let long = "Ayşe ".repeat(30);
        let marked = marked_name(&long, "Matrix", 80);
        // Cut at 80, less a space that would stand before the ellipsis.
        assert!((79..=80).contains(&marked.chars().count()), "{marked}");
        assert!(marked.ends_with("… [Matrix]"), "{marked}");
        assert_eq!(marked_name("Bora", "Discord", 80), "Bora [Discord]");
    }
}
