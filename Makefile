# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
TEST_DATABASE_URL ?=

.PHONY: run test lint pytest test-postgres migrate seed clean chromium demo-admin screenshots bench \
	bench-quick bench-serve bench-compare bench-decision bench-statements bench-inprocess bench-profile outage-drill wrk sip-tools run-sip run-kamailio

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

instance/secret_key:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@

migrate: $(VENV)/.runtime instance/secret_key
	SECRET_KEY="$$(cat instance/secret_key)" $(FLASK) db upgrade
	SECRET_KEY="$$(cat instance/secret_key)" $(FLASK) init-environments

seed: migrate
	SECRET_KEY="$$(cat instance/secret_key)" $(FLASK) seed-demo

# A demo sign-in for the web UI, printed before the server starts.
demo-admin: migrate
	SECRET_KEY="$$(cat instance/secret_key)" $(FLASK) users demo

# A local run: development mode, so the UI's session cookie also works over plain http.
run: seed demo-admin
	APP_ENV=development SECRET_KEY="$$(cat instance/secret_key)" PORT=$(PORT) \
		$(BIN)/gunicorn -c gunicorn.conf.py "app:create_app()"

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium || { \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium; }

# SIP tests talk to real peers from Debian: SIPp (sip-tester) and Kamailio; espeak-ng speaks.
SIP_APT := sip-tester kamailio espeak-ng openssl
sip-tools:
	@missing=""; for p in $(SIP_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
			--no-install-recommends $$missing; fi

SIP_WORKERS ?= 2
SIP_LISTEN ?= 127.0.0.1:5070
# A pool of SIP workers on consecutive ports from SIP_LISTEN (put Kamailio in front: run-kamailio).
run-sip: migrate sip-tools
	SECRET_KEY="$$(cat instance/secret_key)" SIP_WORKERS=$(SIP_WORKERS) SIP_LISTEN=$(SIP_LISTEN) \
		$(BIN)/python -m sipworker

# Kamailio in front of that pool, on SIP_PROXY_LISTEN (deploy/kamailio/kamailio.cfg).
SIP_PROXY_LISTEN ?= udp:127.0.0.1:5060
run-kamailio: sip-tools
	mkdir -p instance/kamailio
	kamailio -DD -E -Y instance/kamailio -f deploy/kamailio/kamailio.cfg \
		-A LISTEN_ADDR=$(SIP_PROXY_LISTEN) \
		-A 'DISPATCHER_LIST="$(CURDIR)/deploy/kamailio/dispatcher.list"'

pytest: $(VENV)/.dev chromium sip-tools wrk
	bash .ci/pytest $(PYTEST_ARGS)

test: lint pytest

# Refresh the README's pictures of the web UI.
screenshots: $(VENV)/.dev chromium
	SCREENSHOT_DIR=docs/screenshots bash .ci/pytest tests/ui/test_browser_screenshots.py

# The SIP tests (marker `sip`) drive real SIP peers and run in `make test`; their database
# work is the shared records code that this pass covers, so they run once to keep CI short.
# The benchmark smoke test (marker `bench`) seeds its own SQLite database: once is enough.
PG_PYTEST_ARGS ?= -m "not sip and not bench"
test-postgres: $(VENV)/.dev chromium
	TEST_DATABASE_URL="$(or $(TEST_DATABASE_URL),postgresql://postgres@127.0.0.1:5432/test)" \
		bash .ci/pytest $(PG_PYTEST_ARGS) $(PYTEST_ARGS)

# Benchmarks print figures; they are not tests. BENCH_ARGS passes options (see --help).
wrk:
	@command -v wrk >/dev/null || apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk \
		|| (apt-get -o DPkg::Lock::Timeout=600 update -qq \
			&& apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk)

bench: $(VENV)/.dev wrk
	$(BIN)/python -m bench.webhook $(BENCH_ARGS)

bench-quick: $(VENV)/.dev wrk
	$(BIN)/python -m bench.webhook --quick $(BENCH_ARGS)

# The contenders left running with signed request pools, for a load generator of your own.
bench-serve: $(VENV)/.dev wrk
	$(BIN)/python -m bench.serve $(BENCH_ARGS)

# Handoff at an earlier revision (--base, default main) beside this checkout, under one load.
bench-compare: $(VENV)/.dev wrk
	$(BIN)/python -m bench.compare $(BENCH_ARGS)

# Stop the local PostgreSQL service during a run of signed calls (bench/outage.py; needs root).
outage-drill: $(VENV)/.runtime
	$(BIN)/python -m bench.outage $(BENCH_ARGS)

bench-decision: $(VENV)/.runtime
	$(BIN)/python -m bench.decision $(BENCH_ARGS)

bench-statements: $(VENV)/.runtime
	$(BIN)/python -m bench.statements $(BENCH_ARGS)

bench-inprocess: $(VENV)/.runtime
	$(BIN)/python -m bench.inprocess $(BENCH_ARGS)

bench-profile: $(VENV)/.dev wrk
	$(BIN)/python -m bench.profile $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
