//! Pure types and rules of GoGoTime: no I/O, no framework types.

pub mod ids;
