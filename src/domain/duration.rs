//! How a duration reads: `h:mm`, cut to the minute (a total never shows more than was tracked),
//! or `h:mm:ss` for a running timer.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_cut_to_the_minute() {
        assert_eq!(hours_minutes(0), "0:00");
        assert_eq!(hours_minutes(3599), "0:59");
        assert_eq!(hours_minutes(26 * 3600 + 5 * 60), "26:05");
        assert_eq!(hours_minutes(-5), "0:00");
        assert_eq!(hours_minutes_seconds(3661), "1:01:01");
    }
}
