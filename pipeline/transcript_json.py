"""Stage 1, for transcripts: read a meeting transcript JSON instead of audio.

The format is the bench's (``../shared/bench/README.md``): ``turns``, each with
``speaker`` and ``text`` and optionally ``start``/``end`` seconds, and an
optional ``agenda`` list of cards. Nothing is decoded or transcribed; turn i of
the file is segment i of the transcript, so topic segments index the turns.
Any ``reference`` key (an answer key) is never read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.agenda import agenda_from_data
from pipeline.artifacts import Agenda, Recording, Transcript, TranscriptSegment
from pipeline.errors import AgendaError, InputError
from pipeline.ingest import file_sha256

TRANSCRIPT_ENGINE = "transcript file"


@dataclass(frozen=True)
class TranscriptInput:
    recording: Recording
    transcript: Transcript
    agenda: Agenda | None  # the file's own ``agenda`` field, if any
    title: str | None
    date: str | None

    @classmethod
    def read_from(
        cls,
        path: Path,
        segments: list[TranscriptSegment],
        file_format: str,
        language: str,
        engine: str,
        agenda: Agenda | None = None,
        title: str | None = None,
        date: str | None = None,
    ) -> TranscriptInput:
        """A transcript file's turns as the pipeline's recording and transcript."""
        ends = [s.end for s in segments if s.end is not None]
        duration = max(ends) if ends else 0.0
        return cls(
            recording=Recording(
                path=str(path),
                sha256=file_sha256(path),
                size_bytes=path.stat().st_size,
                duration_s=duration,
                format=file_format,
            ),
            transcript=Transcript(
                segments=tuple(segments),
                language=language,
                duration_s=duration,
                engine=engine,
                model="",
                options={},
            ),
            agenda=agenda,
            title=title,
            date=date,
        )


def _seconds(turn: dict, key: str, where: str) -> float | None:
    value = turn.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"{where}: '{key}' must be seconds (a number), not {value!r}")
    return float(value)


def load_transcript_json(path: Path) -> TranscriptInput:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected a transcript JSON)") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    turns = data.get("turns") if isinstance(data, dict) else None
    if not isinstance(turns, list):
        raise InputError(f"{path}: not a transcript (expected an object with a 'turns' list)")

    segments = []
    for i, turn in enumerate(turns):
        where = f"{path}: turn {i}"
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
            raise InputError(f"{where}: each turn needs a 'text' string")
        start, end = _seconds(turn, "start", where), _seconds(turn, "end", where)
        if start is not None and end is not None and end < start:
            raise InputError(f"{where}: ends at {end:g} s, before it starts ({start:g} s)")
        segments.append(
            TranscriptSegment(
                index=i,
                start=start,
                end=end,
                text=turn["text"].strip(),
                speaker=str(turn.get("speaker") or ""),
            )
        )
    if not any(s.text for s in segments):
        raise InputError(f"{path}: the transcript has no text")

    agenda = None
    if data.get("agenda"):
        try:
            agenda = agenda_from_data(data["agenda"], f"{path} (agenda)")
        except AgendaError as exc:
            raise InputError(str(exc)) from None
    return TranscriptInput.read_from(
        path,
        segments,
        file_format="json",
        language=str(data.get("language") or "en"),
        engine=TRANSCRIPT_ENGINE,
        agenda=agenda,
        title=data.get("title") if isinstance(data.get("title"), str) else None,
        date=data.get("date") if isinstance(data.get("date"), str) else None,
    )
