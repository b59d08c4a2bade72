"""Low-confidence stretches: from Whisper's word probabilities to the review checklist."""

from __future__ import annotations

import json
from dataclasses import replace

from conftest import ROOT

from pipeline.confidence import LOW_MEAN_PROBABILITY, low_confidence_stretches
from pipeline.serialize import transcript_from_dict
from pipeline.transcript_json import load_transcript_json

DEMO_TRANSCRIPT = ROOT / "tests" / "data" / "demo-transcript.json"


def demo_segments():
    """The demo recording as tiny.en heard it (words with their probabilities)."""
    return transcript_from_dict(json.loads(DEMO_TRANSCRIPT.read_text())).segments


def garble(segment, probability: float):
    return replace(segment, words=tuple(replace(w, probability=probability) for w in segment.words))


def test_clear_speech_gives_no_stretch():
    segments = demo_segments()
    assert all(len(s.words) for s in segments)
    assert low_confidence_stretches(segments) == ()


def test_neighbouring_unsure_segments_make_one_stretch():
    segments = list(demo_segments())
    for i in (5, 6, 20):
        segments[i] = garble(segments[i], 0.3)
    stretches = low_confidence_stretches(segments)
    assert [(s.first_segment, s.last_segment) for s in stretches] == [(5, 6), (20, 20)]
    first = stretches[0]
    assert (first.start, first.end) == (segments[5].start, segments[6].end)
    assert first.mean_probability == 0.3 < LOW_MEAN_PROBABILITY
    assert first.text.startswith(" ".join(segments[5].text.split())[:20])
    assert len(first.text) <= 82


def test_a_transcript_without_word_probabilities_gives_none():
    given = load_transcript_json(ROOT / "samples" / "demo-meeting.json")
    assert low_confidence_stretches(given.transcript.segments) == ()


def test_the_review_checklist_lists_each_stretch_with_its_time():
    from pipeline.artifacts import MeetingNotes, MeetingSummary, Recording
    from pipeline.render import clock, render_markdown, render_sidecar

    data = json.loads(DEMO_TRANSCRIPT.read_text())
    transcript = transcript_from_dict(data)
    segments = list(transcript.segments)
    segments[3] = garble(segments[3], 0.25)
    summary = MeetingSummary(
        title="Demo",
        date="2026-11-12",
        slug="2026-11-12-demo",
        recording=Recording("demo-meeting.m4a", "0" * 64, 1, transcript.duration_s, "m4a"),
        transcript=replace(transcript, segments=tuple(segments)),
        agenda=None,
        segments=(),
        notes=MeetingNotes("", (), ()),
        redactions=(),
        timebox_minutes=8.0,
        stage_seconds={},
        generator={},
    )
    markdown = render_markdown(summary, ROOT / "prompts")
    checklist = markdown.split("## Review checklist")[1]
    assert "- [ ] The transcriber was unsure of 1 stretch(es)" in checklist
    assert (
        f"  - {clock(segments[3].start)}–{clock(segments[3].end)}: “" in checklist
        and "(0.25)" in checklist
    )
    sidecar = json.loads(render_sidecar(summary, markdown))
    assert [s["first_segment"] for s in sidecar["review"]["low_confidence"]] == [3]

    clean = render_markdown(replace(summary, transcript=transcript), ROOT / "prompts")
    assert "- [x] No low-confidence stretches in the transcript." in clean
