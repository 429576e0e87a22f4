//! iCalendar (RFC 5545) text: content lines ending in CRLF, folded at 75 octets, TEXT values
//! escaped. Pure functions; `calendar` fills them with entries.

use chrono::{DateTime, Utc};

/// A calendar being written; `finish` closes it.
pub struct Calendar {
    text: String,
}

/// One event: a finished time entry.
pub struct Event<'a> {
    /// Unique and stable: the entry id @ the server's host.
    pub uid: String,
    /// When the entry last changed.
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
}

impl Calendar {
    /// `name` is shown by calendar apps (the de-facto `X-WR-CALNAME`).
    pub fn new(product: &str, name: &str) -> Self {
        let mut calendar = Calendar {
            text: String::new(),
        };
        calendar.line("BEGIN:VCALENDAR");
        calendar.line(&format!("PRODID:{product}"));
        calendar.line("VERSION:2.0");
        calendar.line("CALSCALE:GREGORIAN");
        calendar.line("METHOD:PUBLISH");
        calendar.line(&format!("X-WR-CALNAME:{}", escape(name)));
        // RFC 7986: how often subscribers should fetch again
        calendar.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
        calendar
    }

    pub fn event(&mut self, event: &Event<'_>) {
        self.line("BEGIN:VEVENT");
        self.line(&format!("UID:{}", escape(&event.uid)));
        self.line(&format!("DTSTAMP:{}", utc(event.stamp)));
        self.line(&format!("LAST-MODIFIED:{}", utc(event.stamp)));
        self.line(&format!("DTSTART:{}", utc(event.start)));
        self.line(&format!("DTEND:{}", utc(event.end)));
        self.line(&format!("SUMMARY:{}", escape(event.summary)));
        if !event.description.is_empty() {
            self.line(&format!("DESCRIPTION:{}", escape(event.description)));
        }
        // time spent, not time blocked: free/busy lookups should not count it
        self.line("TRANSP:TRANSPARENT");
        self.line("END:VEVENT");
    }

    pub fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.text
    }

    /// Appends one content line, folded: no line longer than 75 octets, continuation lines
    /// start with a space, and a UTF-8 character is never split.
    fn line(&mut self, line: &str) {
        let mut octets = 0;
        for c in line.chars() {
            let size = c.len_utf8();
            if octets + size > 75 {
                self.text.push_str("\r\n ");
                octets = 1;
            }
            self.text.push(c);
            octets += size;
        }
        self.text.push_str("\r\n");
    }
}

/// A UTC date-time in the basic format: `20260329T003000Z`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslash, semicolon and comma escaped, newlines as `\n` (RFC 5545 §3.3.11);
/// other control characters are not allowed and are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(
            escape("a,b;c\\d\r\ne\nf\rg\u{7}"),
            "a\\,b\\;c\\\\d\\ne\\nf\\ng"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut calendar = Calendar {
            text: String::new(),
        };
        let long = format!("SUMMARY:{}", "ü".repeat(60));
        calendar.line(&long);
        let text = calendar.text;
        assert!(text.ends_with("\r\n"));
        for line in text.trim_end_matches("\r\n").split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert_eq!(text.replace("\r\n ", "").trim_end(), long);
    }
}
