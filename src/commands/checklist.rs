//! The one-line-per-check report that `preflight` and `smoke` print: `✓` passed, `✗` failed (with
//! the fix on the same line), `!` passed with a warning, `–` not checked (and how to check it).
//! Lines go to standard output as soon as each check is done, so a slow check shows where it is.

use std::fmt::Display;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Checklist {
    passed: usize,
    failed: usize,
    warned: usize,
    skipped: usize,
}

/// Width of the check-name column.
const NAME_WIDTH: usize = 12;

impl Checklist {
    pub fn pass(&mut self, name: &str, detail: impl Display) {
        self.passed += 1;
        line('✓', name, &detail.to_string());
    }

    /// A check that failed; `fix` says what to do about it.
    pub fn fail(&mut self, name: &str, problem: impl Display, fix: impl Display) {
        self.failed += 1;
        line('✗', name, &format!("{problem} — fix: {fix}"));
    }

    /// A failure whose message already says what to do (configuration problems do).
    pub fn fail_as_stated(&mut self, name: &str, problem: impl Display) {
        self.failed += 1;
        line('✗', name, &problem.to_string());
    }

    /// Passed, but something deserves attention; does not fail the run.
    pub fn warn(&mut self, name: &str, detail: impl Display) {
        self.warned += 1;
        line('!', name, &detail.to_string());
    }

    pub fn skip(&mut self, name: &str, why: impl Display) {
        self.skipped += 1;
        line('–', name, &why.to_string());
    }

    pub fn failed(&self) -> bool {
        self.failed > 0
    }

    /// The closing line: counts of each kind.
    pub fn summary(&self, command: &str, took: Duration) -> String {
        let mut parts = vec![format!("{} passed", self.passed)];
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.warned > 0 {
            parts.push(format!("{} with warnings", self.warned));
        }
        if self.skipped > 0 {
            parts.push(format!("{} not checked", self.skipped));
        }
        format!(
            "{command}: {} ({:.1} s)",
            parts.join(", "),
            took.as_secs_f64()
        )
    }
}

fn line(mark: char, name: &str, text: &str) {
    println!("{mark} {name:<NAME_WIDTH$} {text}");
}

/// "12 ms", "1.3 s": how long a step took, for the lines.
pub fn took(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}
