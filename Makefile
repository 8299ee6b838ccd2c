# The project's commands. A fresh machine needs only Rust, Python 3 with pip, and Node with npm:
# the targets below install the rest, pinned (requirements-*.txt, package-lock.json).

SHELL := /bin/bash
VENV := .venv
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
SCHEMATHESIS_VENV := .venv-schemathesis
# cargo-deny and cargo-audit, pinned, built into .tools by `cargo install --locked`.
TOOLS := .tools
CARGO_DENY := cargo-deny@0.20.2
CARGO_AUDIT := cargo-audit@0.22.2
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export SAM_CLI_TELEMETRY := 0
# The SAM CLI needs a region to validate; nothing here talks to AWS.
REGION ?= us-east-1

.PHONY: help dev test check lint deny audit validate build sam-build deploy load bench tools clean-dev browser dev-restarts size

## help: this list (every target's `## name:` comment)
help:
	@awk '/^## [a-z-]+:/ { sub(/^## /, ""); name = $$0; sub(/:.*/, "", name); text = $$0; \
	  sub(/^[a-z-]+: */, "", text); printf "  make %-10s %s\n", name, text; next } \
	  /^## / { sub(/^## /, ""); printf "  %-15s %s\n", "", $$0 }' $(MAKEFILE_LIST)

## dev: run the API locally on its own in-memory DynamoDB-compatible server
dev: tools
	./scripts/dev.sh

## test: every test: format, lints, the supply-chain policy, template validation, unit and
## integration tests, and make dev itself (scripts/dev-check.mjs: the printed lines answer as
## they say; a JSON:API client, headless Chromium and schemathesis against it; Ctrl-C leaves
## nothing), then 30 starts and stops of it
test: tools lint deny validate browser $(SCHEMATHESIS_VENV)/.installed
	cargo test --workspace --all-targets
	cargo test --workspace --doc
	./scripts/dev-check.mjs
	./scripts/dev-restarts.mjs 30

## check: format, lints and the tests that need no server (unit tests, properties, schema
## checks): the quick loop while editing; `make test` is the whole suite
check: lint
	cargo test -q --workspace --lib --bins
	cargo test -q -p auth --test properties
	cargo test -q -p get-users-me --test properties
	cargo test -q -p testkit --test openapi_check --test documents --test docs

## lint: cargo fmt --check, clippy with warnings as errors, and the crates' docs without a
## broken or private link
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps -q

## deny: deny.toml's supply-chain policy (cargo-deny): licenses, banned crates, sources
deny: $(TOOLS)/.$(CARGO_DENY)
	$(TOOLS)/bin/cargo-deny --locked check licenses bans sources

## audit: Cargo.lock against the RustSec advisory database (cargo-audit, .cargo/audit.toml); it
## fetches the database, or reads ADVISORY_DB=<a clone of rustsec/advisory-db> offline
audit: $(TOOLS)/.$(CARGO_AUDIT)
	$(TOOLS)/bin/cargo-audit audit $(if $(ADVISORY_DB),--db $(ADVISORY_DB) --no-fetch)

$(TOOLS)/.%:
	cargo install --quiet --locked --root $(TOOLS) $*
	touch $@

## validate: template.yaml through sam validate --lint, cfn-lint and checkov, offline; with
## ALLOWED_ORIGINS=<list>, also the origins a deploy will pass (the functions' own rule)
validate: $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	@if [ -n "$(ALLOWED_ORIGINS)" ]; then cargo run -q -p admin -- check-origins "$(ALLOWED_ORIGINS)"; fi
	$(SAM_VENV)/bin/sam validate --lint --region $(REGION) --template template.yaml
	$(SAM_VENV)/bin/cfn-lint template.yaml
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact --quiet --skip-download

## build: release arm64 zips with cargo lambda (target/lambda/<function>/bootstrap.zip)
build: tools
	cargo lambda build --release --arm64 --output-format zip -p get-me -p get-users-me
	@ls -l target/lambda/get-me/bootstrap.zip target/lambda/get-users-me/bootstrap.zip

## sam-build: what `sam build` does before `sam deploy` (rust-cargolambda is a SAM beta feature)
sam-build: tools $(SAM_VENV)/.installed
	SAM_CLI_BETA_RUST_CARGO_LAMBDA=1 $(SAM_VENV)/bin/sam build --beta-features
	@ls -l .aws-sam/build/GetMeFunction/bootstrap .aws-sam/build/GetUsersMeFunction/bootstrap

## deploy: `make sam-build`, then `sam deploy`: guided (it asks for the parameters and writes
## samconfig.toml) when there is no samconfig.toml yet or with GUIDED=1
deploy: sam-build
	$(SAM_VENV)/bin/sam deploy $(if $(or $(GUIDED),$(if $(wildcard samconfig.toml),,1)),--guided)

## bench: sizes, init, latency, round trips and RSS of the release bootstraps, and criterion; writes BENCHMARKS.md
bench: tools
	@command -v unzip >/dev/null || { apt-get update -qq && apt-get install -y -qq unzip; }
	@command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
	./scripts/bench.sh

## dev-restarts: start and stop make dev 30 times in a row (scripts/dev-restarts.mjs); every start must answer
dev-restarts: tools
	./scripts/dev-restarts.mjs 30

## browser: Debian's chromium, for the browser check of make test (installed when missing)
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

## load: 60 s at 32 connections over both routes and all auth paths, against `make dev`
load:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	./scripts/load.sh

## tools: the pinned local tools (dynalite in node_modules, cargo-lambda in .venv)
tools: node_modules/.installed $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	touch $@

$(SCHEMATHESIS_VENV)/.installed: requirements-schemathesis.txt
	python3 -m venv $(SCHEMATHESIS_VENV)
	$(SCHEMATHESIS_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-schemathesis.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

## size: lines of code of the crates a deployed function links, per crate (scripts/size.py)
size:
	@python3 scripts/size.py

## clean-dev: forget make dev's state (.dev)
clean-dev:
	rm -rf .dev
