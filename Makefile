# Two entry points (see README): `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

PORT ?= 8000
HOST ?= 127.0.0.1
CATALOGUE := sucai/cli/locale/zh_CN/LC_MESSAGES/messages

.PHONY: demo test test-sqlite test-postgresql test-run bench system-packages messages

# Ctrl+C ends the demo as it ends sucai (exit 130, README: interrupted): with sucai's Chinese line alone, not also
# make's 「make: *** [Makefile:…: demo] Error 130」 (the shell waits for sucai, whose failures still fail the target).
demo: $(VENV)/.installed
	@trap : INT; $(BIN)/sucai demo --host $(HOST) --port $(PORT) || { status=$$?; [ $$status -eq 130 ] || exit $$status; }

# The whole suite: every test that builds a library (marked `backend`) on the embedded SQLite files and on
# PostgreSQL, the rest once; in one worker process per core (pytest-xdist), each module's tests
# of one backend in one worker (tests/conftest.py groups them, the longest first), the slowest 15 listed at the end.
test: $(VENV)/.installed-test system-packages
	@$(MAKE) --no-print-directory test-run BACKENDS=sqlite,postgresql PYTEST_ARGS="-n auto --dist loadscope --durations=15"

# One backend: the whole suite on SQLite, or the `backend` tests on PostgreSQL, in one process.
test-sqlite test-postgresql: test-%: $(VENV)/.installed-test
	@$(MAKE) --no-print-directory test-run BACKENDS=$* PYTEST_ARGS="$(if $(filter postgresql,$*),-m backend)"

# pytest with a temporary directory of its own (TMPDIR), removed afterwards.
test-run:
	@tmp=$$(mktemp -d /tmp/sucai-test-XXXXXX); chmod 755 $$tmp; \
	TMPDIR=$$tmp SUCAI_TEST_BACKENDS=$(BACKENDS) $(BIN)/python -m pytest -q $(PYTEST_ARGS) \
	  -o cache_dir=$$tmp/.pytest_cache; status=$$?; rm -rf $$tmp; echo "[$(BACKENDS)] pytest: exit $$status"; exit $$status

bench: $(VENV)/.installed-test
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/relevance.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/ocr.py
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/check.py

# The package (with its `test` extras for the tests) in .venv, in one pip run: pip resolves the dependencies and
# builds the editable package once (a `.installed` first, then `.[test]`, did both twice on a fresh clone). The
# build's warnings are not shown: setuptools prints an English BuildBackendWarning for every editable mode (the
# default's 「Editable installation」, compat's 「transitional and will be removed」: verify22) on a new user's first command.
install = $(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q --upgrade pip && \
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/pip install -q -e '.$(1)'

$(VENV)/.installed: pyproject.toml
	$(call install,)
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(call install,[test])
	touch $@ $(VENV)/.installed

# The Chinese catalogue of the command line's messages (click's), after editing the .po.
messages:
	msgfmt --check-format -o $(CATALOGUE).mo $(CATALOGUE).po

# Debian packages the readers and some tests use (LibreOffice, Tesseract chi_sim, poppler, CJK fonts, Chromium, gettext, PostgreSQL).
# Installed when running as root with apt-get; elsewhere those tests skip and say why.
system-packages:
	@scripts/system-packages.sh
