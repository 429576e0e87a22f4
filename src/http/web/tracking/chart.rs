//! A bar chart drawn on the server as SVG: no script, no library, readable by screen readers
//! through its label, and styled by the page's CSS (so dark mode applies).

use super::super::format;

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub label: String,
    pub value: String,
    pub label_x: i64,
    pub value_y: i64,
}

pub struct BarChart {
    pub width: i64,
    pub height: i64,
    pub baseline: i64,
    pub bars: Vec<Bar>,
    /// Values above the bars, when there is room for them.
    pub show_values: bool,
    /// The whole chart in words, for `aria-label`.
    pub summary: String,
}

const WIDTH: i64 = 560;
const HEIGHT: i64 = 200;
const TOP: i64 = 20;
const BOTTOM: i64 = 24;

/// Bars of durations (seconds) under their labels, scaled to the largest.
pub fn bars(title: &str, items: &[(String, i64)]) -> BarChart {
    let slot = WIDTH / items.len().max(1) as i64;
    let max = items.iter().map(|(_, s)| *s).max().unwrap_or(0).max(3600);
    let usable = HEIGHT - TOP - BOTTOM;
    let baseline = HEIGHT - BOTTOM;
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, seconds))| {
            let height = usable * seconds / max;
            let x = i as i64 * slot + slot / 6;
            Bar {
                x,
                y: baseline - height,
                width: slot * 2 / 3,
                height,
                label: label.clone(),
                value: format::hours_minutes(*seconds),
                label_x: i as i64 * slot + slot / 2,
                value_y: baseline - height - 5,
            }
        })
        .collect::<Vec<_>>();
    let summary = format!(
        "{title}: {}",
        bars.iter()
            .map(|b| format!("{} {}", b.label, b.value))
            .collect::<Vec<_>>()
            .join(", ")
    );
    BarChart {
        width: WIDTH,
        height: HEIGHT,
        baseline,
        show_values: bars.len() <= 12,
        bars,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_longest_day() {
        let chart = bars(
            "Hours",
            &[
                ("Mon".into(), 7200),
                ("Tue".into(), 3600),
                ("Wed".into(), 0),
            ],
        );
        assert_eq!(chart.bars[0].height, 156);
        assert_eq!(chart.bars[1].height, 78);
        assert_eq!(chart.bars[2].height, 0);
        assert_eq!(chart.summary, "Hours: Mon 2:00, Tue 1:00, Wed 0:00");
    }
}
