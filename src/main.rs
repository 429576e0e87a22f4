//! The `gogotime` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use gogotime::cli::Cli;

fn main() -> ExitCode {
    // before the runtime starts its threads; a refusal only costs memory, never correctness
    gogotime::allocator::return_large_blocks_to_the_system();
    gogotime::commands::run(Cli::parse())
}
