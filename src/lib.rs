//! GoGoTime: self-hostable team time tracking. The binary is a thin shell over this library so
//! that tests run the real application in-process on port 0.

pub mod allocator;
pub mod build_info;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod import;
pub mod lifecycle;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod release_version;
pub mod secret;
pub mod service;
pub mod startup;
pub mod telemetry;
