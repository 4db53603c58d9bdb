# Two commands do the whole set-up on a fresh machine (each makes its own virtual environment):
#   make demo   validate, analyze and simplify the shipped procedures; write the results to build/
#   make test   lint, check generated files, and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LINTED := src tests tools benchmarks examples

.PHONY: demo test docs bench clean fonts browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# PNG and PDF diagrams need a font with Vietnamese glyphs: DejaVu Sans (Debian's fonts-dejavu-core).
fonts:
	@fc-list 2>/dev/null | grep -q "DejaVu Sans" || \
	  { command -v apt-get > /dev/null && \
	    { $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -q fonts-dejavu-core > /dev/null 2>&1 || \
	      echo "could not install fonts-dejavu-core: PNG and PDF may lack Vietnamese glyphs (SVG is fine)"; }; } || true

# The browser tests of the HTML report need Debian's Chromium and its driver; without them they skip,
# except in CI (CI=1), where they fail.
browser:
	@{ command -v chromium > /dev/null && command -v chromedriver > /dev/null; } || \
	  { command -v apt-get > /dev/null && \
	    { sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	      { $$sudo apt-get update -q && $$sudo apt-get install -y -q chromium chromium-driver; } > /dev/null 2>&1 || \
	      echo "could not install chromium and chromium-driver: the browser tests will skip"; }; } || true

demo: $(STAMP) fonts
	$(BIN)/thutuc validate procedures/
	mkdir -p build
	$(BIN)/thutuc summary procedures/ --format md -o build/summary.md
	$(BIN)/thutuc analyze procedures/ --format md -o build/analysis.md
	$(BIN)/thutuc analyze procedures/ --format json -o build/analysis.json
	$(BIN)/thutuc analyze procedures/ | tail -n 40
	mkdir -p build/simplified build/reforms
	for f in procedures/essential/*.yaml; do \
	  $(BIN)/thutuc simplify $$f -o build/simplified/$$(basename $$f) 2> /dev/null || exit 1; \
	done
	for f in procedures/baselines/*-baseline.yaml; do \
	  name=$$(basename $$f -baseline.yaml); \
	  $(BIN)/thutuc diff $$f procedures/essential/$$name.yaml --format md -o build/reforms/$$name.md || exit 1; \
	done
	$(BIN)/thutuc render procedures/essential procedures/baselines -o build/diagrams --view before-after --view diff
	$(BIN)/thutuc report procedures/ -o build/report
	@echo "wrote build/summary.md, build/analysis.md, build/analysis.json, build/simplified/, build/reforms/, build/diagrams/"
	@echo "and the HTML report: open build/report/index.html (Vietnamese) or build/report/index.en.html (English)"

test: $(STAMP) fonts browser
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/thutuc schema -o schema/thutuc.schema.json --check
	$(BIN)/thutuc schema --analysis -o schema/analysis.schema.json --check
	$(BIN)/thutuc validate procedures/
	$(BIN)/thutuc validate examples/reform-review/before.yaml --catalogue procedures/catalogue
	$(BIN)/thutuc validate examples/reform-review/after.yaml --catalogue procedures/catalogue
	$(BIN)/python examples/check_a_procedure.py > /dev/null
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest
	cd examples/reform-repo && ../../$(BIN)/thutuc validate procedures/ && ../../$(BIN)/python -m pytest -q -p no:cacheprovider

docs: $(STAMP)
	$(BIN)/thutuc schema -o schema/thutuc.schema.json
	$(BIN)/thutuc schema --analysis -o schema/analysis.schema.json
	$(BIN)/python tools/generate_docs.py

bench: $(STAMP)
	$(BIN)/python benchmarks/hostile_inputs.py
	$(BIN)/python benchmarks/render_all.py
	$(BIN)/python benchmarks/pipeline.py --procedures 1000 --repeats 3 --write-docs

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
