//! Numbers, dates, times and durations in a language's form. Separators, and weekday and
//! month names, come from the C library's locale data (`pure-rust-locales`; chrono's
//! `format_localized` for dates); the order of the parts is the catalogue's
//! (`format-date-time`, `format-date`), so that a translator decides it.

use chrono::{DateTime, TimeZone};
use fluent_bundle::FluentValue;

use super::Lang;
use crate::t;

/// A whole number with the language's digit grouping: `1,000` / `1.000`.
pub fn number(n: i64, lang: Lang) -> String {
    group(&n.unsigned_abs().to_string(), n < 0, lang)
}

/// A number with `decimals` digits after the point, in the language's form: `11.5` / `11,5`.
pub fn decimal(value: f64, decimals: usize, lang: Lang) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = group(
        whole,
        value < 0.0 && value.abs() >= 0.5 * 10f64.powi(-(decimals as i32)),
        lang,
    );
    if !fraction.is_empty() {
        out.push_str(decimal_point(lang));
        out.push_str(fraction);
    }
    out
}

/// How Fluent shows a number inside a message (its plural forms are chosen apart from this).
pub(super) fn number_value(value: &FluentValue<'_>, lang: Lang) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    let decimals = number.options.minimum_fraction_digits.unwrap_or(0);
    if decimals == 0 && number.value.fract() == 0.0 && number.value.abs() < 1e15 {
        Some(self::number(number.value as i64, lang))
    } else {
        Some(decimal(number.value, decimals.max(1), lang))
    }
}

fn group(digits: &str, negative: bool, lang: Lang) -> String {
    let locale = lang.locale();
    let separator = pure_rust_locales::locale_match!(locale => LC_NUMERIC::THOUSANDS_SEP);
    let sizes = pure_rust_locales::locale_match!(locale => LC_NUMERIC::GROUPING);
    let size = sizes.first().copied().filter(|s| *s > 0).unwrap_or(3) as usize;
    let mut out = String::with_capacity(digits.len() + digits.len() / size + 1);
    if negative {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(size) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

fn decimal_point(lang: Lang) -> &'static str {
    let locale = lang.locale();
    pure_rust_locales::locale_match!(locale => LC_NUMERIC::DECIMAL_POINT)
}

/// A date and time on the clock of `at`'s zone: `Tue 1 Dec 2026, 10:00` / `Sal 1 Ara 2026, 10:00`.
pub fn date_time<Z: TimeZone>(at: &DateTime<Z>, lang: Lang) -> String
where
    Z::Offset: std::fmt::Display,
{
    at.format_localized(&t!(lang, "format-date-time"), lang.locale())
        .to_string()
}

/// A date and time without the year (for a second clock on another day): `Tue 1 Dec 09:00`.
pub fn date_time_short<Z: TimeZone>(at: &DateTime<Z>, lang: Lang) -> String
where
    Z::Offset: std::fmt::Display,
{
    at.format_localized(&t!(lang, "format-date-time-short"), lang.locale())
        .to_string()
}

/// A time of day: `10:00`.
pub fn time<Z: TimeZone>(at: &DateTime<Z>, lang: Lang) -> String
where
    Z::Offset: std::fmt::Display,
{
    at.format_localized(&t!(lang, "format-time"), lang.locale()).to_string()
}

/// A file size as people read it: `12 bytes`, `3.4 KB`, `11.0 MB` / `12 bayt`, `3,4 KB`.
pub fn size(bytes: u64, lang: Lang) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b >= KB * KB => t!(lang, "size-mb", size = decimal(b as f64 / (KB * KB) as f64, 1, lang)),
        b if b >= KB => t!(lang, "size-kb", size = decimal(b as f64 / KB as f64, 1, lang)),
        b => t!(lang, "size-bytes", n = b as i64),
    }
}

/// A span of time as reminder offsets are written, in the language's units: `24h`, `3d`,
/// `1h30m`, `1m30s` / `24 sa`, `3 gün`, `1 sa 30 dk`. Days only from three whole days up
/// (people think of "48 hours" before a meeting), seconds only under an hour.
pub fn span(seconds: i64, lang: Lang) -> String {
    let seconds = seconds.max(0);
    let mut parts = Vec::new();
    if seconds % 60 != 0 && seconds < 3600 {
        if seconds >= 60 {
            parts.push(t!(lang, "span-minutes", n = seconds / 60));
        }
        parts.push(t!(lang, "span-seconds", n = seconds % 60));
    } else if seconds % 86_400 == 0 && seconds >= 3 * 86_400 {
        parts.push(t!(lang, "span-days", n = seconds / 86_400));
    } else {
        let minutes = seconds / 60;
        if minutes >= 60 {
            parts.push(t!(lang, "span-hours", n = minutes / 60));
        }
        if minutes % 60 != 0 || minutes == 0 {
            parts.push(t!(lang, "span-minutes", n = minutes % 60));
        }
    }
    parts.join(&t!(lang, "span-separator"))
}

/// Reminder offsets as a list: `24h, 1h` / `24 sa, 1 sa`; `none` / `yok`.
pub fn spans(offsets: &[i64], lang: Lang) -> String {
    if offsets.is_empty() {
        return t!(lang, "span-none");
    }
    let parts: Vec<String> = offsets.iter().map(|s| span(*s, lang)).collect();
    parts.join(&t!(lang, "span-list-separator"))
}
