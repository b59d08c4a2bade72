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
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from filelock import FileLock, Timeout
from slugify import slugify

from pipeline import (
    __version__,
    agenda,
    chat,
    export,
    extract,
    fileio,
    ingest,
    llm,
    models,
    redact,
    render,
    segment,
    talktime,
    transcribe,
    transcript_json,
    vtt,
    zoom,
)
from pipeline.artifacts import (
    SAMPLE_RATE_HZ,
    Agenda,
    Analysis,
    AudioChunk,
    DecodedAudio,
    MeetingNotes,
    MeetingSummary,
    Recording,
    TopicSegment,
    Transcript,
)
from pipeline.cache import (
    AnalysisCache,
    ChunkCache,
    TranscriptCache,
    analysis_key,
    transcript_key,
)
from pipeline.errors import InputError, OutputError, SettingsError
from pipeline.fileio import write_all_atomically
from pipeline.names import NameMap, find_name_map_beside, load_name_map
from pipeline.serialize import to_jsonable
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
    prompts_dir: Path = render.PROMPTS_DIR
    force: bool = False  # overwrite a draft that the organizer has edited
    attribute: bool = False  # keep participants' names in published text (ATTRIBUTE=1)
    timebox_minutes: float = 8.0  # the Lean Coffee timebox each card gets
    names: Path | None = None  # Zoom display name -> preferred name; default names.yaml beside
    chat: Path | None = None  # the Zoom chat; default chat.txt/meeting_saved_chat.txt beside
    chat_start_s: float = 0.0  # the chat's clock at the recording's start (CHAT_START)
    llm: llm.LLMSettings | None = None  # LLM mode (LEANCOFFEE_LLM_* variables); None: off
    exports: tuple[str, ...] = ()  # files beside the summary: txt, srt, vtt, chapters, actions
    progress: bool = True


@dataclass(frozen=True)
class OutputPaths:
    markdown: Path
    sidecar: Path
    timeline: Path

    @classmethod
    def for_stem(cls, folder: Path, stem: str) -> OutputPaths:
        return cls(folder / f"{stem}.md", folder / f"{stem}.json", folder / f"{stem}.timeline.svg")

    def export(self, fmt: str) -> Path:
        """An export: ``<stem>.txt``, ``.srt``, ``.vtt``, ``.chapters.vtt``, ``.actions.md``."""
        return self.markdown.with_suffix(export.SUFFIXES[fmt])


@dataclass(frozen=True)
class RunResult:
    markdown_path: Path
    sidecar_path: Path
    summary: MeetingSummary
    transcribed: bool  # False when the transcript came from the cache


class StageClock:
    """Wall time per stage, for the closing line and the sidecar.

    A stage run inside another (decoding the next chunk while transcribing, a model
    loaded on first use) counts for itself only: the stages add up to the wall time.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._counted = 0.0  # seconds given to any stage so far

    @contextmanager
    def stage(self, name: str, announce: bool = True) -> Iterator[None]:
        if announce:  # not for steps repeated under a progress bar
            log.info("▸ %s", name)
        start, counted_before = time.perf_counter(), self._counted
        try:
            yield
        finally:
            nested = self._counted - counted_before
            own = time.perf_counter() - start - nested
            self.seconds[name] = round(self.seconds.get(name, 0.0) + own, 2)
            self._counted += own

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
    if settings.recording.is_dir():
        return zoom.folder_title(settings.recording)
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
        with _transcribing(settings, clock, total_s) as advance:
            done = transcribe.transcribe_chunks(
                itertools.chain([first], _decoding(chunks, clock)),
                engine,
                options,
                chunk_store,
                advance,
            )
    duration_s = done[-1].end_sample / SAMPLE_RATE_HZ
    recording = ingest.recording_info(settings.recording, sha256, duration_s)
    return recording, transcribe.assemble_transcript(done, recording.duration_s, options)


def _decoding(chunks: Iterator[AudioChunk], clock: StageClock) -> Iterator[AudioChunk]:
    """The chunks, each one's decoding timed as the decode stage (it runs inside transcribe)."""
    while True:
        with clock.stage("decode", announce=False):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


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


def _transcribe_audio_with_progress(
    settings: RunSettings,
    clock: StageClock,
    audio: DecodedAudio,
    options: TranscribeOptions,
    clips: transcribe.Clips | None = None,
) -> Transcript:
    with clock.stage("load model"):
        engine = transcribe.load_engine(options, settings.models_dir)
    with _transcribing(settings, clock, audio.recording.duration_s) as advance:
        return transcribe.transcribe(audio, engine, options, advance, clips)


@contextmanager
def _transcribing(
    settings: RunSettings, clock: StageClock, total_s: float
) -> Iterator[transcribe.ProgressCallback]:
    """The transcribe stage with its progress bar over seconds of audio; yields the
    callback that engines call with the seconds done so far."""
    from tqdm import tqdm

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
            # Whisper's last segment may end past the probed (and rounded) duration.
            done = min(seconds_done, bar.total)
            if done > bar.n:
                bar.update(done - bar.n)
                bar.n = done  # exact: summed float steps could read just past the end

        yield advance


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
    chunk_store = ChunkCache(cache, key)
    recording, transcript = _cached_transcript(
        cache, key, lambda: _transcribe_with_progress(settings, clock, sha256, chunk_store)
    )
    chunk_store.clear()
    recording = replace(recording, path=str(settings.recording))
    if not transcript.segments:
        raise InputError(f"{settings.recording}: no speech found in the recording")
    return recording, transcript, None


def _cached_transcript(
    cache: TranscriptCache, key: str, transcribe_now: Callable[[], tuple[Recording, Transcript]]
) -> tuple[Recording, Transcript]:
    """The cache's transcript for key, else transcribe_now()'s, cached.

    A second run on the same input waits for the first, then finds its entry.
    """
    lock_path = cache.folder / "locks" / f"{key}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with _waiting_lock(lock_path):
        cached = cache.get(key)
        if cached:
            log.info("Transcript found in the cache (%s); not transcribing again", key)
            return cached
        recording, transcript = transcribe_now()
        cache.put(key, recording, transcript)
        return recording, transcript


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


@dataclass(frozen=True)
class ZoomCompanions:
    """What a Zoom folder (or the folder of a recording) adds to the audio."""

    folder: zoom.ZoomFolder | None
    transcript_vtt: Path | None
    names: NameMap
    chat_log: chat.ChatLog | None


def _zoom_companions(settings: RunSettings) -> ZoomCompanions:
    """Read the Zoom folder, name map and chat up front, so bad files fail before any work."""
    folder = zoom.discover(settings.recording) if settings.recording.is_dir() else None
    if folder is None and settings.recording.suffix.lower() != vtt.VTT_SUFFIX:
        ingest.check_recording_path(settings.recording)
    where = settings.recording if folder else settings.recording.parent
    names_path = settings.names or find_name_map_beside(where)
    names = load_name_map(names_path) if names_path else NameMap()
    chat_path = settings.chat or chat.find_chat_beside(where)
    chat_log = chat.load_chat(chat_path, names, settings.chat_start_s) if chat_path else None
    if folder:
        transcript_vtt = folder.transcript_vtt
    elif settings.recording.suffix.lower() == vtt.VTT_SUFFIX:
        transcript_vtt = settings.recording
    elif ingest.is_transcript_file(settings.recording):
        transcript_vtt = None  # a transcript JSON given: that is the transcript
    else:  # a cloud transcript beside the audio saves transcribing it
        transcript_vtt = zoom.find_zoom_transcript_vtt(where)
    return ZoomCompanions(folder, transcript_vtt, names, chat_log)


def _zoom_input(
    settings: RunSettings, clock: StageClock, found: ZoomCompanions
) -> tuple[Recording, Transcript, transcript_json.TranscriptInput | None] | None:
    """The transcript from a Zoom transcript or participant tracks; None: use the audio."""
    if found.transcript_vtt:
        log.info("Using the Zoom transcript %s; nothing to transcribe", found.transcript_vtt)
        with clock.stage("read transcript"):
            given = vtt.load_vtt(
                found.transcript_vtt, found.names, settings.transcribe.language or "en"
            )
        return given.recording, given.transcript, given
    if found.folder and found.folder.tracks:
        return (*_transcribe_tracks(settings, clock, found.folder, found.names), None)
    return None


def _transcribe_tracks(
    settings: RunSettings, clock: StageClock, folder: zoom.ZoomFolder, names: NameMap
) -> tuple[Recording, Transcript]:
    """Every participant track's speech transcribed in one pass (cached), then put back
    on the meeting's timeline with the track's speaker."""
    tracks = folder.tracks
    for track, speaker in zip(tracks, zoom.speaker_names(tracks, names), strict=True):
        log.info("Participant track %s: %s", track.path.name, speaker)
    sha256 = zoom.tracks_sha256(tracks)
    cache = TranscriptCache(settings.cache_dir)
    # Speakers are cached as track file names: a new name map needs no new transcription.
    file_names = [t.path.name for t in tracks]
    key = transcript_key(
        sha256,
        {
            **settings.transcribe.decoding_settings(),
            "zoom_tracks": file_names,
            "join_pause_s": zoom.JOIN_PAUSE_S,
            "window_s": zoom.WINDOW_S,
        },
    )

    def transcribe_tracks_now() -> tuple[Recording, Transcript]:
        with clock.stage("decode"):
            speech = zoom.load_tracks_speech(folder.folder, tracks, sha256)
        if not speech.chunks:
            raise InputError(f"{folder.folder}: no speech found in any participant track")
        audio = DecodedAudio(
            replace(speech.recording, duration_s=len(speech.samples) / SAMPLE_RATE_HZ),
            speech.samples,
        )
        # VAD already ran per track: the stream holds only speech, in snippets
        # that batched decoding takes as its windows.
        options = replace(settings.transcribe, vad_filter=False)
        joined = _transcribe_audio_with_progress(settings, clock, audio, options, speech.clips())
        return speech.recording, zoom.restore_tracks(speech, joined, file_names)

    recording, transcript = _cached_transcript(cache, key, transcribe_tracks_now)
    recording = replace(recording, path=str(folder.folder))
    speakers = dict(zip(file_names, zoom.speaker_names(tracks, names), strict=True))
    transcript = zoom.rename_speakers(transcript, speakers)
    # A track whose person never spoke still shows who was there.
    transcript = replace(transcript, participants=tuple(speakers.values()))
    if not transcript.segments:
        raise InputError(f"{folder.folder}: no speech found in any participant track")
    return recording, transcript


def _analyse(
    settings: RunSettings,
    clock: StageClock,
    transcript: Transcript,
    meeting_agenda: Agenda | None,
    chat_log: chat.ChatLog | None,
    title: str,
) -> Analysis:
    """Topics, notes and redactions: from the cache when nothing they depend on changed."""
    cache = AnalysisCache(settings.cache_dir)
    key = analysis_key(
        transcript,
        meeting_agenda,
        {
            "chat": to_jsonable(chat_log) if chat_log else None,
            "title": title,  # the LLM prompts name the meeting
            "attribute": settings.attribute,
            "timebox_minutes": settings.timebox_minutes,
            # An optional LLM endpoint changes the notes (the key is a hash: no secret kept).
            "environment": {k: v for k, v in os.environ.items() if k.startswith("LEANCOFFEE_")},
        },
    )
    if cached := cache.get(key):
        log.info("Topics and notes found in the cache (%s); not analysing again", key)
        return cached

    with clock.stage("load embedder"):
        embed = models.sentence_embedder()
    with clock.stage("segment"):
        parked = segment.parked_cards(transcript.segments, meeting_agenda, embed)
        topics = segment.segment_transcript(
            transcript.segments, meeting_agenda, embed, parked=parked
        )
    with clock.stage("load language models"):
        nlp, keybert = models.load_spacy(), models.load_keybert()
    with clock.stage("extract"):
        notes = extract.extract_notes(transcript.segments, topics, nlp, keybert)
        topics = extract.retitled(topics, [n.keyphrases for n in notes.topics])
    if settings.llm is not None:
        with clock.stage("llm"):  # falls back to the offline notes part by part
            notes = llm.rewrite_notes(
                transcript.segments, topics, notes, settings.llm, settings.prompts_dir, title
            )
    review_notes: tuple[str, ...] = ()
    if chat_log:
        notes, review_notes = _with_chat(notes, topics, transcript, chat_log)
    actions_as_said = tuple(topic.action_items for topic in notes.topics)
    with clock.stage("redact"):
        # Silent participants too: others may name them ("thanks, Priya").
        spoke = {s.speaker for s in transcript.segments if s.speaker}
        speakers = sorted({*spoke, *transcript.participants})
        if chat_log:
            speakers = sorted({*speakers, *(m.sender for m in chat_log.messages)})
        # And whoever introduced themselves ("my name's Cat"), wherever it was said.
        introduced = redact.introduced_names([s.text for s in transcript.segments])
        speakers = sorted({*speakers, *introduced})
        notes, topics, redactions = redact.redact_notes(
            notes, topics, speakers, nlp, keep_names=settings.attribute
        )
        parked, parked_redactions = redact.redact_parked(
            parked, speakers, nlp, keep_names=settings.attribute
        )
    analysis = Analysis(
        segments=topics,
        notes=notes,
        redactions=redactions + parked_redactions,
        review_notes=review_notes,
        actions_as_said=actions_as_said,
        parked=parked,
    )
    llm_fell_back = settings.llm is not None and (
        notes.llm is None
        or not notes.llm.overview
        or len(notes.llm.topics) < sum(t.kind == "topic" for t in topics)
    )
    if not llm_fell_back:  # a later run may reach the endpoint: do not keep the fallback
        cache.put(key, analysis)
    return analysis


def summarize(settings: RunSettings) -> RunResult:
    """Recording (or transcript JSON) in, ``outputs/<date>-<slug>.md`` and ``.json`` out."""
    clock = StageClock()
    with clock.stage("check input"):
        companions = _zoom_companions(settings)
        given_agenda = settings.agenda or _agenda_beside(settings.recording)
        meeting_agenda = agenda.load_agenda(given_agenda) if given_agenda else None
        meeting_date(settings)  # a malformed DATE fails before any work is done
        _check_folders_writable(settings)

    recording, transcript, own = _zoom_input(settings, clock, companions) or (
        _recording_and_transcript(_audio_settings(settings, companions), clock)
    )
    meeting_agenda = meeting_agenda or (own.agenda if own else None)
    title = settings.title or (own.title if own else None) or meeting_title(settings)
    date = meeting_date(settings, own.date if own else None)
    timed_only = sorted(export.TIMED_FORMATS.intersection(settings.exports))
    if timed_only and not export.is_timed(transcript):  # before the analysis, not after
        raise InputError(
            f"{settings.recording}: the transcript has no times, so it cannot be exported "
            f"as {' or '.join(timed_only)}; EXPORT=txt can"
        )

    analysis = _analyse(settings, clock, transcript, meeting_agenda, companions.chat_log, title)
    topics, notes, redactions = analysis.segments, analysis.notes, analysis.redactions
    chatted = [m.sender for m in companions.chat_log.messages] if companions.chat_log else []
    talk = talktime.talk_time(
        transcript.segments,
        keep_names=settings.attribute,
        participants=[*transcript.participants, *chatted],
    )
    review_notes = analysis.review_notes

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
            speakers=talk,
            review_notes=review_notes,
            names_kept=settings.attribute,
            parked=analysis.parked,
        )
        timeline = render.render_timeline(summary, settings.prompts_dir)
        markdown = render.render_markdown(
            summary, settings.prompts_dir, paths.timeline.name if timeline else None
        )
        sidecar = render.render_sidecar(summary, markdown)
        board = meeting_agenda.cards if meeting_agenda is not None else ()
        exported = export.render_exports(
            transcript,
            topics,
            analysis.actions_as_said,
            settings.exports,
            title,
            analysis.parked,
            board,
        )
        # Two runs on one meeting write one after the other, each checking for edits.
        with FileLock(settings.cache_dir / "locks" / f"outputs-{stem}.lock"):
            _protect_edited_draft(paths.markdown, paths.sidecar, settings.force)
            files = {paths.sidecar: sidecar, **({paths.timeline: timeline} if timeline else {})}
            files.update({paths.export(fmt): text for fmt, text in exported.items()})
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


def _agenda_beside(recording: Path) -> Path | None:
    if recording.is_dir():  # a Zoom folder: the agenda sits inside it
        return next((recording / n for n in agenda.AGENDA_NAMES if (recording / n).is_file()), None)
    return agenda.find_agenda_beside(recording)


def _audio_settings(settings: RunSettings, found: ZoomCompanions) -> RunSettings:
    """For a Zoom folder without tracks or transcript: its mixed audio."""
    if found.folder is None:
        return settings
    return replace(settings, recording=found.folder.mixed_audio)


def _with_chat(
    notes: MeetingNotes,
    topics: Sequence[TopicSegment],
    transcript: Transcript,
    chat_log: chat.ChatLog,
) -> tuple[MeetingNotes, tuple[str, ...]]:
    """Chat links, named resources and questions joined to their topics, and a line for
    the reviewer."""
    notes, unplaced = chat.attach_chat(notes, topics, chat_log.messages, transcript.duration_s)
    line = (
        f"Chat {Path(chat_log.source).name}: {_count(len(chat_log.messages), 'message')} read, "
        f"links, named resources and questions joined to their topics by time; "
        f"{_count(chat_log.direct_messages_skipped, 'direct message')} left out unread"
    )
    if unplaced:
        line += (
            f"; {_count(len(unplaced), 'resource or question', 'resources or questions')} "
            "outside the recording: if the chat shows the time of day, rerun with CHAT_START "
            "set to the clock time the recording began"
        )
    return notes, (line,)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
