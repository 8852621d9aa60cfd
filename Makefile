# Two commands: `make run` starts the whole product, `make test` runs every test.
# Both bootstrap what they need and skip it when nothing changed.
SHELL := /bin/bash
VENV := .venv
INSTALLED := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test bootstrap clean

run: $(INSTALLED)
	$(VENV)/bin/assistant up

test: $(INSTALLED)
	$(VENV)/bin/python -m pytest

bootstrap: $(INSTALLED)

$(INSTALLED): requirements.lock pyproject.toml scripts/bootstrap.sh scripts/system-packages.txt
	scripts/bootstrap.sh

clean:
	rm -rf $(VENV) var
