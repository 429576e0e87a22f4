//! The `gogotime` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use gogotime::cli::Cli;

fn main() -> ExitCode {
    gogotime::commands::run(Cli::parse())
}
