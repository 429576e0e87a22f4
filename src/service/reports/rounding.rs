//! Rounding is a property of a report or an export, never of stored time: each entry's
//! duration is rounded on its own and totals are sums of the rounded entries.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    None,
    Up,
    Down,
    Nearest,
}

/// The steps a rounding may use, in minutes.
pub const STEPS: [i64; 7] = [1, 5, 6, 10, 15, 30, 60];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Rounding {
    pub mode: Mode,
    /// The step in minutes (irrelevant when `mode` is `none`).
    pub minutes: i64,
}

impl Rounding {
    pub const NONE: Rounding = Rounding {
        mode: Mode::None,
        minutes: 1,
    };

    pub fn parse(mode: &str, minutes: Option<&str>) -> Result<Self, (&'static str, String)> {
        let mode = match mode {
            "" | "none" => Mode::None,
            "up" => Mode::Up,
            "down" => Mode::Down,
            "nearest" => Mode::Nearest,
            other => {
                return Err((
                    "rounding",
                    format!("is '{other}'; use none, up, down or nearest"),
                ));
            }
        };
        let minutes = match minutes.filter(|m| !m.is_empty()) {
            None => 15,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|m| STEPS.contains(m))
                .ok_or_else(|| {
                    (
                        "rounding_minutes",
                        format!("is '{raw}'; use one of 1, 5, 6, 10, 15, 30 or 60"),
                    )
                })?,
        };
        Ok(Rounding {
            mode,
            minutes: if mode == Mode::None { 1 } else { minutes },
        })
    }

    /// The rounded duration of one entry, in seconds.
    /// In words, for the report's notes and the PDF: "each entry up to 15 minutes".
    pub fn describe(self) -> String {
        match self.mode {
            Mode::None => "none (time as tracked)".to_string(),
            Mode::Up => format!("each entry up to {} minutes", self.minutes),
            Mode::Down => format!("each entry down to {} minutes", self.minutes),
            Mode::Nearest => format!("each entry to the nearest {} minutes", self.minutes),
        }
    }

    /// The query parameters (`rounding`, `rounding_minutes`) that read back as this rounding;
    /// `None` for no rounding.
    pub fn as_params(self) -> Option<(&'static str, i64)> {
        let mode = match self.mode {
            Mode::None => return None,
            Mode::Up => "up",
            Mode::Down => "down",
            Mode::Nearest => "nearest",
        };
        Some((mode, self.minutes))
    }

    pub fn apply(self, seconds: i64) -> i64 {
        let step = self.minutes * 60;
        let seconds = seconds.max(0);
        match self.mode {
            Mode::None => seconds,
            Mode::Up => (seconds + step - 1) / step * step,
            Mode::Down => seconds / step * step,
            // half a step goes up, as on paper
            Mode::Nearest => (seconds + step / 2) / step * step,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(mode: &str, minutes: &str) -> Rounding {
        Rounding::parse(mode, Some(minutes)).unwrap()
    }

    #[test]
    fn every_mode_rounds_one_entry() {
        let s = 7 * 60 + 30; // 7:30
        assert_eq!(r("none", "15").apply(s), s);
        assert_eq!(r("up", "15").apply(s), 900);
        assert_eq!(r("down", "15").apply(s), 0);
        assert_eq!(r("nearest", "15").apply(s), 900, "half a step rounds up");
        assert_eq!(r("nearest", "15").apply(s - 1), 0);
        assert_eq!(r("up", "6").apply(361), 720);
        assert_eq!(r("up", "60").apply(3600), 3600, "exact values stay");
        assert_eq!(r("down", "1").apply(119), 60);
        assert_eq!(r("up", "5").apply(0), 0, "nothing stays nothing");
    }

    #[test]
    fn unknown_modes_and_steps_are_refused() {
        assert!(Rounding::parse("sideways", None).is_err());
        assert!(Rounding::parse("up", Some("7")).is_err());
        assert_eq!(Rounding::parse("up", None).unwrap().minutes, 15);
    }
}
