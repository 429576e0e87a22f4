//! Pure types and rules of GoGoTime: no I/O, no framework types.

pub mod account;
pub mod calendar;
pub mod catalog;
pub mod duration;
pub mod email;
pub mod entries;
pub mod entry_filter;
pub mod field_schema;
pub mod formula;
pub mod ids;
pub mod money;
pub mod palette;
pub mod password;
pub mod period;
pub mod profile;
pub mod role;
pub mod sso;
pub mod sso_roles;
pub mod text;
pub mod totp;
