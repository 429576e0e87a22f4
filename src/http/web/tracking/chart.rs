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

/// One group's share of a report, as a row of the share chart: its full name as text (which
/// wraps, so no name is cut), a bar as long as its time relative to the longest, in its colour.
pub struct ShareBar {
    pub label: String,
    pub value: String,
    /// Percent of the longest group's time: the bar's width in a 0–100 viewBox.
    pub length: String,
    /// `#rrggbb` for a project; empty: the theme's bar colour.
    pub color: String,
}

/// Share bars for `(label, seconds, colour)` items, longest first as given.
pub fn share_bars(items: &[(String, i64, String)]) -> Vec<ShareBar> {
    let max = items.iter().map(|(_, s, _)| *s).max().unwrap_or(0).max(1);
    items
        .iter()
        .map(|(label, seconds, color)| ShareBar {
            label: label.clone(),
            value: format::hours_minutes(*seconds),
            length: format!("{:.1}", *seconds as f64 * 100.0 / max as f64),
            color: color.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_bars_keep_full_names_and_colours_and_scale_to_the_longest() {
        let long = "A project with a name far longer than any chart label could hold".to_string();
        let bars = share_bars(&[
            (long.clone(), 7200, "#237aed".into()),
            ("Internal".into(), 1800, String::new()),
        ]);
        assert_eq!(bars[0].label, long);
        assert_eq!(
            (bars[0].length.as_str(), bars[0].color.as_str()),
            ("100.0", "#237aed")
        );
        assert_eq!(
            (bars[1].length.as_str(), bars[1].value.as_str()),
            ("25.0", "0:30")
        );
    }

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
