# Task runner for the common loops. Every recipe is one command that README.md or CONTRIBUTING.md
# gives, spelled the same (tests/it/docs_commands.rs checks both), so nothing is defined twice:
# the scripts stay the one home of what a loop does. `make` or `make help` lists the targets.

.DEFAULT_GOAL := help
.PHONY: help run watch test-fast test-rust test test-no-deploy test-deploy lint fmt bench image \
	dev-up dev-down prod-up prod-down pre-commit install-hooks release-notes

help: ## list the targets
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  make \1\t\2/p' Makefile | expand -t 24

run: ## the app on SQLite in ./data, http://127.0.0.1:8080
	cargo run --release

watch: ## the app, rebuilt and restarted on every edit (no Docker)
	DEV_WATCH_DIR=. deploy/docker/dev-watch.sh

test-fast: ## the Rust suite on SQLite only (the fast loop, no PostgreSQL)
	scripts/test --sqlite-only

test-rust: ## the Rust suite on SQLite and a throwaway PostgreSQL
	scripts/test --rust-only

test: ## everything CI tests: Rust, browser and deployment suites
	scripts/test

test-no-deploy: ## the Rust and browser suites, no containers
	scripts/test --no-deploy

test-deploy: ## the container image and Compose stacks, for real
	deploy/tests/run.sh

lint: ## formatting and clippy, as CI checks them
	scripts/lint

fmt: ## format the code
	cargo fmt --all

bench: ## the in-process benchmarks (the bench/ scripts print more)
	cargo bench

image: ## the production image, tagged gogotime
	docker build -t gogotime .

dev-up: ## the development stack: PostgreSQL + hot reload, http://localhost:8080
	docker-compose up

dev-down: ## stop the development stack (keeps the database and build cache)
	docker-compose down

prod-up: ## the production stack from .env.production
	docker-compose -p gogotime -f compose.prod.yaml --env-file .env.production up -d

prod-down: ## stop the production stack (keeps the database)
	docker-compose -p gogotime -f compose.prod.yaml --env-file .env.production down

pre-commit: ## the checks the pre-commit hook runs: lint and the fast tests
	scripts/pre-commit

install-hooks: ## run scripts/pre-commit before every commit in this clone
	scripts/pre-commit --install

release-notes: ## what the next release will say (CHANGELOG.md's Unreleased section)
	scripts/changelog notes Unreleased
