//! `.env.example` documents every variable GoGoTime reads, and nothing it does not.

use gogotime::config::KNOWN_VARIABLES;

#[test]
fn env_example_documents_every_known_variable() {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example")).unwrap();
    let documented: Vec<&str> = example
        .lines()
        .map(|l| l.trim_start_matches('#'))
        .filter_map(|l| l.split_once('=').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();

    for variable in KNOWN_VARIABLES {
        assert!(
            documented.contains(&variable.name),
            "{} is missing from .env.example",
            variable.name
        );
    }
    for name in &documented {
        assert!(
            KNOWN_VARIABLES.iter().any(|v| v.name == *name),
            ".env.example documents unknown {name}"
        );
    }
}
