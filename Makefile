# The organizer's entry points. Each target creates or refreshes .venv first.
#   make summarize [REC=recording.m4a] [AGENDA=agenda.md] [ENGINE=faster-whisper|openai-whisper]
#                  [MODEL=tiny.en|base|<path>|<name>] [TITLE="..."] [DATE=YYYY-MM-DD]
#   make test
#   make bench [REC=recording.m4a REF=reference.txt]
#   make eval [DATA=dir] [OUT=dir]
#   make bench-memory [HOURS="0.33 3"]

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

REC ?= samples/demo-meeting.m4a
AGENDA ?=
ENGINE ?= faster-whisper
MODEL ?= tiny.en
TITLE ?=
DATE ?=
LANGUAGE ?=
FORCE ?=
ATTRIBUTE ?=
TIMEBOX ?=
OUT ?= outputs
CACHE ?= .cache

.PHONY: summarize test bench bench-memory eval lint demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# openai-whisper without its GPU-only triton dependency; its runtime deps are in pyproject.
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['openai-whisper'])" \
		| xargs $(BIN)/pip install --quiet --no-deps
	touch $(STAMP)

summarize: $(STAMP)
	$(BIN)/python -m pipeline summarize "$(REC)" --engine "$(ENGINE)" --model "$(MODEL)" \
		--outputs "$(OUT)" --cache "$(CACHE)" $(if $(AGENDA),--agenda "$(AGENDA)") \
		$(if $(TITLE),--title "$(TITLE)") $(if $(DATE),--date "$(DATE)") \
		$(if $(LANGUAGE),--language "$(LANGUAGE)") $(if $(filter 1 yes true,$(FORCE)),--force) \
		$(if $(filter 1 yes true,$(ATTRIBUTE)),--attribute) $(if $(TIMEBOX),--timebox "$(TIMEBOX)")

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench.py $(if $(filter command line environment,$(origin REC)),--recording "$(REC)") $(if $(REF),--reference "$(REF)")

# Peak memory on a 20-minute and a 3-hour recording (the demo looped; ~1 h of CPU).
bench-memory: $(STAMP)
	$(BIN)/python bench/bench_memory.py $(if $(HOURS),--hours $(HOURS))

eval: $(STAMP)
	$(BIN)/python bench/evaluate.py $(if $(DATA),--data "$(DATA)") $(if $(filter command line environment,$(origin OUT)),--out "$(OUT)")

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench

# Regenerates the demo recording from its script (needs Debian's espeak-ng).
demo: $(STAMP)
	$(BIN)/python ../shared/bench/synth_meeting.py samples/demo-meeting.json samples/demo-meeting

clean:
	rm -rf $(VENV) .cache .pytest_cache
