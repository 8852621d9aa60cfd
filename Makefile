# Two commands: `make run` starts the whole product, `make test` runs every test.
# Both bootstrap what they need and skip it when nothing changed.
SHELL := /bin/bash
VENV := .venv
INSTALLED := $(VENV)/.installed
# The web widget (widget/, TypeScript) is built with npm into the web server's static folder.
WIDGET := assistant/web/static/widget.js
NODE_MODULES := widget/node_modules/.installed
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test bootstrap clean nlu-report

# The demo shows "sent" SMS codes at /v1/dev/outbox; the product's default keeps that off.
run: export MYGOV_DEV_OUTBOX ?= true
run: $(INSTALLED) $(WIDGET)
	$(VENV)/bin/assistant up

# Two workers, each taking whole modules (their servers start once per module); `-m "not e2e"` is the fast layer.
test: $(INSTALLED) $(WIDGET)
	$(VENV)/bin/python -m pytest -n 2 --dist loadfile

bootstrap: $(INSTALLED) $(WIDGET)

# NLU cross-validation report (3 folds, per intent and per language variant) into results/nlu/; not part of `make test`.
nlu-report: $(INSTALLED)
	$(VENV)/bin/python benchmarks/nlu_report.py

$(INSTALLED): requirements.lock pyproject.toml scripts/bootstrap.sh scripts/system-packages.txt
	scripts/bootstrap.sh

$(NODE_MODULES): widget/package.json widget/package-lock.json | $(INSTALLED)
	cd widget && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WIDGET): $(NODE_MODULES) widget/tsconfig.json $(wildcard widget/src/*.ts)
	cd widget && npm run -s check && npm run -s build

clean:
	rm -rf $(VENV) var models results widget/node_modules $(WIDGET)
