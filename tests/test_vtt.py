"""Zoom cloud transcripts (WebVTT) and the name map."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.names import load_name_map
from pipeline.vtt import load_vtt, speaker_and_text

ZOOM_VTT = """\
WEBVTT

1
00:00:05.790 --> 00:00:13.514
Christina: So the first card is engineering metrics.

2
00:00:14.000 --> 00:00:19.250
+1 555 010 0199: We track deployment frequency.

3
00:00:19.500 --> 00:00:21.000
<v Bob Smith>Voice spans work too.</v>

4
00:00:21.500 --> 00:00:23.000
A cue without a speaker.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_zoom_vtt_cues_become_segments_with_their_speakers(tmp_path):
    given = load_vtt(write(tmp_path, "GMT20261112-170102_Recording.transcript.vtt", ZOOM_VTT))
    segments = given.transcript.segments
    assert [(s.speaker, s.text) for s in segments] == [
        ("Christina", "So the first card is engineering metrics."),
        ("+1 555 010 0199", "We track deployment frequency."),
        ("Bob Smith", "Voice spans work too."),
        ("", "A cue without a speaker."),
    ]
    assert (segments[0].start, segments[0].end) == (5.79, 13.514)
    assert [s.index for s in segments] == [0, 1, 2, 3]
    assert given.transcript.duration_s == 23.0
    assert given.recording.format == "vtt"


def test_the_name_map_renames_dial_ins_and_renamed_users(tmp_path):
    names = load_name_map(
        write(tmp_path, "names.yaml", '"+1 555 010 0199": Dana Lee\nbob.smith: facilitator\n')
    )
    given = load_vtt(write(tmp_path, "meeting.transcript.vtt", ZOOM_VTT), names)
    assert [s.speaker for s in given.transcript.segments] == [
        "Christina",
        "Dana Lee",
        "facilitator",
        "",
    ]


def test_a_colon_inside_a_sentence_is_not_a_speaker():
    assert speaker_and_text("Dana: time's up") == ("Dana", "time's up")
    assert speaker_and_text("We did it. Lesson: measure first") == (
        "",
        "We did it. Lesson: measure first",
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("1\n00:00:01.000 --> 00:00:02.000\nDana: hi\n", "not a WebVTT file"),
        ("WEBVTT\n\n00:00:0x.000 --> 00:00:02.000\nDana: hi\n", "malformed WebVTT cue"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nDana: hi\n", "ends before it starts"),
        ("WEBVTT\n", "no cues with text"),
    ],
)
def test_malformed_vtt_is_one_clear_error(tmp_path, text, message):
    path = write(tmp_path, "bad.transcript.vtt", text)
    with pytest.raises(InputError, match=message) as raised:
        load_vtt(path)
    assert str(raised.value).startswith(str(path)) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("Dana: [unclosed\n", "malformed YAML at line"),
        ("- Dana\n- Mark\n", "not a name map"),
        ("Dana:\n", "maps to None"),
    ],
)
def test_malformed_name_map_is_one_clear_error(tmp_path, text, message):
    path = write(tmp_path, "names.yaml", text)
    with pytest.raises(InputError, match=message) as raised:
        load_name_map(path)
    assert str(raised.value).startswith(str(path)) and "\n" not in str(raised.value)
