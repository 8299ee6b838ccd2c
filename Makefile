# The project's commands. A fresh machine needs only Rust, Python 3 with pip, and Node with npm:
# the targets below install the rest (pinned in requirements-dev.txt and package-lock.json).

SHELL := /bin/bash
VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: dev test lint unit build tools clean-dev

## dev: run the API locally on its own in-memory DynamoDB-compatible server
dev: tools
	./scripts/dev.sh

## test: every test (format, lints, unit and integration tests on a local dynalite)
test: node_modules/.installed lint
	cargo test --workspace --all-targets
	cargo test --workspace --doc

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

## build: release arm64 zips for Lambda (target/lambda/<function>/bootstrap.zip)
build: tools
	cargo lambda build --release --arm64 --output-format zip

tools: node_modules/.installed $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

clean-dev:
	rm -rf .dev
