# Two entry points: `make demo` (set up, then translate and summarize the example text)
# and `make test` (set up, then run the whole test suite, slow tests included). Both create .venv
# on first use. `make test-fast` runs the quick subset (pytest -m "not slow") while iterating.
PYTHON ?= python3
VENV ?= .venv
# pyproject.toml asks for a torch range; set-up installs this pinned build first so that the range
# is already met (CPU-only and fast here). Where torch==2.13.0 would resolve to a CUDA build on a
# machine without a GPU, pass the CPU wheel index: make demo TORCH_PIP_ARGS="--index-url <cpu index>"
TORCH_PIN ?= torch==2.13.0
TORCH_PIP_ARGS ?=
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet "$(TORCH_PIN)" $(TORCH_PIP_ARGS)
	$(VENV)/bin/python -m pip install --quiet -e ".[test,ray,serve]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/summtrans summarize examples/bericht.txt

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

test-fast: $(STAMP)
	$(VENV)/bin/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
