# Two entry points (see README): `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

PORT ?= 8000
HOST ?= 127.0.0.1
# The backends of `make test` (a variable: a comma in $(call)'s arguments would split them).
ALL_BACKENDS := sqlite,postgresql
CATALOGUE := sucai/cli/locale/zh_CN/LC_MESSAGES/messages

.PHONY: demo test test-sqlite test-postgresql test-run bench system-packages messages

# $(call stoppable,COMMAND,STATUS): COMMAND in the recipe's shell, which a Ctrl+C ends as it ends COMMAND — with its
# own words alone, not also make's 「make: *** [Makefile:…] Error 130」 or 「Interrupt」: the shell waits for COMMAND
# (it is not killed with it, and what follows runs: a trap on EXIT) and ends quietly when COMMAND, stopped, exits
# with STATUS, the one saying it was interrupted (sucai's 130, pytest's 2, a make or Python killed by SIGINT: 130).
# Any other end leaves COMMAND's status in `status`, and a failure of COMMAND still fails the target.
stoppable = trap 'stopped=1' INT; $(1); status=$$?; [ -z "$$stopped" ] || [ $$status -ne $(2) ] || exit 0

demo: $(VENV)/.installed
	@$(call stoppable,$(BIN)/sucai demo --host $(HOST) --port $(PORT),130); exit $$status

# The whole suite: every test that builds a library (marked `backend`) on the embedded SQLite files and on
# PostgreSQL, the rest once; in one worker process per core (pytest-xdist), each module's tests
# of one backend in one worker (tests/conftest.py groups them, the longest first), the slowest 15 listed at the end.
test: $(VENV)/.installed-test system-packages
	@$(call stoppable,$(MAKE) --no-print-directory test-run BACKENDS=$(ALL_BACKENDS) \
	  PYTEST_ARGS="-n auto --dist loadscope --durations=15",130); exit $$status

# One backend: the whole suite on SQLite, or the `backend` tests on PostgreSQL, in one process.
test-sqlite test-postgresql: test-%: $(VENV)/.installed-test
	@$(call stoppable,$(MAKE) --no-print-directory test-run BACKENDS=$* \
	  PYTEST_ARGS="$(if $(filter postgresql,$*),-m backend)",130); exit $$status

# pytest with a temporary directory of its own (TMPDIR), removed afterwards (also when stopped by Ctrl+C).
test-run:
	@tmp=$$(mktemp -d /tmp/sucai-test-XXXXXX); chmod 755 $$tmp; trap 'rm -rf $$tmp' EXIT; \
	$(call stoppable,TMPDIR=$$tmp SUCAI_TEST_BACKENDS=$(BACKENDS) $(BIN)/python -m pytest -q $(PYTEST_ARGS) \
	  -o cache_dir=$$tmp/.pytest_cache,2); echo "[$(BACKENDS)] pytest: exit $$status"; exit $$status

BENCHES := ingest search relevance export pdf ocr hostile check

# Each bench/ script in turn, the first to fail ending the run (a subshell: it is killed by a Ctrl+C, 130).
bench: $(VENV)/.installed-test
	@$(call stoppable,(for bench in $(BENCHES); do echo "$(BIN)/python bench/$$bench.py"; \
	  $(BIN)/python bench/$$bench.py || exit; done),130); exit $$status

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
