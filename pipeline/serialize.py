"""JSON for the artefacts: the transcript cache and the summary sidecar."""

from __future__ import annotations

import dataclasses
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

SIDECAR_SCHEMA_VERSION = 1


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
        "keyphrases": list(summary.notes.keyphrases),
        "segments": [
            {**to_jsonable(segment), **to_jsonable(notes)}
            for segment, notes in zip(summary.segments, summary.notes.topics, strict=True)
        ],
        "timebox_minutes": summary.timebox_minutes,
        "review": {
            "repetition_loops": [to_jsonable(r) for r in summary.transcript.repetition_loops],
        },
        "redactions": [to_jsonable(r) for r in summary.redactions],
        "stage_seconds": summary.stage_seconds,
        "generator": summary.generator,
        "transcript": to_jsonable(summary.transcript),
    }
