"""The transcript cache: a second run on the same recording does not transcribe again.

Keyed on the recording's content hash (not its name or date), the engine, the
model and every decoding setting that changes the text. Entries are written
atomically, so an interrupted run never leaves a half entry behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from pipeline.artifacts import Recording, Transcript
from pipeline.fileio import write_atomically
from pipeline.serialize import recording_from_dict, to_jsonable, transcript_from_dict

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
