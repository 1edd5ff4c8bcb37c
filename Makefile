# Portfolio API: every target creates or updates the virtual environment it needs first, so
# each works as the first command on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
SAM_VENV := .venv-sam
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Python for the virtual environment: the Lambda runtime's version (3.13) when this machine
# has it (on PATH or through pyenv), else any python3 >= 3.11.
PYTHON ?= $(shell \
	for candidate in python3.13 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python 2>/dev/null) python3.12 python3; do \
		if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then \
			echo $$candidate; break; \
		fi; \
	done)
PYTHON_313_DIR := $(shell dirname "$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python 2>/dev/null | head -n1)" 2>/dev/null)

.PHONY: help venv test test-fast test-browser browser-deps lint typecheck sam-venv validate build serve bench clean \
	docker-deps docker-running sam-local-image sam-local-build sam-local test-sam-local

help: ## Show the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 not found" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create or update .venv (the project, editable, with test and lint tools)

test: venv ## Run the whole test suite (but the browser and sam local tests: make test-browser, test-sam-local)
	$(BIN)/python -m pytest -q -n auto --dist loadgroup -m "not browser and not sam_local"

test-fast: venv ## Unit tests only
	$(BIN)/python -m pytest -q tests/unit

# Headless Chromium for the browser test: Debian's package (Playwright drives it; no browser
# is downloaded), installed when missing. Root installs it directly, anyone else through sudo.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser-deps: ## Install Debian's chromium when it is missing (apt-get)
	@if [ -x "$(CHROMIUM)" ]; then echo "chromium: $$($(CHROMIUM) --version 2>/dev/null | head -n1)"; else \
		echo "$(CHROMIUM) is missing: installing Debian's chromium (apt-get)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-liberation; \
	fi

test-browser: venv browser-deps ## The browser test: a page on another origin calls the local stack
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q -m browser tests/e2e/browser

lint: venv ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: venv
	$(BIN)/mypy

# aws-sam-cli lives in its own environment: its pins clash with ours.
$(SAM_VENV)/.installed-stamp:
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet 'aws-sam-cli>=1.150'
	@touch $@

sam-venv: $(SAM_VENV)/.installed-stamp

# cfn-lint transforms the SAM template and lints what CloudFormation would deploy; its
# informational rules too (I3011: a stateful resource without DeletionPolicy/UpdateReplacePolicy).
validate: sam-venv ## sam validate --lint, then cfn-lint with informational rules on the transformed template
	AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint
	$(SAM_VENV)/bin/cfn-lint --include-checks I --regions us-east-1 -- template.yaml

# sam build needs the runtime's Python (3.13) on PATH to build for python3.13.
build: sam-venv venv ## sam build (no Docker), then check the built layer's AWS SDK
	PATH="$(PYTHON_313_DIR):$$PATH" AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build
	BUILT_LAYER=.aws-sam/build/PortfolioLayer/python $(BIN)/python -m pytest -q -p no:xdist \
		tests/unit/test_layer_requirements.py -k built_layer

# make serve PORT=3100 AWS_PORT=4600: other ports when 3000 or 4566 are taken.
PORT ?= 3000
AWS_PORT ?= 4566

serve: venv ## Run the whole API locally (moto as AWS) at http://127.0.0.1:$(PORT) (PORT=, AWS_PORT=)
	$(BIN)/portfolio serve --port $(PORT) --aws-port $(AWS_PORT) --env-out .local.env --tokens-out .local-tokens.json

# --- sam local: the same API in Lambda containers (Docker) -----------------------------------
# Functions and layer are built for this machine's processor into their own folder (make build
# keeps the deployed arm64 build in .aws-sam): under emulation an arm64 import takes seconds.
LAMBDA_ARCH := $(shell uname -m | sed -e 's/^aarch64$$/arm64/' -e 's/^amd64$$/x86_64/')
SAM_LOCAL_BUILD := .aws-sam-local/build
SAM_PORT ?= 3001

docker-deps: ## A running Docker engine (as root: installs docker.io and starts dockerd when missing)
	@tools/docker-engine.sh

sam-local-image: ## The Lambda Python 3.13 image sam local runs in: AWS's, or a stand-in built from Debian
	@PYTHON=$(PYTHON) tools/lambda-runtime-image/build.sh

sam-local-build: sam-venv ## sam build for this machine's processor, into .aws-sam-local
	PATH="$(PYTHON_313_DIR):$$PATH" AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build \
		--build-dir $(SAM_LOCAL_BUILD) --parameter-overrides FunctionArchitecture=$(LAMBDA_ARCH)

# make sam-local SAM_PORT=3101 AWS_PORT=4601: other ports when 3001 or 4566 are taken.
docker-running:
	@docker info >/dev/null 2>&1 || { echo "make sam-local: no Docker engine answers (docker info); make serve runs the same API without Docker" >&2; exit 1; }

sam-local: docker-running venv sam-venv ## The API through sam local start-api on :$(SAM_PORT), against the embedded AWS (Docker)
	@$(MAKE) --no-print-directory sam-local-image sam-local-build
	$(BIN)/python tools/sam_local.py --port $(SAM_PORT) --aws-port $(AWS_PORT)

test-sam-local: venv sam-venv docker-deps ## The sam local test: list, retrieve, 301/401/403 and a thumbnail run, in containers
	@$(MAKE) --no-print-directory sam-local-image sam-local-build
	$(BIN)/python -m pytest -q -p no:xdist -m sam_local tests/e2e/sam_local

bench: venv ## Benchmarks: DynamoDB requests, items read, handler and thumbnail times, load on the local stack
	$(BIN)/python -m benchmarks

clean: ## Remove virtual environments and build output
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .aws-sam-local .pytest_cache .mypy_cache .ruff_cache
