"""The caches: a second run on the same recording does not transcribe again, and a run
on an unchanged transcript does not segment and extract again.

While a recording is being transcribed, each finished chunk is kept too
(``ChunkCache``), so a run stopped by Ctrl-C or a kill resumes from the last
finished chunk instead of starting over; the chunks go once the whole entry is written.

Keyed on the recording's content hash (not its name or date), the engine, the
model and every decoding setting that changes the text. Entries are written
atomically, so an interrupted run never leaves a half entry behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

from pipeline.artifacts import Agenda, Analysis, AudioChunk, Recording, Transcript
from pipeline.fileio import write_atomically
from pipeline.serialize import (
    from_jsonable,
    recording_from_dict,
    segment_from_dict,
    to_jsonable,
    transcript_from_dict,
)
from pipeline.transcribe import ChunkTranscript

log = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when the cached JSON changes shape


def transcript_key(audio_sha256: str, decoding_settings: dict) -> str:
    material = json.dumps(
        {"format": CACHE_FORMAT, "audio": audio_sha256, "settings": decoding_settings},
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:32]


class TranscriptCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / "transcripts" / f"{key}.json"

    def get(self, key: str) -> tuple[Recording, Transcript] | None:
        path = self._path(key)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return recording_from_dict(data["recording"]), transcript_from_dict(data["transcript"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A damaged entry costs a re-transcription, never a failed run.
            log.warning("Ignoring unreadable cache entry %s (%s)", path, exc)
            return None

    def put(self, key: str, recording: Recording, transcript: Transcript) -> None:
        payload = {"recording": to_jsonable(recording), "transcript": to_jsonable(transcript)}
        try:
            write_atomically(self._path(key), json.dumps(payload, ensure_ascii=False))
        except OSError as exc:
            # The summary can still be written; only the next run is slower.
            log.warning("Could not write the transcript cache %s (%s)", self._path(key), exc)


class ChunkCache:
    """Finished chunks of one transcription in progress: ``transcripts/<key>.chunks/``.

    An entry is used only for the chunk it was made from (same index and sample
    range), so a change in chunking can never mix pieces of two transcriptions.
    """

    def __init__(self, cache: TranscriptCache, key: str) -> None:
        self.folder = cache.folder / "transcripts" / f"{key}.chunks"

    def _path(self, index: int) -> Path:
        return self.folder / f"{index:04d}.json"

    def get(self, chunk: AudioChunk) -> ChunkTranscript | None:
        path = self._path(chunk.index)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            done = ChunkTranscript(
                index=data["index"],
                start_sample=data["start_sample"],
                end_sample=data["end_sample"],
                language=data["language"],
                segments=tuple(segment_from_dict(s) for s in data["segments"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("Ignoring unreadable cached chunk %s (%s)", path, exc)
            return None
        if (done.start_sample, done.end_sample) != (chunk.start_sample, chunk.end_sample):
            return None
        return done

    def put(self, done: ChunkTranscript) -> None:
        try:
            write_atomically(self._path(done.index), json.dumps(to_jsonable(done)))
        except OSError as exc:  # only a resumed run would be slower
            log.warning("Could not cache chunk %d in %s (%s)", done.index + 1, self.folder, exc)

    def clear(self) -> None:
        """Drop the chunks once the whole transcript is cached."""
        shutil.rmtree(self.folder, ignore_errors=True)


ANALYSIS_FORMAT = 1


def _code_digest() -> str:
    """The pipeline's own source and the segmenter's trained boundary models: a change
    to any invalidates cached analyses."""
    from pipeline.segment import BOUNDARY_MODEL_PATH, SPEAKERLESS_MODEL_PATH

    digest = hashlib.sha256()
    paths = sorted(Path(__file__).resolve().parent.glob("*.py")) + [
        BOUNDARY_MODEL_PATH,
        SPEAKERLESS_MODEL_PATH,
    ]
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def analysis_key(transcript: Transcript, agenda: Agenda | None, settings: dict) -> str:
    """Everything segmentation, extraction and redaction depend on: the transcript, the
    agenda, the run's settings and the code itself."""
    material = json.dumps(
        {
            "format": ANALYSIS_FORMAT,
            "transcript": to_jsonable(transcript),
            "agenda": to_jsonable(agenda) if agenda else None,
            "settings": settings,
            "code": _code_digest(),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:32]


class AnalysisCache:
    """Topics, notes and redactions of a transcript, so a warm rerun (say, after editing
    the template) loads no language model at all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / "analyses" / f"{key}.json"

    def get(self, key: str) -> Analysis | None:
        path = self._path(key)
        if not path.exists():
            return None
        try:
            return from_jsonable(Analysis, json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("Ignoring unreadable cache entry %s (%s)", path, exc)
            return None

    def put(self, key: str, analysis: Analysis) -> None:
        try:
            write_atomically(self._path(key), json.dumps(to_jsonable(analysis), ensure_ascii=False))
        except OSError as exc:
            log.warning("Could not write the analysis cache %s (%s)", self._path(key), exc)
