//! The one integration-test binary: the real application over real HTTP, on SQLite files and
//! on a real PostgreSQL server (see helpers/postgres.rs for where that server comes from).

mod helpers;

mod access_matrix;
mod auth;
mod backup_restore;
mod catalog;
mod changelog;
mod cli;
mod config;
mod crash_drill;
mod credentials;
mod disk_full;
mod docs_commands;
mod entries;
mod env_example;
mod export_safety;
mod exports;
mod health;
mod hostile_text;
mod http_basics;
mod imports;
mod layering;
mod metrics;
mod metrics_product;
mod migrations;
mod nul_text;
mod openapi;
mod organizations;
mod postgres_faults;
mod postgres_tls;
mod preflight;
mod reports;
mod schema_lockstep;
mod secrets;
mod shutdown;
mod smoke;
mod soak;
mod tenant_scope;
mod transactions;
mod user_cli;
mod web_admin;
mod web_catalog;
mod web_edits;
mod web_reports;
mod web_tracking;
