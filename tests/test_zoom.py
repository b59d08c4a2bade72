"""Zoom recording folders: discovery, participant tracks, talk time, end to end."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import DEMO_DISPLAY_NAMES, SAMPLES
from test_cli import assert_clean_failure, outputs, run_cli

from pipeline.artifacts import SAMPLE_RATE_HZ, Recording, Transcript, TranscriptSegment, Word
from pipeline.errors import InputError
from pipeline.talktime import talk_time
from pipeline.zoom import (
    SpeechChunk,
    TracksSpeech,
    discover,
    folder_title,
    restore_tracks,
    sounding_regions,
    speaker_names,
    track_display_name,
)

FOLDER_NAME = "2026-11-12 10.00.00 Lean Coffee 84938493847"
# The chat seen by everyone, and one direct message that must never reach the output.
SECRET = "salary numbers for the reorg"
TWO_LINE_CHAT = f"""\
00:00:45 From Mark to Everyone:
\tThe book: https://itrevolution.com/accelerate
00:00:52 From Mark to Dana Lee(Direct Message):
\t{SECRET}
00:01:50 From Priya Nair to Everyone:
\tHow long should the buddy stay with a new hire?
"""


@pytest.mark.parametrize(
    "name, expected",
    [
        ("audioJohnSmith98796876.m4a", "John Smith"),
        ("audioDana16778240.m4a", "Dana"),
        ("audioPriya_Nair11.m4a", "Priya Nair"),
        ("audio_only.m4a", None),  # the mixed audio
        ("audio1098796876.m4a", None),  # the mixed audio of older versions
        ("video1098796876.mp4", None),
        ("chat.txt", None),
    ],
)
def test_track_display_name_from_zoom_file_names(name, expected):
    assert track_display_name(Path(name)) == expected


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_discover_finds_audio_tracks_transcript_chat_and_name_map(tmp_path):
    video = touch(tmp_path / "video1098796876.mp4")
    audio = touch(tmp_path / "audio1098796876.m4a")
    tracks = [
        touch(tmp_path / "Audio Record" / "audioJohnSmith98796876.m4a"),
        touch(tmp_path / "Audio Record" / "audioJaneDoe98796877.m4a"),
    ]
    vtt = touch(tmp_path / "GMT20261112-170102_Recording.transcript.vtt")
    chat = touch(tmp_path / "meeting_saved_chat.txt")
    names = touch(tmp_path / "names.yaml")

    found = discover(tmp_path)
    assert found.mixed_audio == audio, "audio is preferred over video"
    assert sorted(t.path for t in found.tracks) == sorted(tracks)
    assert {t.display_name for t in found.tracks} == {"John Smith", "Jane Doe"}
    assert (found.transcript_vtt, found.chat, found.name_map) == (vtt, chat, names)
    assert video not in [t.path for t in found.tracks]


def test_a_folder_without_a_recording_is_one_clear_error(tmp_path):
    touch(tmp_path / "notes.txt")
    with pytest.raises(InputError, match="no Zoom recording in it"):
        discover(tmp_path)


def test_folder_title_drops_zoom_date_time_and_meeting_id():
    assert folder_title(Path(FOLDER_NAME)) == "Lean Coffee"


def _speech(*chunks: SpeechChunk) -> TracksSpeech:
    """Chunks of speech concatenated in the order given, as load_tracks_speech makes them."""
    offsets, at = [], 0
    for chunk in chunks:
        offsets.append(at)
        at += chunk.end - chunk.start
    recording = Recording("meeting", "0" * 64, 1, 60.0, "zoom tracks")
    return TracksSpeech(recording, chunks, tuple(offsets), np.zeros(at, np.float32))


def _joined(*segments: TranscriptSegment) -> Transcript:
    return Transcript(segments, "en", 9.0, "faster-whisper", "tiny.en", {"vad_filter": False})


def test_restore_puts_each_word_back_on_its_track_and_the_meeting_timeline():
    hz = 16_000
    # Dana speaks 0-5 s, Mark answers over her end, 4-8 s: the stream holds both in full.
    speech = _speech(SpeechChunk(0, 0, 5 * hz), SpeechChunk(1, 4 * hz, 8 * hz))
    words = [Word(0.5, 1.5, "Welcome,", 0.9), Word(2.0, 3.0, "everyone.", 0.9),
             Word(5.5, 6.0, "Thanks,", 0.9), Word(6.2, 7.0, "agreed.", 0.9)]  # fmt: skip
    # Whisper heard both in one segment that runs across the change of speaker.
    joined = _joined(TranscriptSegment(0, 0.5, 7.0, "Welcome, everyone. Thanks, agreed.", words))
    restored = restore_tracks(speech, joined, ["Dana", "Mark"])
    assert [(s.index, s.speaker, s.start, s.end, s.text) for s in restored.segments] == [
        (0, "Dana", 0.5, 3.0, "Welcome, everyone."),
        (1, "Mark", 4.5, 6.0, "Thanks, agreed."),
    ]
    assert [w.start for w in restored.segments[1].words] == [4.5, 5.2]
    assert restored.duration_s == 60.0 and restored.options["vad_filter"] is True


def test_batched_windows_hold_whole_snippets_up_to_one_whisper_window():
    hz = 16_000
    lengths_s = [10, 12, 9, 25]
    starts_s = [0, 40, 60, 90]
    speech = _speech(
        *(
            SpeechChunk(k % 2, s * hz, (s + n) * hz)
            for k, (s, n) in enumerate(zip(starts_s, lengths_s, strict=True))
        )
    )
    assert speech.clips(30.0) == ((0.0, 22.0), (22.0, 31.0), (31.0, 56.0))
    assert all(end - start <= 30.0 for start, end in speech.clips(30.0))


def test_overlapping_speech_stays_as_separate_turns_in_time_order():
    hz = 16_000
    speech = _speech(SpeechChunk(0, 0, 5 * hz), SpeechChunk(1, 3 * hz, 6 * hz))
    joined = _joined(
        TranscriptSegment(0, 0.0, 4.5, "So the first card is metrics."),  # no word times
        TranscriptSegment(1, 5.0, 7.5, "Sorry, go ahead."),
    )
    restored = restore_tracks(speech, joined, ["Dana", "Mark"])
    assert [(s.speaker, s.start, s.end) for s in restored.segments] == [
        ("Dana", 0.0, 4.5),
        ("Mark", 3.0, 5.5),
    ]


def test_vad_looks_only_where_a_track_is_not_silent():
    hz = 16_000
    track = np.zeros(60 * hz, np.float32)
    track[10 * hz : 12 * hz] = 0.1  # a word
    track[12 * hz + hz // 2 : 13 * hz] = 0.1  # the next, half a second later
    track[40 * hz : 41 * hz] = 0.0005  # hiss below -60 dBFS
    assert sounding_regions(track) == [(int(7.5 * hz), int(15.5 * hz))]
    assert sounding_regions(np.zeros(5 * hz, np.float32)) == []


def test_two_tracks_mapped_to_one_name_stay_apart():
    from pipeline.names import NameMap
    from pipeline.zoom import ParticipantTrack

    tracks = [ParticipantTrack(Path(f"audio{n}1.m4a"), n) for n in ("Phone One", "Phone Two")]
    names = NameMap({"phoneone": "guest", "phonetwo": "guest"})
    assert speaker_names(tracks, names) == ["guest", "guest (2)"]


def test_talk_time_per_speaker_redacted_to_roles_and_numbers():
    segments = [
        TranscriptSegment(0, 0, 10, "a", speaker="facilitator"),
        TranscriptSegment(1, 10, 40, "b", speaker="Mark"),
        TranscriptSegment(2, 40, 45, "c", speaker="Mark"),
        TranscriptSegment(3, 45, 50, "d", speaker="Priya"),
        TranscriptSegment(4, 50, 60, "e", speaker="Mark"),
    ]
    named = talk_time(segments, keep_names=True, participants=["Mark", "Sam", "Priya"])
    assert [(s.label, s.seconds, s.turns, s.words) for s in named] == [
        ("Mark", 45.0, 2, 3),
        ("facilitator", 10.0, 1, 1),
        ("Priya", 5.0, 1, 1),
        ("Sam", 0.0, 0, 0),  # present (a silent track) but never spoke: listed last
    ]
    redacted = talk_time(segments)
    assert [s.label for s in redacted] == ["Participant 1", "facilitator", "Participant 2"]


def test_talk_time_without_times_ranks_by_words():
    segments = [
        TranscriptSegment(0, None, None, "a short one", speaker="Ann"),
        TranscriptSegment(1, None, None, "a much longer turn than Ann's", speaker="Ben"),
        TranscriptSegment(2, None, None, "yes", speaker="Ann"),
    ]
    talk = talk_time(segments, keep_names=True)
    assert [(s.label, s.seconds, s.words, s.turns) for s in talk] == [
        ("Ben", 0.0, 6, 1),
        ("Ann", 0.0, 4, 2),
    ]


def speaker_at(turns: list[dict], seconds: float) -> str:
    """The ground-truth speaker of the turn nearest ``seconds``."""
    return min(turns, key=lambda t: max(t["start"] - seconds, seconds - t["end"], 0))["speaker"]


def topic_at(segments: list[dict], seconds: float) -> dict:
    return next(s for s in segments if s["start"] <= seconds < s["end"])


@pytest.mark.slow
def test_participant_tracks_end_to_end(tmp_path, zoom_tracks, demo_timing):
    """A Zoom folder of per-participant tracks: every turn goes to the right person."""
    folder = tmp_path / FOLDER_NAME
    (folder / "Audio Record").mkdir(parents=True)
    for track in zoom_tracks.values():
        shutil.copy(track, folder / "Audio Record" / track.name)
    write_silent_track(folder / "Audio Record", "Sam Quiet", demo_timing[-1]["end"] + 1)
    shutil.copy(SAMPLES / "agenda.md", folder / "agenda.md")
    (folder / "names.yaml").write_text("PriyaNair: Priya\n")
    (folder / "chat.txt").write_text(TWO_LINE_CHAT)
    expected_name = {**DEMO_DISPLAY_NAMES, "Priya": "Priya"}  # the name map renames her

    result = run_cli(tmp_path, folder, "--attribute")
    assert result.returncode == 0, result.stderr
    assert "Stage timings:" in result.stderr
    md_path = tmp_path / "outputs" / "2026-11-12-lean-coffee.md"
    sidecar = json.loads(md_path.with_suffix(".json").read_text())
    segments = sidecar["transcript"]["segments"]

    # Every segment is attributed to the speaker who said it, in time order.
    assert len(segments) >= len(demo_timing)
    for segment in segments:
        truth = speaker_at(demo_timing, (segment["start"] + segment["end"]) / 2)
        assert segment["speaker"] == expected_name[truth], segment
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts)
    text = " ".join(s["text"] for s in segments).lower()
    assert "engineering metrics that nobody can cheat" in text
    assert "see you next month" in text

    # Talk time and turns per person match who spoke when (VAD trims some silence).
    truth_seconds: dict[str, float] = {}
    for turn in demo_timing:
        name = expected_name[turn["speaker"]]
        truth_seconds[name] = truth_seconds.get(name, 0) + turn["end"] - turn["start"]
    talk = {s["label"]: s for s in sidecar["speakers"]}
    assert set(talk) == {*truth_seconds, "Sam Quiet"}
    for name, seconds in truth_seconds.items():
        assert talk[name]["seconds"] == pytest.approx(seconds, rel=0.15), name
    assert talk["Dana Lee"]["turns"] == 6 and talk["Oscar"]["turns"] == 4
    # Sam joined (a track) but never unmuted: listed, last, at nothing.
    assert sidecar["speakers"][-1] == {"label": "Sam Quiet", "seconds": 0.0, "turns": 0, "words": 0}

    markdown = md_path.read_text()
    assert "| Dana Lee |" in markdown and "### Talk time" in markdown
    assert "| Sam Quiet | 0 s | 0 |" in markdown
    assert yaml.safe_load(markdown.split("---\n")[1])["recording"] == FOLDER_NAME
    # The chat's link joins the first topic, its question the second; no direct message.
    link_topic, question_topic = (topic_at(sidecar["segments"], t) for t in (45, 110))
    assert "The book: https://itrevolution.com/accelerate" in link_topic["resources"]
    assert link_topic["title"] == "Engineering metrics that nobody can cheat"
    questions = [q for s in sidecar["segments"] for q in s["questions"]]
    assert questions == ["How long should the buddy stay with a new hire?"]
    assert question_topic["questions"] == questions
    assert SECRET not in markdown and SECRET not in json.dumps(sidecar)
    assert "1 direct message left out unread" in markdown

    # Without ATTRIBUTE (transcripts now cached): no names in the published text.
    result = run_cli(tmp_path, folder, "--force")
    assert result.returncode == 0, result.stderr
    assert "▸ transcribe" not in result.stderr
    markdown = md_path.read_text()
    for name in ("Dana", "Lee", "Mark", "Oscar", "Priya", "Sam"):
        assert not re.search(rf"\b{name}\b", markdown), name
    labels = [s["label"] for s in json.loads(md_path.with_suffix(".json").read_text())["speakers"]]
    assert labels == [f"Participant {n}" for n in range(1, 6)]


def write_silent_track(place: Path, display_name: str, seconds: float) -> Path:
    """A participant who never unmuted: Zoom still writes their track, silent throughout."""
    from zoom_tracks import encode_m4a, track_file_name  # bench/, on the path (zoom_tracks)

    path = place / track_file_name(display_name, 16799999)
    encode_m4a(np.zeros(int(seconds * SAMPLE_RATE_HZ), np.float32), path)
    return path


def write_demo_vtt(path: Path, turns: list[dict]) -> Path:
    """The demo meeting as Zoom's cloud transcript would have it."""
    cues = ["WEBVTT", ""]
    for i, turn in enumerate(turns, start=1):
        start, end = (f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}"
                      for t in (turn["start"], turn["end"]))  # fmt: skip
        cues += [str(i), f"{start} --> {end}", f"{turn['speaker']}: {turn['text']}", ""]
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


CLOUD_CHAT = f"""\
00:00:40\tOscar:\tDepends on your team, I guess.
00:00:45\tMark:\tReplying to "Depends on your te..."
\tSee https://dora.dev/research for the four metrics
00:00:46\tPriya:\tReacted to "Depends on..." with 👍
00:01:50\tPriya:\tHow long should the buddy stay with a new hire?
00:01:55\tMark:\t{SECRET}
00:02:30\tQuinn:\tSorry, my mic is broken today: following along here
"""


def test_cloud_transcript_and_chat_end_to_end_without_transcribing(tmp_path, demo_timing):
    folder = tmp_path / FOLDER_NAME
    folder.mkdir()
    write_demo_vtt(folder / "GMT20261112-100000_Recording.transcript.vtt", demo_timing)
    shutil.copy(SAMPLES / "agenda.md", folder / "agenda.md")
    chat = folder / "GMT20261112-100000_RecordingChat.txt"
    chat.write_text(CLOUD_CHAT.replace(f"00:01:55\tMark:\t{SECRET}\n", ""))
    (folder / "names.yaml").write_text("Dana: facilitator\n")

    result = run_cli(tmp_path, folder, "--chat", str(chat))
    assert result.returncode == 0, result.stderr
    assert "▸ transcribe" not in result.stderr and "▸ decode" not in result.stderr
    md_path = tmp_path / "outputs" / "2026-11-12-lean-coffee.md"
    sidecar = json.loads(md_path.with_suffix(".json").read_text())
    segments = sidecar["transcript"]["segments"]
    assert [s["speaker"] for s in segments] == [
        "facilitator" if t["speaker"] == "Dana" else t["speaker"] for t in demo_timing
    ]
    assert sidecar["transcript"]["engine"] == "Zoom transcript (WebVTT)"
    link_topic, question_topic = (topic_at(sidecar["segments"], t) for t in (45, 110))
    assert link_topic["title"] == "Engineering metrics that nobody can cheat"
    assert "See https://dora.dev/research for the four metrics" in link_topic["resources"]
    assert question_topic["questions"] == ["How long should the buddy stay with a new hire?"]
    assert "Depends on your team" not in json.dumps(sidecar["segments"]), "not a link/question"
    # Redacted talk time: the facilitator keeps the role, the others become numbers;
    # Quinn, who only wrote in the chat, comes last at nothing.
    labels = {s["label"] for s in sidecar["speakers"]}
    assert labels == {"facilitator", *(f"Participant {n}" for n in range(1, 5))}
    assert sidecar["speakers"][-1] == {
        "label": "Participant 4",
        "seconds": 0.0,
        "turns": 0,
        "words": 0,
    }


def test_a_vtt_file_as_the_recording(tmp_path, demo_timing):
    vtt = write_demo_vtt(tmp_path / "meeting.vtt", demo_timing[:6])
    result = run_cli(tmp_path, vtt, "--date", "2026-11-12")
    assert result.returncode == 0, result.stderr
    sidecar = json.loads((tmp_path / "outputs" / "2026-11-12-meeting.json").read_text())
    assert [s["speaker"] for s in sidecar["transcript"]["segments"]] == [
        t["speaker"] for t in demo_timing[:6]
    ]


BAD_COMPANIONS = {
    "chat": ("chat.txt", "Meeting notes\nnothing here\n", "line 1 is not a chat message"),
    "name map": ("names.yaml", "- Dana\n", "not a name map"),
    "transcript": ("meeting.transcript.vtt", "no header\n", "not a WebVTT file"),
}


@pytest.mark.parametrize("case", sorted(BAD_COMPANIONS))
def test_a_bad_zoom_file_is_one_line_and_keeps_earlier_outputs(tmp_path, demo_timing, case):
    folder = tmp_path / FOLDER_NAME
    folder.mkdir()
    write_demo_vtt(folder / "GMT20261112-100000_Recording.transcript.vtt", demo_timing[:6])
    assert run_cli(tmp_path, folder).returncode == 0
    before = {p.name: p.read_bytes() for p in outputs(tmp_path)}

    name, text, message = BAD_COMPANIONS[case]
    bad = folder / name
    if case == "transcript":  # it replaces the good transcript
        (folder / "GMT20261112-100000_Recording.transcript.vtt").unlink()
    bad.write_text(text)
    result = run_cli(tmp_path, folder, "--force")
    assert_clean_failure(result, 3, str(bad), message)
    assert {p.name: p.read_bytes() for p in outputs(tmp_path)} == before


def test_a_folder_with_only_the_mixed_audio_is_transcribed_as_one_recording(tmp_path, jfk):
    folder = tmp_path / FOLDER_NAME
    folder.mkdir()
    shutil.copy(jfk, folder / "audio_only.m4a")  # ffmpeg reads the content, not the name
    (folder / "chat.txt").write_text(
        "00:00:03 From Dana Lee : Where is that quote from?\n"
        f"00:00:04 From Mark to Dana Lee(Direct Message) : {SECRET}\n"
    )
    result = run_cli(tmp_path, folder)
    assert result.returncode == 0, result.stderr
    sidecar = json.loads((tmp_path / "outputs" / "2026-11-12-lean-coffee.json").read_text())
    assert Path(sidecar["recording"]["path"]).name == "audio_only.m4a"
    heard = " ".join(s["text"] for s in sidecar["transcript"]["segments"])
    assert "ask not what your country can do for you" in heard
    assert sidecar["speakers"] == []  # one mixed track: nobody to tell apart
    assert [q for s in sidecar["segments"] for q in s["questions"]] == ["Where is that quote from?"]
    assert SECRET not in (tmp_path / "outputs" / "2026-11-12-lean-coffee.md").read_text()
