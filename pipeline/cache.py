"""The caches: a second run on the same recording does not transcribe again, and a run
on an unchanged transcript does not segment and extract again.

Keyed on the recording's content hash (not its name or date), the engine, the
model and every decoding setting that changes the text. Entries are written
atomically, so an interrupted run never leaves a half entry behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from pipeline.artifacts import Agenda, Analysis, Recording, Transcript
from pipeline.fileio import write_atomically
from pipeline.serialize import (
    from_jsonable,
    recording_from_dict,
    to_jsonable,
    transcript_from_dict,
)

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


ANALYSIS_FORMAT = 1


def _code_digest() -> str:
    """The pipeline's own source: a change to any stage invalidates cached analyses."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
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
