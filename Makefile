# Two commands: `make run` starts the whole product, `make test` runs every test.
# Both bootstrap what they need and skip it when nothing changed.
SHELL := /bin/bash
VENV := .venv
INSTALLED := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test bootstrap clean nlu-report

run: $(INSTALLED)
	$(VENV)/bin/assistant up

test: $(INSTALLED)
	$(VENV)/bin/python -m pytest

bootstrap: $(INSTALLED)

# NLU cross-validation report (3 folds, per intent and per language variant) into results/nlu/; not part of `make test`.
nlu-report: $(INSTALLED)
	$(VENV)/bin/python benchmarks/nlu_report.py

$(INSTALLED): requirements.lock pyproject.toml scripts/bootstrap.sh scripts/system-packages.txt
	scripts/bootstrap.sh

clean:
	rm -rf $(VENV) var models results
