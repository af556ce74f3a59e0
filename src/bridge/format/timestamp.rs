//! Discord timestamps (`<t:1700000000:R>`) as text a Matrix reader understands without a
//! Discord client to localise them: UTC, spelled out.

use chrono::DateTime;

/// The time `seconds` after the Unix epoch in Discord's display `style`, in UTC.
///
/// Date styles (`d`, `D`) give the date, the long time style (`T`) adds seconds, and every
/// other style, relative (`R`) included, gives date and minutes: a relative "in 2 hours"
/// would be wrong by the time anyone reads it. `None` when the time is out of range.
pub(super) fn format_timestamp(seconds: i64, style: Option<char>) -> Option<String> {
    let time = DateTime::from_timestamp(seconds, 0)?;
    let pattern = match style {
        Some('d' | 'D') => "%Y-%m-%d",
        Some('T') => "%Y-%m-%d %H:%M:%S UTC",
        _ => "%Y-%m-%d %H:%M UTC",
    };
    Some(time.format(pattern).to_string())
}

#[cfg(test)]
mod tests {
    use super::format_timestamp;

    #[test]
    fn default_and_relative_styles_show_date_and_minutes() {
        assert_eq!(format_timestamp(1_700_000_000, None).unwrap(), "2023-11-14 22:13 UTC");
        assert_eq!(
            format_timestamp(1_700_000_000, Some('R')).unwrap(),
            "2023-11-14 22:13 UTC"
        );
        assert_eq!(
            format_timestamp(1_700_000_000, Some('f')).unwrap(),
            "2023-11-14 22:13 UTC"
        );
    }

    #[test]
    fn date_styles_show_the_date_and_long_time_shows_seconds() {
        assert_eq!(format_timestamp(1_700_000_000, Some('d')).unwrap(), "2023-11-14");
        assert_eq!(format_timestamp(1_700_000_000, Some('D')).unwrap(), "2023-11-14");
        assert_eq!(
            format_timestamp(1_700_000_000, Some('T')).unwrap(),
            "2023-11-14 22:13:20 UTC"
        );
    }

    #[test]
    fn times_before_the_epoch_work_and_absurd_ones_do_not() {
        assert_eq!(format_timestamp(-86_400, None).unwrap(), "1969-12-31 00:00 UTC");
        assert_eq!(format_timestamp(i64::MAX, None), None);
    }
}
