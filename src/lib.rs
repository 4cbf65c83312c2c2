//! platform-tui: a terminal console for operating an AWS analytics platform.
//!
//! Layout: `aws` (UI-free service clients returning domain types), `sandbox` (local
//! platform), `config`/`theme` (user settings), `gate` (the one path of every mutating
//! action), `resources` (the registry of resource kinds), `app` (state and event loop),
//! `ui` (pure rendering of state).

pub mod airflow;
pub mod app;
pub mod aws;
pub mod bounded;
pub mod cli;
pub mod clients;
pub mod config;
pub mod errors;
pub mod gate;
pub mod kinds;
pub mod logs;
pub mod paths;
pub mod preview;
pub mod private_files;
pub mod sandbox;
pub mod sanitize;
pub mod script;
pub mod terraform;
pub mod theme;
pub mod triage;
pub mod ui;
pub mod views;
