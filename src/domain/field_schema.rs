//! The request fields' rules as the OpenAPI document states them, built from the constants
//! that hold each rule (`#[schema(schema_with = ...)]` on the request types). Free texts are
//! trimmed with Rust's `char::is_whitespace` before they are checked, so the patterns allow
//! that whitespace around the value and count the characters between. The schemathesis run
//! (scripts/schemathesis) checks both directions: values these schemas allow are accepted,
//! values they refuse are refused.

use serde_json::Value;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};

use super::{password, profile};

/// Unicode White_Space, which `str::trim` removes (a regular-expression class body).
const SPACE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// White space or a control character: what a trimmed value neither starts nor ends with.
const INVISIBLE: &str = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Control characters (`char::is_control`).
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

fn string(nullable: bool) -> ObjectBuilder {
    let kind = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new().schema_type(kind)
}

/// `profile::parse_name`: 1 to 200 characters after trimming, no control characters.
fn name(nullable: bool) -> RefOr<Schema> {
    let inner = profile::MAX_NAME_CHARS - 2;
    string(nullable)
        .pattern(Some(format!(
            "^[{SPACE}]*[^{INVISIBLE}]([^{CONTROL}]{{0,{inner}}}[^{INVISIBLE}])?[{SPACE}]*$"
        )))
        .description(Some(format!(
            "1 to {} characters (surrounding white space is removed), no control characters",
            profile::MAX_NAME_CHARS
        )))
        .examples(["Acme GmbH"])
        .into()
}

pub fn required_name() -> RefOr<Schema> {
    name(false)
}

pub fn optional_name() -> RefOr<Schema> {
    name(true)
}

/// `email::Email::parse`: one `@`, a dotted domain, no white space, control characters or
/// `<>(),;:\"[]`, at most 64 characters before the `@` and 254 in all, surrounding white space
/// included (maxLength counts the value as sent).
pub fn email() -> RefOr<Schema> {
    let plain = format!(r#"[^{INVISIBLE}<>(),;:\\"\[\]@]"#);
    let label = format!(r#"[^{INVISIBLE}<>(),;:\\"\[\]@.]+"#);
    string(false)
        .pattern(Some(format!(
            "^[{SPACE}]*{plain}{{1,64}}@{label}(\\.{label})+[{SPACE}]*$"
        )))
        .max_length(Some(254))
        .description(Some(
            "An email address like name@example.com: at most 64 characters before the @, 254 in all",
        ))
        .examples(["ada@example.org"])
        .into()
}

/// `password::Password::parse`: 12 to 1024 characters.
pub fn required_password() -> RefOr<Schema> {
    string(false)
        .min_length(Some(password::MIN_CHARS))
        .max_length(Some(password::MAX_CHARS))
        .description(Some(format!(
            "At least {} characters, at most {}; not your email address",
            password::MIN_CHARS,
            password::MAX_CHARS
        )))
        .into()
}

/// A nullable enum lists null among its values.
fn or_null<'a>(values: impl Iterator<Item = &'a str>) -> Vec<Value> {
    values.map(Value::from).chain([Value::Null]).collect()
}

/// `profile::parse_time_zone`: a name of the tz database GoGoTime was built with. An enum,
/// so that what the document allows is what the server accepts; a client generated from an
/// older document refuses a zone added since, which it could not have offered anyway.
pub fn time_zone() -> RefOr<Schema> {
    string(false)
        .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
        .description(Some("An IANA time zone name such as Europe/Berlin"))
        .examples(["Europe/Berlin"])
        .into()
}

/// [`time_zone`], or null: UTC on registration, unchanged on updates.
pub fn optional_time_zone() -> RefOr<Schema> {
    string(true)
        .enum_values(Some(or_null(
            chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()),
        )))
        .description(Some(
            "An IANA time zone name such as Europe/Berlin; null: UTC or unchanged",
        ))
        .into()
}

/// `profile::parse_currency`: an active ISO 4217 code.
pub fn optional_currency() -> RefOr<Schema> {
    string(true)
        .enum_values(Some(or_null(profile::CURRENCIES.split_whitespace())))
        .description(Some(
            "An ISO 4217 currency code such as EUR; null: unchanged",
        ))
        .into()
}

/// 1 to `max` ids (bulk operations).
pub fn ids(max: usize) -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        )
        .min_items(Some(1))
        .max_items(Some(max))
        .into()
}

/// `catalog::parse_color`: `#rrggbb`.
pub fn optional_color() -> RefOr<Schema> {
    string(true)
        .pattern(Some(format!("^[{SPACE}]*#[0-9A-Fa-f]{{6}}[{SPACE}]*$")))
        .examples(["#3b82f6"])
        .into()
}
