//! How a duration reads: `h:mm`, cut to the minute (a total never shows more than was tracked),
//! or `h:mm:ss` for a running timer and for an entry shorter than an hour.

/// `7:05` for 7 h 5 min 59 s.
pub fn hours_minutes(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// `7:05:09`.
pub fn hours_minutes_seconds(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!(
        "{}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// One entry's length: `0:00:20` while it is shorter than an hour (twenty seconds are not "0:00"),
/// `1:05` after.
pub fn entry_length(seconds: i64) -> String {
    if seconds < 3600 {
        hours_minutes_seconds(seconds)
    } else {
        hours_minutes(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_show_seconds_until_they_pass_an_hour() {
        assert_eq!(entry_length(20), "0:00:20");
        assert_eq!(entry_length(3599), "0:59:59");
        assert_eq!(entry_length(3600), "1:00");
        assert_eq!(entry_length(3661), "1:01");
    }

    #[test]
    fn durations_are_cut_to_the_minute() {
        assert_eq!(hours_minutes(0), "0:00");
        assert_eq!(hours_minutes(3599), "0:59");
        assert_eq!(hours_minutes(26 * 3600 + 5 * 60), "26:05");
        assert_eq!(hours_minutes(-5), "0:00");
        assert_eq!(hours_minutes_seconds(3661), "1:01:01");
    }
}
