//! The project form's colour choice: the palette as radio swatches, plus a custom colour. A
//! form sends `color` (a palette colour, or `custom`) and `custom_color` (the colour input).

use crate::domain::palette::{self, PALETTE};
use crate::http::web::form::Fields;

pub struct SwatchOption {
    pub name: &'static str,
    pub hex: &'static str,
    pub checked: bool,
}

/// What the colour fieldset shows.
pub struct ColourChoice {
    pub swatches: Vec<SwatchOption>,
    /// The custom radio is checked: the colour is not a palette colour.
    pub custom: bool,
    /// The colour input's value (it shows the chosen colour even when that is a palette one).
    pub custom_value: String,
}

impl ColourChoice {
    /// The choice with `color` selected (`#rrggbb`, lower-case for a palette match).
    pub fn of(color: &str) -> Self {
        let named = palette::named(color);
        Self {
            swatches: PALETTE
                .iter()
                .map(|s| SwatchOption {
                    name: s.name,
                    hex: s.hex,
                    checked: Some(*s) == named,
                })
                .collect(),
            custom: named.is_none(),
            custom_value: color.to_string(),
        }
    }
}

/// The colour a project form chose; `None` when it sent none (the service then picks one from
/// the palette). A plain `color=#rrggbb` is taken as it is, as forms sent it before the palette.
pub fn chosen(fields: &Fields) -> Option<String> {
    match fields.non_empty("color") {
        Some("custom") => fields.non_empty("custom_color").map(str::to_lowercase),
        Some(color) => Some(color.to_lowercase()),
        None => None,
    }
}
