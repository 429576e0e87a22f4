//! The project colour palette: twelve named colours, and which one a new project gets.
//!
//! Every colour has at least 3:1 contrast against each page background of both themes (WCAG 2.2
//! non-text contrast, https://www.w3.org/TR/WCAG22/#non-text-contrast): they all sit at a relative
//! luminance near 0.2, dark enough for the light theme and light enough for the dark one, and
//! differ by hue. The order puts far-apart hues next to each other, so the first few projects of
//! an organization look clearly different.

/// A palette colour with the name people and screen readers know it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swatch {
    pub name: &'static str,
    /// `#rrggbb`, lower-case, as projects store colours.
    pub hex: &'static str,
}

const fn swatch(name: &'static str, hex: &'static str) -> Swatch {
    Swatch { name, hex }
}

pub const PALETTE: [Swatch; 12] = [
    swatch("Blue", "#237aed"),
    swatch("Orange", "#d4550b"),
    swatch("Green", "#1f9032"),
    swatch("Magenta", "#cf34d4"),
    swatch("Teal", "#0b8c7b"),
    swatch("Red", "#e3423c"),
    swatch("Violet", "#9c5ee3"),
    swatch("Olive", "#72850f"),
    swatch("Cyan", "#0988a8"),
    swatch("Pink", "#e2358b"),
    swatch("Indigo", "#6971e5"),
    swatch("Amber", "#ae7004"),
];

/// The palette colour of `hex` (lower-case `#rrggbb`), if it is one.
pub fn named(hex: &str) -> Option<Swatch> {
    PALETTE.iter().copied().find(|s| s.hex == hex)
}

/// The colour a new project gets: the palette colour fewest of `used` (the colours of the
/// organization's projects) have, the earlier one on a tie, so an organization's projects go
/// round the palette in order and a deleted project's colour comes back first.
pub fn least_used<'a>(used: impl IntoIterator<Item = &'a str>) -> Swatch {
    let mut counts = [0usize; PALETTE.len()];
    for colour in used {
        if let Some(i) = PALETTE.iter().position(|s| s.hex == colour) {
            counts[i] += 1;
        }
    }
    let fewest = counts.iter().min().copied().unwrap_or(0);
    let first = counts.iter().position(|c| *c == fewest).unwrap_or(0);
    PALETTE[first]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(hex: &str, at: usize) -> f64 {
        let c = f64::from(u8::from_str_radix(&hex[at..at + 2], 16).unwrap()) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// https://www.w3.org/TR/WCAG22/#dfn-relative-luminance
    fn luminance(hex: &str) -> f64 {
        0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// Every value `static/app.css` gives the custom property `name`, light theme first.
    fn css_values(name: &str) -> Vec<String> {
        let css = include_str!("../../static/app.css");
        css.split(&format!("{name}:"))
            .skip(1)
            .map(|rest| rest.split(';').next().unwrap().trim().to_string())
            .collect()
    }

    #[test]
    fn every_colour_has_3_to_1_contrast_on_every_background_of_both_themes() {
        let mut backgrounds = Vec::new();
        for name in ["--bg", "--surface", "--row"] {
            let values = css_values(name);
            assert_eq!(values.len(), 2, "{name} has a light and a dark value");
            backgrounds.extend(values);
        }
        for s in PALETTE {
            for bg in &backgrounds {
                let ratio = contrast(s.hex, bg);
                assert!(ratio >= 3.0, "{} {} on {bg}: {ratio:.2}:1", s.name, s.hex);
            }
        }
    }

    #[test]
    fn colours_are_lower_case_hex_with_distinct_names_and_values() {
        for (i, s) in PALETTE.iter().enumerate() {
            assert_eq!(
                crate::domain::catalog::parse_color(s.hex).as_deref(),
                Ok(s.hex)
            );
            for other in &PALETTE[i + 1..] {
                assert_ne!(s.name, other.name);
                assert_ne!(s.hex, other.hex);
            }
        }
    }

    #[test]
    fn neighbours_in_the_palette_differ_clearly() {
        // the first projects take neighbouring colours: they must not look alike
        let rgb = |hex: &str| [1, 3, 5].map(|at| channel(hex, at));
        for pair in PALETTE.windows(2) {
            let (a, b) = (rgb(pair[0].hex), rgb(pair[1].hex));
            let distance = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!(
                distance > 0.3,
                "{} and {}: {distance:.2}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn new_projects_go_round_the_palette_in_order() {
        let mut used: Vec<&str> = Vec::new();
        for expected in PALETTE.iter().chain(PALETTE.iter()) {
            let next = least_used(used.iter().copied());
            assert_eq!(next, *expected);
            used.push(next.hex);
        }
    }

    #[test]
    fn the_least_used_colour_wins_and_ties_go_to_the_earlier_one() {
        assert_eq!(least_used([]), PALETTE[0]);
        // custom colours do not count
        assert_eq!(least_used(["#000000", "#ffffff"]), PALETTE[0]);
        let all_but_third: Vec<&str> = PALETTE
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, s)| s.hex)
            .collect();
        assert_eq!(least_used(all_but_third.iter().copied()), PALETTE[2]);
        let mut twice_first: Vec<&str> = PALETTE.iter().map(|s| s.hex).collect();
        twice_first.push(PALETTE[0].hex);
        twice_first.push(PALETTE[1].hex);
        assert_eq!(least_used(twice_first.iter().copied()), PALETTE[2]);
        assert_eq!(named("#0b8c7b").map(|s| s.name), Some("Teal"));
        assert_eq!(named("#3b82f6"), None);
    }
}
