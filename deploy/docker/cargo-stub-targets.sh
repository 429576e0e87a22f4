#!/usr/bin/env bash
# Creates placeholder sources for targets Cargo.toml declares, so cargo can read the manifest when
# the real files are absent: during the Dockerfile's dependency-only layer (`all`: src/main.rs,
# src/lib.rs and every declared target), and for the crate build (`unbuilt`: benches, tests and
# examples, which `cargo build --release` never compiles and .dockerignore keeps out of the context).
# Existing files are never touched.
set -euo pipefail
mode=${1:?usage: cargo-stub-targets.sh all|unbuilt}

stub() {
    [[ -e $1 ]] && return
    mkdir -p "$(dirname "$1")"
    echo 'fn main() {}' >"$1"
}

if [[ $mode == all ]]; then
    stub src/main.rs
    [[ -e src/lib.rs ]] || { mkdir -p src; : >src/lib.rs; }
fi

# [[bench]]/[[test]]/[[example]]/[[bin]] tables: explicit `path`, else cargo's default location
awk '
    function flush() { if (kind != "") print kind, name, path; kind = "" }
    /^\[\[(bench|test|example|bin)\]\]/ { flush(); kind = $0; gsub(/[][]/, "", kind); name = ""; path = ""; next }
    /^\[/ { flush(); next }
    kind != "" && /^[[:space:]]*name[[:space:]]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*/, "", v); name = v }
    kind != "" && /^[[:space:]]*path[[:space:]]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*/, "", v); path = v }
    END { flush() }
' Cargo.toml | while read -r kind name path; do
    case $kind in
        bench) default=benches/$name.rs ;;
        test) default=tests/$name.rs ;;
        example) default=examples/$name.rs ;;
        bin) [[ $mode == all ]] || continue; default=src/bin/$name.rs ;;
    esac
    stub "${path:-$default}"
done
