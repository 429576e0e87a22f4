//! The summary report as an A4 PDF: a heading block (organization, range, time zone, rounding,
//! totals) and a table of groups and sub-groups with time (h:mm), amount and entries. Text is
//! set in the standard Helvetica fonts every PDF reader has, so no font file is embedded; they
//! cover Western European text (WinAnsiEncoding), other characters print as `?`.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::{decimal, hm};
use crate::service::reports::Summary;
use crate::service::reports::query::GroupBy;
use crate::service::reports::summary::Group;

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = WIDTH - 50.0;
const TOP: f32 = HEIGHT - 56.0;
/// Table rows stop here; the footer sits below.
const BOTTOM: f32 = 64.0;
const ROW: f32 = 15.0;
const SIZE: f32 = 10.0;
/// Right edges of the number columns: time, amount, entries.
const TIME_X: f32 = 390.0;
const AMOUNT_X: f32 = 475.0;
const ENTRIES_X: f32 = RIGHT;
const LABEL_WIDTH: f32 = 290.0;
const INDENT: f32 = 14.0;

const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

pub fn render(report: &Summary, organization: &str, now: DateTime<Utc>) -> Vec<u8> {
    let tz: Tz = report.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let mut doc = Layout::new();
    doc.text(BOLD, 18.0, LEFT, "Summary report");
    doc.y -= 26.0;
    for line in heading(report, organization) {
        doc.text(REGULAR, SIZE, LEFT, &line);
        doc.y -= ROW;
    }
    doc.y -= 8.0;
    table_head(&mut doc, &report.currency);
    for group in &report.groups {
        row(&mut doc, group, 0.0, BOLD, &report.currency);
        for sub in &group.subgroups {
            row(&mut doc, sub, INDENT, REGULAR, &report.currency);
        }
    }
    doc.rule();
    let totals = &report.totals;
    doc.text(BOLD, SIZE, LEFT, "Total");
    doc.right(BOLD, TIME_X, &hm(totals.seconds));
    doc.right(BOLD, AMOUNT_X, &decimal(totals.amount, &report.currency));
    doc.right(BOLD, ENTRIES_X, &totals.entries.to_string());
    let local = now.with_timezone(&tz);
    let generated = format!(
        "GoGoTime · {organization} · generated {} {}",
        local.format("%Y-%m-%d %H:%M"),
        report.time_zone
    );
    doc.finish(report, &generated, now)
}

fn heading(report: &Summary, organization: &str) -> Vec<String> {
    let rounding = report.rounding.describe();
    let grouping = match report.subgroup {
        Some(sub) => format!("{}, then {}", report.group.as_str(), sub.as_str()),
        None => report.group.as_str().to_string(),
    };
    let t = &report.totals;
    let mut lines = vec![
        format!("Organization: {organization}"),
        format!("Range: {} to {}", report.from, report.to),
        format!("Time zone: {}", report.time_zone),
        format!("Rounding: {rounding}"),
        format!("Grouped by: {grouping}"),
        format!(
            "Total: {} h, {} {}, {} entries",
            hm(t.seconds),
            decimal(t.amount, &report.currency),
            report.currency,
            t.entries
        ),
    ];
    if report.entries_count_under_each_tag {
        lines.push(
            "An entry with several tags counts under each of them: tags may add up to more than the total."
                .into(),
        );
    }
    if report.group.is_period() || report.subgroup.is_some_and(GroupBy::is_period) {
        lines.push("Entries crossing midnight are split between their days.".into());
    }
    lines
}

fn table_head(doc: &mut Layout, currency: &str) {
    doc.text(BOLD, SIZE, LEFT, "Group");
    doc.right(BOLD, TIME_X, "Time (h:mm)");
    doc.right(BOLD, AMOUNT_X, &format!("Amount ({currency})"));
    doc.right(BOLD, ENTRIES_X, "Entries");
    doc.y -= 5.0;
    doc.rule();
}

fn row(doc: &mut Layout, group: &Group, indent: f32, font: Name<'static>, currency: &str) {
    if doc.y < BOTTOM {
        doc.new_page();
        table_head(doc, currency);
    }
    let label = fit(font, &group.label, LABEL_WIDTH - indent);
    doc.text(font, SIZE, LEFT + indent, &label);
    doc.right(font, TIME_X, &hm(group.seconds));
    doc.right(font, AMOUNT_X, &decimal(group.amount, currency));
    doc.right(font, ENTRIES_X, &group.entries.to_string());
    doc.y -= ROW;
}

/// Pages of content, written top to bottom.
struct Layout {
    pages: Vec<Content>,
    /// The baseline of the next line on the current page.
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            pages: vec![Content::new()],
            y: TOP,
        }
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = TOP;
    }

    fn text(&mut self, font: Name<'static>, size: f32, x: f32, text: &str) {
        let y = self.y;
        let bytes = win_ansi(text);
        self.page()
            .begin_text()
            .set_font(font, size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    /// Text ending at `x`.
    fn right(&mut self, font: Name<'static>, x: f32, text: &str) {
        let width = text_width(font, text, SIZE);
        self.text(font, SIZE, x - width, text);
    }

    /// A thin line under the current row.
    fn rule(&mut self) {
        let y = self.y + ROW - 12.0;
        self.page()
            .set_line_width(0.5)
            .move_to(LEFT, y)
            .line_to(RIGHT, y)
            .stroke();
        self.y -= 6.0;
        if self.y < BOTTOM {
            self.new_page();
        }
        self.y -= 6.0;
    }

    fn finish(self, report: &Summary, footer: &str, now: DateTime<Utc>) -> Vec<u8> {
        let mut pdf = Pdf::new();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let (regular, bold, info) = (Ref::new(3), Ref::new(4), Ref::new(5));
        let count = self.pages.len();
        let page_ids: Vec<Ref> = (0..count as i32).map(|i| Ref::new(10 + 2 * i)).collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(count as i32);
        for (i, mut content) in self.pages.into_iter().enumerate() {
            let footer = format!("{footer} · page {} of {count}", i + 1);
            content
                .begin_text()
                .set_font(REGULAR, 8.0)
                .next_line(LEFT, 36.0)
                .show(Str(&win_ansi(&footer)))
                .end_text();
            let id = page_ids[i];
            let contents = Ref::new(id.get() + 1);
            let mut page = pdf.page(id);
            page.parent(tree)
                .media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
                .contents(contents);
            page.resources()
                .fonts()
                .pair(REGULAR, regular)
                .pair(BOLD, bold);
            page.finish();
            pdf.stream(contents, &content.finish());
        }
        for (id, name) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
            pdf.type1_font(id)
                .base_font(Name(name.as_bytes()))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        let title = format!(
            "Summary report {} to {} ({})",
            report.from, report.to, report.time_zone
        );
        pdf.document_info(info)
            .title(TextStr(&title))
            .producer(TextStr("GoGoTime"))
            .creation_date(
                Date::new(now.year() as u16)
                    .month(now.month() as u8)
                    .day(now.day() as u8)
                    .hour(now.hour() as u8)
                    .minute(now.minute() as u8)
                    .second(now.second() as u8)
                    .utc_offset_hour(0)
                    .utc_offset_minute(0),
            );
        pdf.finish()
    }
}

/// Text in WinAnsiEncoding (Windows-1252), the encoding of the standard fonts.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi_byte).collect()
}

fn win_ansi_byte(c: char) -> u8 {
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('\u{2018}', 0x91),
        ('\u{2019}', 0x92),
        ('\u{201C}', 0x93),
        ('\u{201D}', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    match c as u32 {
        0x20..=0x7E | 0xA0..=0xFF => c as u8,
        _ => HIGH.iter().find(|(h, _)| *h == c).map_or(b'?', |(_, b)| *b),
    }
}

/// Advance widths (1/1000 em) of ASCII 32–126, from the Adobe font metrics of Helvetica and
/// Helvetica-Bold.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// The width of `text` in points (characters outside ASCII counted as wide as a digit).
fn text_width(font: Name, text: &str, size: f32) -> f32 {
    let widths = if font == BOLD {
        &HELVETICA_BOLD
    } else {
        &HELVETICA
    };
    let units: u32 = text
        .chars()
        .map(|c| match c as u32 {
            code @ 32..=126 => u32::from(widths[(code - 32) as usize]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text`, cut with an ellipsis so it fits `width` points.
fn fit(font: Name, text: &str, width: f32) -> String {
    if text_width(font, text, SIZE) <= width {
        return text.to_string();
    }
    let mut cut = String::new();
    for c in text.chars() {
        cut.push(c);
        if text_width(font, &cut, SIZE) + text_width(font, "…", SIZE) > width {
            cut.pop();
            break;
        }
    }
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn western_text_is_encoded_and_the_rest_replaced() {
        assert_eq!(win_ansi("Müller – 5 €"), b"M\xfcller \x96 5 \x80".to_vec());
        assert_eq!(win_ansi("東京"), b"??".to_vec());
    }

    #[test]
    fn a_long_table_continues_on_further_pages_with_its_head() {
        use crate::service::reports::Totals;
        use crate::service::reports::rounding::Rounding;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let group = |i: i64| Group {
            key: None,
            label: format!("Project {i}"),
            color: None,
            seconds: 3600,
            amount: 100,
            entries: 1,
            subgroups: Vec::new(),
        };
        let report = Summary {
            from: day,
            to: day,
            time_zone: "UTC".into(),
            week_start: 1,
            group: GroupBy::Project,
            subgroup: None,
            rounding: Rounding::NONE,
            currency: "EUR".into(),
            entries_count_under_each_tag: false,
            totals: Totals {
                seconds: 120 * 3600,
                amount: 12000,
                entries: 120,
            },
            groups: (0..120).map(group).collect(),
        };
        let pdf = render(&report, "Acme", Utc::now());
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("(Project 119)"), "every group is written");
        assert!(text.contains("/Count 3"), "120 rows take three pages");
        assert_eq!(
            text.matches("(Time (h:mm))").count(),
            3,
            "each page has the head"
        );
    }

    #[test]
    fn long_labels_are_cut_to_fit() {
        let long = "A project with a very long name that goes on and on and on and on and on";
        for font in [REGULAR, BOLD] {
            let cut = fit(font, long, 150.0);
            assert!(cut.ends_with('…'), "{cut}");
            assert!(text_width(font, &cut, SIZE) <= 150.0, "{cut}");
            assert_eq!(fit(font, "Short", 150.0), "Short");
        }
    }
}
