# The organizer's entry points. Each target creates or refreshes .venv first.
#   make summarize [REC=recording.m4a] [AGENDA=agenda.md] [ENGINE=faster-whisper|openai-whisper]
#                  [MODEL=tiny.en|base|<path>|<name>] [TITLE="..."] [DATE=YYYY-MM-DD]
#                  [NAMES=names.yaml] [CHAT=chat.txt] [CHAT_START=10:00:00] [EXPORT=txt,srt,vtt,chapters,actions]
#   (REC may be a Zoom recording folder: participant tracks, .vtt transcript, chat)
#   make test
#   make bench [REC=recording.m4a REF=reference.txt] [IDEAS=1]
#   make bench-tracks [REC=recording.m4a TIMING=recording.timing.json]
#   make eval [DATA=dir] [OUT=dir]
#   make eval-audio [MEETINGS="IS1006a TS3010d"]
#   make eval-cards [MEETING=samples/demo-meeting.json]
#   make eval-read-out [SPLIT=val|train]
#   make publish SUMMARY=outputs/<file>.md [ARCHIVE=archive] [FORCE=1]
#   make search Q="..." [ARCHIVE=archive] [LIMIT=5]
#   make bench-text [RUNS=3]
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
NAMES ?=
CHAT ?=
CHAT_START ?=
OUT ?= outputs
CACHE ?= .cache
MEETING ?=
SUMMARY ?=
ARCHIVE ?= archive
Q ?=
LIMIT ?= 5
BATCH ?=
EXPORT ?=

.PHONY: summarize publish search test bench bench-tracks bench-text bench-memory eval eval-audio eval-cards eval-read-out lint demo clean

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
		$(if $(filter 1 yes true,$(ATTRIBUTE)),--attribute) $(if $(TIMEBOX),--timebox "$(TIMEBOX)") \
		$(if $(NAMES),--names "$(NAMES)") $(if $(CHAT),--chat "$(CHAT)") \
		$(if $(CHAT_START),--chat-start "$(CHAT_START)") \
		$(if $(BATCH),--batch-size "$(BATCH)") $(if $(EXPORT),--export "$(EXPORT)")

publish: $(STAMP)
	@test -n "$(SUMMARY)" || { echo "error: give the reviewed summary: make publish SUMMARY=outputs/<file>.md" >&2; exit 2; }
	$(BIN)/python -m pipeline publish "$(SUMMARY)" --archive "$(ARCHIVE)" \
		$(if $(filter 1 yes true,$(FORCE)),--force)

search: $(STAMP)
	@test -n "$(Q)" || { echo 'error: give a query: make search Q="engineering metrics"' >&2; exit 2; }
	@$(BIN)/python -m pipeline search "$(Q)" --archive "$(ARCHIVE)" --limit "$(LIMIT)" --cache "$(CACHE)"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench.py $(if $(filter command line environment,$(origin REC)),--recording "$(REC)") $(if $(REF),--reference "$(REF)") \
		$(if $(filter 1 yes true,$(IDEAS)),--ideas)

# Zoom per-participant tracks against the mixed recording (default: the demo meeting).
bench-tracks: $(STAMP)
	$(BIN)/python bench/bench.py --tracks $(if $(filter command line environment,$(origin REC)),--recording "$(REC)") $(if $(TIMING),--timing "$(TIMING)")

bench-text: $(STAMP)
	$(BIN)/python bench/bench_text.py $(if $(RUNS),--runs "$(RUNS)")

# Peak memory on a 20-minute and a 3-hour recording (the demo looped; ~1 h of CPU).
bench-memory: $(STAMP)
	$(BIN)/python bench/bench_memory.py $(if $(HOURS),--hours $(HOURS))

eval: $(STAMP)
	$(BIN)/python bench/evaluate.py $(if $(DATA),--data "$(DATA)") $(if $(filter command line environment,$(origin OUT)),--out "$(OUT)")

# Topics found from audio with no speakers: val meetings spoken (espeak-ng), transcribed
# and segmented (~15 min of CPU the first time; the recordings are kept in /tmp/audio-val).
MEETINGS ?= ES2006a IS1006a TS3010d IS1006c TS3009a IS1006d ES2009a Bro011 Bro022 Bmr026
eval-audio: $(STAMP)
	$(BIN)/python bench/score_audio_segmentation.py $(MEETINGS)

eval-cards: $(STAMP)
	$(BIN)/python bench/score_announced_cards.py $(MEETING)

# The bench's real meetings with a facilitator's read-outs put in (~1.5 min for val).
SPLIT ?= val
eval-read-out: $(STAMP)
	$(BIN)/python bench/score_read_out.py --split $(SPLIT)

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench

# Regenerates the demo recording from its script (needs Debian's espeak-ng).
demo: $(STAMP)
	$(BIN)/python ../shared/bench/synth_meeting.py samples/demo-meeting.json samples/demo-meeting

clean:
	rm -rf $(VENV) .cache .pytest_cache
