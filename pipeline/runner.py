"""Wires the stages together in data-flow order and times each one.

ingest -> transcribe (cached) -> render. The runner owns all file writing
into ``outputs/``: both files are written to temporary names and renamed into
place only when everything has succeeded.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from slugify import slugify

from pipeline import (
    __version__,
    agenda,
    extract,
    fileio,
    ingest,
    models,
    redact,
    render,
    segment,
    transcribe,
    transcript_json,
)
from pipeline.artifacts import SAMPLE_RATE_HZ, AudioChunk, MeetingSummary, Recording, Transcript
from pipeline.cache import ChunkCache, TranscriptCache, transcript_key
from pipeline.errors import InputError, OutputError, SettingsError
from pipeline.fileio import write_all_atomically
from pipeline.transcribe import TranscribeOptions

log = logging.getLogger(__name__)

MAX_SLUG_LENGTH = 60
PROGRESS_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]"
_DATE_IN_PATH = re.compile(r"(20\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])")


@dataclass(frozen=True)
class RunSettings:
    """One run of ``make summarize``. Paths are relative to the working directory."""

    recording: Path
    agenda: Path | None = None
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD; default: from the path, else the file's date
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    outputs_dir: Path = Path("outputs")
    cache_dir: Path = Path(".cache")
    models_dir: Path = Path("models")
    prompts_dir: Path = Path(__file__).resolve().parent.parent / "prompts"
    force: bool = False  # overwrite a draft that the organizer has edited
    attribute: bool = False  # keep participants' names in published text (ATTRIBUTE=1)
    timebox_minutes: float = 8.0  # the Lean Coffee timebox each card gets
    progress: bool = True


@dataclass(frozen=True)
class OutputPaths:
    markdown: Path
    sidecar: Path
    timeline: Path

    @classmethod
    def for_stem(cls, folder: Path, stem: str) -> OutputPaths:
        return cls(folder / f"{stem}.md", folder / f"{stem}.json", folder / f"{stem}.timeline.svg")


@dataclass(frozen=True)
class RunResult:
    markdown_path: Path
    sidecar_path: Path
    summary: MeetingSummary
    transcribed: bool  # False when the transcript came from the cache


class StageClock:
    """Wall time per stage, for the closing line and the sidecar."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        log.info("▸ %s", name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - start, 2)

    def line(self) -> str:
        parts = [f"{name} {secs:.1f} s" for name, secs in self.seconds.items()]
        return (
            "Stage timings: " + " · ".join(parts) + f" · total {sum(self.seconds.values()):.1f} s"
        )


def meeting_date(settings: RunSettings, own_date: str | None = None) -> str:
    """The meeting's date: given, else the transcript file's own, else found in the
    path (Zoom names folders and cloud files by date), else the file's date."""
    for given in (settings.date, own_date):
        if given:
            try:
                return dt.date.fromisoformat(given).isoformat()
            except ValueError:
                raise SettingsError(f"date '{given}' is not a date like 2026-11-12") from None
    if match := _DATE_IN_PATH.search(str(settings.recording.resolve())):
        try:
            return dt.date(*map(int, match.groups())).isoformat()
        except ValueError:
            pass  # looked like a date but is not one (say 2026-02-30): use the file's
    return dt.date.fromtimestamp(settings.recording.stat().st_mtime).isoformat()


def meeting_title(settings: RunSettings) -> str:
    if settings.title:
        return settings.title
    words = re.sub(r"[_\-.]+", " ", settings.recording.stem).strip()
    return words[:1].upper() + words[1:] if words else "Lean Coffee roundtable"


def output_stem(date: str, title: str) -> str:
    slug = slugify(title, max_length=MAX_SLUG_LENGTH, word_boundary=True) or "meeting"
    return f"{date}-{slug}"


def _transcribe_with_progress(
    settings: RunSettings, clock: StageClock, sha256: str, chunk_store: ChunkCache
) -> tuple[Recording, Transcript]:
    """Decode and transcribe as a stream of chunks: memory stays bounded however long
    the meeting, and each finished chunk is cached for a resumed run."""
    from tqdm import tqdm

    options = settings.transcribe
    # closing(): ffmpeg stops at once on an error or Ctrl-C, whichever step raises.
    with closing(ingest.stream_chunks(settings.recording, options.chunk_s)) as chunks:
        with clock.stage("decode"):
            # A file ffmpeg cannot read, or one under a second, fails here, before the
            # model loads; the other chunks are decoded as the transcription reaches them.
            first = next(chunks)
            total_s = (
                ingest.probe_duration_s(settings.recording) or first.end_sample / SAMPLE_RATE_HZ
            )

        @functools.cache
        def engine() -> transcribe.SpeechEngine:
            with clock.stage("load model"):
                return transcribe.load_engine(options, settings.models_dir)

        if chunk_store.get(first) is None:
            _check_language(settings, first)
            engine()  # loaded before the transcribe stage starts: the timings do not overlap
        with (
            clock.stage("transcribe"),
            tqdm(
                total=round(total_s, 1),
                unit="s",
                desc="Transcribing audio",
                disable=not settings.progress,
                bar_format=PROGRESS_FORMAT,
            ) as bar,
        ):

            def advance(seconds_done: float) -> None:
                bar.update(max(0.0, min(seconds_done, total_s) - bar.n))

            done = transcribe.transcribe_chunks(
                itertools.chain([first], chunks), engine, options, chunk_store, advance
            )
    duration_s = done[-1].end_sample / SAMPLE_RATE_HZ
    recording = ingest.recording_info(settings.recording, sha256, duration_s)
    return recording, transcribe.assemble_transcript(done, recording.duration_s, options)


def _check_language(settings: RunSettings, first: AudioChunk) -> None:
    """An English-only model turns other languages into invented English: say which
    language it is and which model to use instead, before transcribing anything."""
    options = settings.transcribe
    if options.language or not transcribe.is_english_only(options.model):
        return
    try:
        detected = transcribe.detect_language(first.samples, settings.models_dir, options.threads())
    except OutputError as exc:  # the check is a courtesy: never fail a run for it
        log.warning("Language not checked: %s", exc)
        return
    if detected is None:
        return
    language, probability = detected
    log.debug("language detected: %s (p=%.2f)", language, probability)
    if language != "en" and probability >= transcribe.MIN_LANGUAGE_PROBABILITY:
        raise InputError(
            f"{settings.recording}: the speech is in {transcribe.language_name(language)} "
            f"('{language}', p={probability:.2f}) but model '{options.model}' is English-only; "
            f"rerun with MODEL=base to transcribe it (or LANGUAGE=en if it is English)"
        )


def _protect_edited_draft(markdown_path: Path, sidecar_path: Path, force: bool) -> None:
    """Refuse to overwrite a summary the organizer has edited since it was generated."""
    if force or not markdown_path.exists():
        return
    import json

    try:
        recorded = json.loads(sidecar_path.read_text(encoding="utf-8")).get("markdown_sha256")
    except (OSError, ValueError):
        recorded = None
    current = render.markdown_digest(markdown_path.read_text(encoding="utf-8"))
    if recorded != current:
        raise OutputError(
            f"{markdown_path}: has been edited since it was generated; move it away or "
            "rerun with FORCE=1 to overwrite it"
        )


def _recording_and_transcript(
    settings: RunSettings, clock: StageClock
) -> tuple[Recording, Transcript, transcript_json.TranscriptInput | None]:
    """From audio (transcribed, cached) or from a transcript JSON (read as is).

    The third value is the transcript file itself, for the agenda, title and date
    it may carry; None for audio.
    """
    if ingest.is_transcript_file(settings.recording):
        with clock.stage("read transcript"):
            given = transcript_json.load_transcript_json(settings.recording)
        return given.recording, given.transcript, given

    sha256 = ingest.file_sha256(settings.recording)
    cache = TranscriptCache(settings.cache_dir)
    key = transcript_key(sha256, settings.transcribe.decoding_settings())
    lock_path = settings.cache_dir / "locks" / f"{key}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # A second run on the same recording waits here, then finds the first one's cache entry.
    with _waiting_lock(lock_path):
        cached = cache.get(key)
        if cached:
            log.info("Transcript found in the cache (%s); not transcribing again", key)
            recording, transcript = cached
            recording = Recording(**{**recording.__dict__, "path": str(settings.recording)})
        else:
            chunk_store = ChunkCache(cache, key)
            recording, transcript = _transcribe_with_progress(settings, clock, sha256, chunk_store)
            cache.put(key, recording, transcript)
            chunk_store.clear()
    if not transcript.segments:
        raise InputError(f"{settings.recording}: no speech found in the recording")
    return recording, transcript, None


@contextmanager
def _waiting_lock(lock_path: Path) -> Iterator[None]:
    """The cache key's lock; says so when another run holds it, then waits for it."""
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.info("Another run is transcribing this recording; waiting for it to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _check_folders_writable(settings: RunSettings) -> None:
    """Fail before an hour of transcription, not after it, when results cannot be kept."""
    for folder, variable in ((settings.outputs_dir, "OUT"), (settings.cache_dir, "CACHE")):
        if problem := fileio.check_writable(folder):
            raise OutputError(
                f"{folder}: cannot write there ({problem.strerror or problem}); "
                f"make it writable or choose another folder with {variable}=..."
            )


def _embedder() -> Callable[[list[str]], np.ndarray]:
    model = models.load_sentence_embedder()

    def embed(texts: list[str]) -> np.ndarray:
        return model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )

    return embed


def summarize(settings: RunSettings) -> RunResult:
    """Recording (or transcript JSON) in, ``outputs/<date>-<slug>.md`` and ``.json`` out."""
    clock = StageClock()
    with clock.stage("check input"):
        ingest.check_recording_path(settings.recording)
        given_agenda = settings.agenda or agenda.find_agenda_beside(settings.recording)
        meeting_agenda = agenda.load_agenda(given_agenda) if given_agenda else None
        meeting_date(settings)  # a malformed DATE fails before any work is done
        _check_folders_writable(settings)

    recording, transcript, own = _recording_and_transcript(settings, clock)
    meeting_agenda = meeting_agenda or (own.agenda if own else None)
    title = settings.title or (own.title if own else None) or meeting_title(settings)
    date = meeting_date(settings, own.date if own else None)

    with clock.stage("load embedder"):
        embed = _embedder()
    with clock.stage("segment"):
        topics = segment.segment_transcript(transcript.segments, meeting_agenda, embed)
    with clock.stage("load language models"):
        nlp, keybert = models.load_spacy(), models.load_keybert()
    with clock.stage("extract"):
        notes = extract.extract_notes(transcript.segments, topics, nlp, keybert)
    with clock.stage("redact"):
        speakers = sorted({s.speaker for s in transcript.segments if s.speaker})
        notes, topics, redactions = redact.redact_notes(
            notes, topics, speakers, nlp, keep_names=settings.attribute
        )

    with clock.stage("render"):
        stem = output_stem(date, title)
        paths = OutputPaths.for_stem(settings.outputs_dir, stem)
        summary = MeetingSummary(
            title=title,
            date=date,
            slug=stem,
            recording=recording,
            transcript=transcript,
            agenda=meeting_agenda,
            segments=topics,
            notes=notes,
            redactions=redactions,
            timebox_minutes=settings.timebox_minutes,
            stage_seconds=dict(clock.seconds),
            generator={"name": "leancoffee-notes", "version": __version__},
        )
        timeline = render.render_timeline(summary, settings.prompts_dir)
        markdown = render.render_markdown(
            summary, settings.prompts_dir, paths.timeline.name if timeline else None
        )
        sidecar = render.render_sidecar(summary, markdown)
        # Two runs on one meeting write one after the other, each checking for edits.
        with FileLock(settings.cache_dir / "locks" / f"outputs-{stem}.lock"):
            _protect_edited_draft(paths.markdown, paths.sidecar, settings.force)
            files = {paths.sidecar: sidecar, **({paths.timeline: timeline} if timeline else {})}
            try:
                # All written before any is renamed; markdown renamed last: it never
                # exists without the files it refers to.
                write_all_atomically({**files, paths.markdown: markdown})
            except OSError as exc:
                raise OutputError(
                    f"{settings.outputs_dir}: cannot write the summary ({exc.strerror or exc}); "
                    "the earlier files there are unchanged"
                ) from exc
    log.info("%s", clock.line())
    return RunResult(
        paths.markdown, paths.sidecar, summary, transcribed="transcribe" in clock.seconds
    )
