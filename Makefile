# jiuzhu — make targets. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test ci lint bench install clean engine diagrams system-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# form-js pulls in @carbon's install-time telemetry, which would stay behind as a background
# process trying to reach IBM: the documented opt-out.
$(NODE_STAMP): package.json package-lock.json
	IBM_TELEMETRY_DISABLED=true npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

BUNDLE := jiuzhu/tasklist/static/dist/tasklist.js
$(BUNDLE): $(STAMP) $(NODE_STAMP) $(wildcard jiuzhu/tasklist/frontend/*)
	$(PY) -m jiuzhu.tasklist.build

install: $(STAMP) $(NODE_STAMP) $(BUNDLE)

## run: the whole system on the embedded engine, with a demo county
run: install
	$(VENV)/bin/jiuzhu up --demo

## engine: the embedded engine alone
engine: $(STAMP)
	$(VENV)/bin/jiuzhu engine

## system-packages: what the tests need from the system (apt as root, else a message naming them)
system-packages:
	bash scripts/install-system-packages

## test: the whole suite
test: system-packages install
	$(PY) -m pytest -q -p no:cacheprovider

## lint: ruff and mypy
lint: $(STAMP)
	$(VENV)/bin/ruff check jiuzhu schemas workers tests bench infra tools workflows
	$(VENV)/bin/ruff format --check jiuzhu schemas workers tests bench infra tools workflows
	$(VENV)/bin/mypy

## bench: benchmarks print figures (never asserted in tests)
bench: install
	$(PY) bench/engine.py
	$(PY) bench/feel.py
	$(PY) bench/overload.py

## diagrams: docs/processes/*.png from workflows/*.bpmn, rendered by bpmn-js in headless Chromium
diagrams: install
	@fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk" || { \
	  echo "Chinese labels need a CJK font: apt-get install fonts-wqy-microhei"; exit 2; }
	$(PY) tools/render_diagrams.py

## ci: what .ci/run calls — lint, then the whole suite
ci: install lint test

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache
