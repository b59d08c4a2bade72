"""JSON for the artefacts: the transcript cache and the summary sidecar."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from pipeline.artifacts import (
    Agenda,
    AgendaCard,
    MeetingSummary,
    Recording,
    RepetitionLoop,
    Transcript,
    TranscriptSegment,
    Word,
)
from pipeline.confidence import low_confidence_stretches

# 2: a topic's action_items are objects (text, owner, start), no longer strings.
SIDECAR_SCHEMA_VERSION = 2


def to_jsonable(obj: Any) -> Any:
    """A dataclass (nested tuples included) as plain JSON-ready values."""
    return dataclasses.asdict(obj)


def segment_from_dict(data: dict) -> TranscriptSegment:
    return TranscriptSegment(
        index=data["index"],
        start=data["start"],
        end=data["end"],
        text=data["text"],
        words=tuple(Word(**w) for w in data.get("words", ())),
        speaker=data.get("speaker", ""),
    )


def transcript_from_dict(data: dict) -> Transcript:
    segments = tuple(segment_from_dict(s) for s in data["segments"])
    return Transcript(
        segments=segments,
        language=data["language"],
        duration_s=data["duration_s"],
        engine=data["engine"],
        model=data["model"],
        options=data["options"],
        repetition_loops=tuple(RepetitionLoop(**r) for r in data.get("repetition_loops", ())),
        participants=tuple(data.get("participants", ())),
    )


def recording_from_dict(data: dict) -> Recording:
    return Recording(**data)


def agenda_from_dict(data: dict | None) -> Agenda | None:
    if data is None:
        return None
    return Agenda(cards=tuple(AgendaCard(**c) for c in data["cards"]), source=data["source"])


def summary_to_sidecar(summary: MeetingSummary) -> dict:
    """The machine-readable sidecar written beside the markdown."""
    return {
        "schema_version": SIDECAR_SCHEMA_VERSION,
        "title": summary.title,
        "date": summary.date,
        "slug": summary.slug,
        "status": "draft",
        "recording": to_jsonable(summary.recording),
        "duration_s": summary.transcript.duration_s,
        "language": summary.transcript.language,
        "agenda": to_jsonable(summary.agenda) if summary.agenda else None,
        "overview": summary.notes.overview,
        "llm": to_jsonable(summary.notes.llm) if summary.notes.llm else None,
        "keyphrases": list(summary.notes.keyphrases),
        "segments": [
            {**to_jsonable(segment), **to_jsonable(notes)}
            for segment, notes in zip(summary.segments, summary.notes.topics, strict=True)
        ],
        "parking_lot": [to_jsonable(p) for p in summary.parked],
        "timebox_minutes": summary.timebox_minutes,
        "review": {
            "repetition_loops": [to_jsonable(r) for r in summary.transcript.repetition_loops],
            "notes": list(summary.review_notes),
            "low_confidence": [
                to_jsonable(s) for s in low_confidence_stretches(summary.transcript.segments)
            ],
        },
        "speakers": [to_jsonable(s) for s in summary.speakers],
        "redactions": [to_jsonable(r) for r in summary.redactions],
        "stage_seconds": summary.stage_seconds,
        "generator": summary.generator,
        "transcript": to_jsonable(summary.transcript),
    }


def from_jsonable(cls: Any, data: Any) -> Any:
    """The inverse of ``to_jsonable`` for the artefact dataclasses, driven by their type
    hints (tuples, optionals, nested dataclasses), so a new field round-trips unaided."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name in data:
            values[field.name] = _convert(hints[field.name], data[field.name])
    return cls(**values)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        (item, *_rest) = typing.get_args(hint)
        return tuple(_convert(item, v) for v in value)
    if dataclasses.is_dataclass(hint):
        return from_jsonable(hint, value)
    return value
