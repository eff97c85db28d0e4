# Two commands on a fresh machine: `make extract` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DB     ?= data/processed/targets.duckdb
JOBS   ?=
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim
BROWSER_PACKAGES := chromium
# a Chinese font, so that PDFs built by the tests render (and scan) with their characters
TEST_FONT_PACKAGES := fonts-wqy-microhei

.PHONY: extract test test-fast fuzz lint format sysdeps sysdeps-test apt-install clean help bench

help:
	@echo "make extract   install what is missing, then extract data/raw/ into $(DB)"
	@echo "make test      run the test suite (real DuckDB, real OCR engines, shared corpus when present)"
	@echo "make fuzz      generated bad inputs and faults around a batch (part of make test too)"
	@echo "make lint      ruff check + format check"
	@echo "make bench     pages/s, documents/s and peak memory against the naive pdfplumber baseline"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# rapidocr pulls in opencv-python, which needs libGL; the headless build of the same cv2 does not
	$(PY) -m pip install --quiet --force-reinstall --no-deps opencv-python-headless
	@touch $(STAMP)

# Debian packages, installed when missing and we are root, else the one command to run:
# OCR (tesseract) for extraction; a browser as well for the test of the HTML report.
sysdeps:
	@$(MAKE) --no-print-directory apt-install NEED="$$(command -v tesseract >/dev/null 2>&1 && \
	  tesseract --list-langs 2>/dev/null | grep -qx chi_sim || echo $(APT_PACKAGES))" WHY="OCR needs"

sysdeps-test: sysdeps
	@$(MAKE) --no-print-directory apt-install NEED="$$(command -v chromium >/dev/null 2>&1 || \
	  echo $(BROWSER_PACKAGES)) $$(fc-list :lang=zh 2>/dev/null | grep -q . || \
	  echo $(TEST_FONT_PACKAGES))" WHY="the tests need"

apt-install:
	@if [ -n "$(strip $(NEED))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $(strip $(NEED))"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(NEED) >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(NEED) >/dev/null; }; \
	  else \
	    echo "$(WHY) Debian packages; run: sudo apt-get install -y $(strip $(NEED))"; \
	  fi; \
	fi

extract: $(STAMP) sysdeps
	$(PY) -m pipeline extract data/raw --db $(DB) $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP) sysdeps-test
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

# The fuzz tests carry the slow marker as well, so `make test` (and CI) runs them.
fuzz: $(STAMP) sysdeps
	$(PY) -m pytest -q -rA -m fuzz -s

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)
	$(PY) benchmarks/bench_extract.py

clean:
	rm -rf $(VENV) data/processed/*.duckdb data/processed/cache data/processed/logs
