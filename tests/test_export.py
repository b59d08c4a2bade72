"""Transcript exports (EXPORT=txt,srt,vtt): what the organizer opens beside the recording."""

from __future__ import annotations

import html
import json
import re

import pytest
import webvtt
from conftest import SAMPLES
from test_cli import assert_clean_failure, outputs, run_cli

from pipeline.artifacts import TopicSegment, Transcript, TranscriptSegment
from pipeline.errors import SettingsError
from pipeline.export import parse_formats, render_exports
from pipeline.vtt import load_vtt


def test_formats_are_read_once_each_and_unknown_ones_refused():
    assert parse_formats("srt, VTT,.txt,srt,chapters") == ("srt", "vtt", "txt", "chapters")
    assert parse_formats("") == ()
    with pytest.raises(SettingsError, match="'docx' is not one of txt, srt, vtt, chapters"):
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
    files = render_exports(transcript, topics, ("vtt", "srt", "chapters"), "Roundtable --> 2027")
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

    result = run_cli(tmp_path, timeless, "--export", "txt")
    assert result.returncode == 0, result.stderr
    (text_file,) = [p for p in outputs(tmp_path) if p.suffix == ".txt"]
    text = text_file.read_text()
    turns = json.loads(timeless.read_text())["turns"]
    for turn in turns:
        assert f"{turn['speaker']}: {turn['text']}" in text
    sidecar = json.loads(text_file.with_suffix(".json").read_text())
    headings = [s["title"] for s in sidecar["segments"]]
    assert [h for h in headings if re.search(rf"^{re.escape(h)}$", text, re.M)] == headings
