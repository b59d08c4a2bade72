"""Transcript exports (EXPORT=txt,srt,vtt): what the organizer opens beside the recording."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace

import pytest
import webvtt
from conftest import ROOT, SAMPLES
from test_cli import assert_clean_failure, outputs, run_cli

from pipeline.artifacts import TopicSegment, Transcript, TranscriptSegment
from pipeline.errors import SettingsError
from pipeline.export import parse_formats, render_exports
from pipeline.render import render_markdown
from pipeline.vtt import load_vtt


def test_formats_are_read_once_each_and_unknown_ones_refused():
    assert parse_formats("srt, VTT,.txt,srt,chapters") == ("srt", "vtt", "txt", "chapters")
    assert parse_formats("") == ()
    with pytest.raises(
        SettingsError, match="'docx' is not one of txt, srt, vtt, chapters, actions"
    ):
        parse_formats("txt,docx")


def test_webvtt_export_reads_back_as_the_same_transcript(tmp_path):
    said = [
        ("Dana", 0.0, 4.04, "Welcome, everyone."),
        ("Mark Lee", 4.8, 9.42, "Our R&D budget <grew>, and pages --> tickets."),
        ("", 3725.5, 3729.125, "An unknown voice, past the first hour."),
    ]
    transcript = Transcript(
        segments=tuple(
            TranscriptSegment(i, start, end, text, speaker=who)
            for i, (who, start, end, text) in enumerate(said)
        ),
        language="en",
        duration_s=3730.0,
        engine="test",
        model="none",
        options={},
    )
    topics = [
        TopicSegment("Opening", "opening", None, 0, 0, 0.0, 4.04),
        TopicSegment("R&D budgets", "topic", 0, 1, 2, 4.8, 3729.125),
    ]
    files = render_exports(
        transcript, topics, [()] * len(topics), ("vtt", "srt", "chapters"), "Roundtable --> 2027"
    )
    assert files["vtt"].startswith("WEBVTT\n\nNOTE Roundtable -> 2027\n")
    path = tmp_path / "meeting.vtt"
    path.write_text(files["vtt"])
    back = load_vtt(path).transcript.segments
    assert [(s.speaker, s.start, s.end) for s in back] == [(w, a, b) for w, a, b, _ in said]
    assert back[1].text == "Our R&D budget <grew>, and pages -> tickets."
    assert "01:02:05,500 --> 01:02:09,125\nAn unknown voice" in files["srt"]
    # SubRip has no escapes: "&" stays as said (players read "<...>" as tags anyway).
    assert "Mark Lee: Our R&D budget" in files["srt"] and "&amp;" not in files["srt"]
    chapters_path = tmp_path / "meeting.chapters.vtt"
    chapters_path.write_text(files["chapters"])
    chapters = webvtt.read(str(chapters_path))
    assert [(c.start, c.end) for c in chapters] == [
        ("00:00:00.000", "00:00:04.040"),
        ("00:00:04.800", "01:02:09.125"),
    ]
    assert [html.unescape(c.text) for c in chapters] == ["Opening", "R&D budgets"]


def test_the_demo_exports_every_turn_and_a_timeless_transcript_only_as_text(tmp_path):
    timeless = SAMPLES / "demo-meeting.json"
    refused = run_cli(tmp_path, timeless, "--export", "txt,srt")
    assert_clean_failure(refused, 3, str(timeless), "no times", "srt", "EXPORT=txt")
    assert outputs(tmp_path) == [], "nothing is written"

    # The action names another participant, Priya.
    script = json.loads(timeless.read_text())
    (turn,) = [t for t in script["turns"] if "I'll share our onboarding" in t["text"]]
    turn["text"] = turn["text"].replace("in the repo", "with Priya")
    named = tmp_path / "demo-meeting.json"
    named.write_text(json.dumps(script))
    result = run_cli(tmp_path, named, "--export", "txt,actions")
    assert result.returncode == 0, result.stderr
    (text_file,) = [p for p in outputs(tmp_path) if p.suffix == ".txt"]
    # The organizer's follow-up list names who took each action on, and whom it
    # involves; the summary names neither.
    (actions_file,) = [p for p in outputs(tmp_path) if p.name.endswith(".actions.md")]
    assert (
        "- [ ] Mark: I'll share our onboarding checklist with Priya after this call. "
        "(Onboarding senior hires remotely)"
    ) in actions_file.read_text().splitlines()
    # "The last card, hiring for staff engineer roles, goes to the parking lot": the
    # next board's first candidate.
    parking_lot = actions_file.read_text().split("## Parking lot: carry over to the next board")
    assert parking_lot[1].strip() == "- [ ] Hiring for staff engineer roles"
    summary = text_file.with_suffix(".md").read_text()
    assert (
        "- [ ] I'll share our onboarding checklist with a participant after this call.\n" in summary
    )
    text = text_file.read_text()
    for turn in script["turns"]:
        assert f"{turn['speaker']}: {turn['text']}" in text
    sidecar = json.loads(text_file.with_suffix(".json").read_text())
    headings = [s["title"] for s in sidecar["segments"]]
    assert [h for h in headings if re.search(rf"^{re.escape(h)}$", text, re.M)] == headings


def test_the_summary_shows_an_action_owner_only_when_names_are_kept():
    from pipeline.artifacts import ActionItem, MeetingNotes, MeetingSummary, Recording, TopicNotes

    transcript = Transcript((), "en", 0.0, "test", "none", {})
    actions = (
        ActionItem("I'll send the interview rubric by Friday.", owner="Oscar Diaz"),
        ActionItem("I'll book the room for the next meeting.", owner="facilitator"),
        ActionItem("Let's all bring one story next time.", owner=None),
    )
    summary = MeetingSummary(
        title="Hiring",
        date="2026-11-12",
        slug="2026-11-12-hiring",
        recording=Recording("hiring.m4a", "0" * 64, 1, 0.0, "m4a"),
        transcript=transcript,
        agenda=None,
        segments=(TopicSegment("Hiring", "topic", None, 0, 0, None, None),),
        notes=MeetingNotes("", (), (TopicNotes((), (), actions, ()),)),
        redactions=(),
        timebox_minutes=8.0,
        stage_seconds={},
        generator={},
    )
    lines = [
        "- [ ] I'll send the interview rubric by Friday.",
        "- [ ] I'll book the room for the next meeting. — facilitator",  # a role is no name
        "- [ ] Let's all bring one story next time.",
    ]
    chatham = render_markdown(summary, ROOT / "prompts")
    assert all(line in chatham.splitlines() for line in lines)
    assert "Oscar" not in chatham
    lines[0] += " — Oscar Diaz"
    named = render_markdown(replace(summary, names_kept=True), ROOT / "prompts")
    assert all(line in named.splitlines() for line in lines)
