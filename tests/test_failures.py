"""Failure modes, run as the organizer runs them: the CLI on real files, real models.

Every bad input gets one line naming the file and what is wrong, its exit code (the
README's table), no traceback, and nothing in outputs/. Then the cases where the run
must survive: hostile text, unsafe titles, odd file names, interruption, full disks,
two runs at once.
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT, SAMPLES, respect_permissions, tone, write_wav
from test_cli import assert_clean_failure, outputs, run_cli

JFK = DATA / "jfk.flac"
GERMAN = DATA / "german.ogg"  # espeak-ng reading two German sentences, 12 s
DEMO = SAMPLES / "demo-meeting.m4a"


def file_with(path: Path, content: bytes | str) -> Path:
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def noise(seconds: float, level: float = 0.3) -> list[float]:
    rng = random.Random(7)
    return [rng.uniform(-level, level) for _ in range(int(seconds * 16_000))]


def truncated_demo(folder: Path) -> Path:
    return file_with(folder / "cut.m4a", DEMO.read_bytes()[: DEMO.stat().st_size // 2])


def with_agenda(name: str, content: bytes | str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        return [str(JFK), "--agenda", str(file_with(folder / name, content))]

    return make


def recording(make: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    return lambda folder: [str(make(folder))]


def not_a_model_folder(folder: Path) -> list[str]:
    (folder / "my-model").mkdir()
    return [str(JFK), "--model", str(folder / "my-model")]


@dataclass(frozen=True)
class Failure:
    make: Callable[[Path], list[str]]  # builds the inputs in a folder, returns the CLI args
    exit_code: int
    fragments: tuple[str, ...]  # what the one error line must say


FAILURES = {
    # the recording (exit 3)
    "recording missing": Failure(recording(lambda d: d / "nope.m4a"), 3, ("no such file",)),
    "recording is a directory": Failure(recording(lambda d: d), 3, ("is a directory",)),
    "recording empty": Failure(recording(lambda d: file_with(d / "e.m4a", b"")), 3, ("empty",)),
    "text renamed .m4a": Failure(
        recording(lambda d: file_with(d / "notes.m4a", "minutes of the meeting")),
        3,
        ("not an audio file",),
    ),
    "image renamed .m4a": Failure(
        recording(lambda d: file_with(d / "photo.m4a", b"\x89PNG\r\n\x1a\n" + bytes(200))),
        3,
        ("contains no audio",),
    ),
    "wrong suffix": Failure(
        recording(lambda d: file_with(d / "notes.txt", "minutes")), 3, ("unsupported file type",)
    ),
    "truncated m4a": Failure(recording(truncated_demo), 3, ("truncated or corrupt",)),
    "under one second": Failure(
        recording(lambda d: write_wav(d / "blip.wav", tone(0.5))), 3, ("at least 1 s",)
    ),
    "only silence": Failure(
        recording(lambda d: write_wav(d / "silence.wav", [0.0] * 16_000 * 4)),
        3,
        ("no speech found",),
    ),
    "only noise": Failure(
        recording(lambda d: write_wav(d / "hiss.wav", noise(6))), 3, ("no speech found",)
    ),
    "German with an English-only model": Failure(
        lambda d: [str(GERMAN)], 3, ("in German", "'de'", "English-only", "MODEL=base")
    ),
    "transcript JSON malformed": Failure(
        recording(lambda d: file_with(d / "t.json", '{"turns": [')), 3, ("malformed JSON",)
    ),
    "transcript JSON without turns": Failure(
        recording(lambda d: file_with(d / "t.json", '{"text": "hi"}')), 3, ("'turns' list",)
    ),
    "transcript JSON turn ending before it starts": Failure(
        recording(
            lambda d: file_with(
                d / "t.json", '{"turns": [{"speaker": "A", "text": "hi", "start": 5, "end": 2}]}'
            )
        ),
        3,
        ("turn 0: ends at 2 s, before it starts (5 s)",),
    ),
    # the agenda (exit 4)
    "agenda missing": Failure(
        lambda d: [str(JFK), "--agenda", str(d / "agenda.md")], 4, ("agenda file not found",)
    ),
    "agenda is a directory": Failure(
        lambda d: [str(JFK), "--agenda", str(d)], 4, ("is a directory",)
    ),
    "agenda empty": Failure(with_agenda("agenda.md", ""), 4, ("no cards found",)),
    "agenda only headings": Failure(
        with_agenda("agenda.md", "# Board\n\n## To discuss\n"), 4, ("no cards found",)
    ),
    "agenda malformed YAML": Failure(
        with_agenda("agenda.yaml", "- title: Metrics\n  votes: [3\n- title: Hiring\n"),
        4,
        ("malformed YAML at line",),
    ),
    "agenda malformed JSON": Failure(
        with_agenda("agenda.json", '[{"title": "Metrics", "votes": 3,}]'),
        4,
        ("malformed JSON at line 1",),
    ),
    "agenda not text": Failure(
        with_agenda("agenda.md", b"\xff\xfe\x00\x81" * 10), 4, ("not a text",)
    ),
    "agenda card without a title": Failure(
        with_agenda("agenda.yaml", "- votes: 3\n"), 4, ("needs a 'title'",)
    ),
    "agenda votes not a number": Failure(
        with_agenda("agenda.yaml", "- title: Metrics\n  votes: many\n"),
        4,
        ("'Metrics' must be a whole number",),
    ),
    # options (exit 2)
    "malformed date": Failure(lambda d: [str(JFK), "--date", "12/11/2026"], 2, ("not a date",)),
    # models (exit 5): which model, where it looked, how to get it
    "unknown model": Failure(
        lambda d: [str(JFK), "--model", "huge-v9"],
        5,
        ("'huge-v9'", "looked in", "download", "offline packages", "To get it"),
    ),
    "unknown openai-whisper model": Failure(
        lambda d: [str(JFK), "--engine", "openai-whisper", "--model", "huge-v9"],
        5,
        ("openai-whisper model 'huge-v9'", "looked in", "To get it"),
    ),
    "model folder without weights": Failure(not_a_model_folder, 5, ("has no model.bin",)),
    # where results go (exit 6), found before any transcription
    "outputs is a file": Failure(
        lambda d: [str(JFK), "--outputs", str(file_with(d / "out", "x") / "sub")],
        6,
        ("cannot write there", "OUT="),
    ),
    "cache is a file": Failure(
        lambda d: [str(JFK), "--cache", str(file_with(d / "cache", "x"))],
        6,
        ("cannot write there", "CACHE="),
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_failure_is_one_clear_line_with_its_exit_code_and_writes_nothing(tmp_path, case):
    failure = FAILURES[case]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    args = failure.make(inputs)
    result = run_cli(tmp_path, *args)
    named = Path(args[args.index("--agenda") + 1]) if "--agenda" in args else Path(args[0])
    if failure.exit_code in (3, 4):  # the line names the file that is wrong
        assert_clean_failure(result, failure.exit_code, str(named), *failure.fragments)
    else:
        assert_clean_failure(result, failure.exit_code, *failure.fragments)
    assert outputs(tmp_path) == []


def test_at_least_twenty_distinct_failures_are_covered():
    assert len(FAILURES) >= 20
    assert len({(f.exit_code, f.fragments) for f in FAILURES.values()}) >= 20


def test_german_is_transcribed_with_the_multilingual_model(tmp_path):
    result = run_cli(tmp_path, GERMAN, "--model", "base", "--date", "2026-11-12")
    assert result.returncode == 0, result.stderr
    data = json.loads(next(p for p in outputs(tmp_path) if p.suffix == ".json").read_text())
    assert data["language"] == "de"
    heard = " ".join(s["text"] for s in data["transcript"]["segments"]).lower()
    assert "guten abend" in heard


def test_file_name_with_spaces_and_accents(tmp_path):
    folder = tmp_path / "Zoom" / "2026-11-12 Réunion"
    folder.mkdir(parents=True)
    recording = folder / "Café des leaders – été.flac"
    recording.write_bytes(JFK.read_bytes())
    result = run_cli(tmp_path, recording)
    assert result.returncode == 0, result.stderr
    md = tmp_path / "outputs" / "2026-11-12-cafe-des-leaders-ete.md"
    assert md.is_file(), [p.name for p in outputs(tmp_path)]
    meta = yaml.safe_load(md.read_text(encoding="utf-8").split("---\n")[1])
    assert meta["recording"] == recording.name and meta["title"] == "Café des leaders – été"


HOSTILE = [
    "<script>alert('x')</script>",
    "{{ config.items() }}",
    "{% include '/etc/passwd' %}",
    "**bold** [link](javascript:alert(1)) <img src=x onerror=alert(1)>",
]


def hostile_meeting(folder: Path) -> Path:
    """A transcript whose speech and agenda carry markup, script and template syntax."""
    agenda = [
        {"title": "<b>Metrics</b> **that** `matter`", "votes": 5},
        {"title": "Hiring {{ 7*7 }} <script>x()</script>", "votes": 3},
    ]
    turns = [
        (0, "Welcome everyone, the first card is metrics that matter."),
        (20, f"I think metrics fail when people game them, said {HOSTILE[0]} in the chat."),
        (60, f"We should track outcomes not outputs {HOSTILE[1]} every quarter."),
        (300, "Time's up. The next card is hiring, let's move on to hiring."),
        (330, f"Our hiring loop takes eight weeks {HOSTILE[2]} and we lose candidates."),
        (400, f"One action item: I will share the interview rubric {HOSTILE[3]} next week."),
        (560, "To wrap up, one takeaway each."),
    ]
    data = {
        "agenda": agenda,
        "turns": [
            {"speaker": "Dana", "text": text, "start": start, "end": start + 15}
            for start, text in turns
        ],
    }
    return file_with(folder / "meeting.json", json.dumps(data))


def test_markup_script_and_template_syntax_render_inert(tmp_path):
    meeting = hostile_meeting(tmp_path)
    title = "<script>document.cookie</script> {{ title }}"
    result = run_cli(tmp_path, meeting, "--date", "2026-11-12", "--title", title)
    assert result.returncode == 0, result.stderr
    md = next(p for p in outputs(tmp_path) if p.suffix == ".md").read_text(encoding="utf-8")
    svg = next(p for p in outputs(tmp_path) if p.suffix == ".svg").read_text(encoding="utf-8")
    for text in (md.split("---\n", 2)[2], svg):  # the front matter is quoted YAML
        assert "<script" not in text and "<img" not in text and "<b>" not in text
    # Static-site engines (Liquid, Hugo) template markdown pages, not pictures.
    assert "{" not in md.split("---\n", 2)[2] and "&#123;&#123; 7\\*7 &#125;&#125;" in md
    assert "&lt;script&gt;" in md  # shown, as text
    assert "&lt;b&gt;Metrics&lt;/b&gt;" in md and "\\*\\*that\\*\\*" in md
    assert "&lt;script&gt;" in svg
    meta = yaml.safe_load(md.split("---\n")[1])
    assert meta["title"] == title  # the front matter keeps it exactly, as a string


@pytest.mark.parametrize(
    "title, expected_stem",
    [
        ("../../x", "2026-11-12-x"),
        ("/etc/passwd", "2026-11-12-etc-passwd"),
        ("?!*/\\<>|:...", "2026-11-12-meeting"),
        ("Metrics " * 40, "2026-11-12-" + "-".join(["metrics"] * 7)),
    ],
)
def test_unsafe_titles_give_safe_names_inside_outputs(tmp_path, title, expected_stem):
    meeting = hostile_meeting(tmp_path)
    result = run_cli(tmp_path, meeting, "--date", "2026-11-12", "--title", title)
    assert result.returncode == 0, result.stderr
    written = outputs(tmp_path)
    assert {p.name for p in written} == {
        f"{expected_stem}.md",
        f"{expected_stem}.json",
        f"{expected_stem}.timeline.svg",
    }
    assert all(len(p.name) < 100 for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "meeting.json", "outputs"]


def limit_file_size(max_bytes: int) -> Callable[[], None]:
    """Files the child writes cannot grow past ``max_bytes``: writes fail as on a full disk
    (Python ignores SIGXFSZ, so the write raises OSError: File too large)."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_disk_full_while_writing_keeps_the_earlier_summary_whole(tmp_path):
    meeting = hostile_meeting(tmp_path)
    assert run_cli(tmp_path, meeting, "--date", "2026-11-12").returncode == 0
    before = snapshot(tmp_path / "outputs")
    sidecar_size = max(len(b) for name, b in before.items() if name.endswith(".json"))
    # Room for the markdown and the picture, not for the sidecar: the write fails midway.
    result = run_cli(
        tmp_path, meeting, "--date", "2026-11-12", "--title", "Other", "--force",
        preexec_fn=limit_file_size(sidecar_size // 2),
    )  # fmt: skip
    assert_clean_failure(result, 6, "cannot write the summary", "File too large", "unchanged")
    assert snapshot(tmp_path / "outputs") == before  # no new file, no temporary left


def test_rewrite_fails_whole_when_disk_fills_on_the_same_names(tmp_path):
    meeting = hostile_meeting(tmp_path)
    assert run_cli(tmp_path, meeting, "--date", "2026-11-12").returncode == 0
    before = snapshot(tmp_path / "outputs")
    sidecar_size = max(len(b) for name, b in before.items() if name.endswith(".json"))
    result = run_cli(
        tmp_path, meeting, "--date", "2026-11-12", "--timebox", "5", "--force",
        preexec_fn=limit_file_size(sidecar_size // 2),
    )  # fmt: skip
    assert_clean_failure(result, 6, "cannot write the summary")
    assert snapshot(tmp_path / "outputs") == before
    # Still a consistent pair: the next run does not mistake it for an edited draft.
    assert run_cli(tmp_path, meeting, "--date", "2026-11-12", "--timebox", "5").returncode == 0


def test_outputs_not_writable_keeps_the_earlier_summary(tmp_path):
    meeting = hostile_meeting(tmp_path)
    assert run_cli(tmp_path, meeting, "--date", "2026-11-12").returncode == 0
    folder = tmp_path / "outputs"
    before = snapshot(folder)
    folder.chmod(0o555)
    try:
        result = run_cli(
            tmp_path, meeting, "--date", "2026-11-12", "--force", preexec_fn=respect_permissions
        )
    finally:
        folder.chmod(0o755)
    assert_clean_failure(result, 6, str(folder), "Permission denied", "OUT=")
    assert snapshot(folder) == before


def cached_chunks(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "transcripts").glob("*.chunks/*.json"))


def start_cli(tmp_path: Path, recording: Path, *extra: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "pipeline", "summarize", str(recording),
        "--outputs", str(tmp_path / "outputs"), "--cache", str(tmp_path / "cache"),
        "--no-progress", *extra,
    ]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it: a shell starts a background job (make test
        # run with "&") with SIGINT ignored, and Python keeps it ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_interrupted_run_leaves_no_summary_and_resumes_from_cached_chunks(tmp_path, stop):
    args = ("--date", "2026-11-12", "--chunk-minutes", "0.75")
    run = start_cli(tmp_path, DEMO, *args)
    deadline = time.monotonic() + 300
    while not cached_chunks(tmp_path) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cached_chunks(tmp_path), "the first chunk was never cached"
    run.send_signal(stop)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted: no summary was written" in stderr
    assert outputs(tmp_path) == []
    kept = cached_chunks(tmp_path)
    assert kept and not list((tmp_path / "cache").rglob("*.tmp"))

    resumed = run_cli(tmp_path, DEMO, *args)
    assert resumed.returncode == 0, resumed.stderr
    skipped = [ln for ln in resumed.stderr.splitlines() if "skipping its audio" in ln]
    assert len(skipped) == len(kept)
    assert skipped[0].startswith("Chunk 1 (0-")
    data = json.loads(next(p for p in outputs(tmp_path) if p.suffix == ".json").read_text())
    starts = [s["start"] for s in data["transcript"]["segments"]]
    assert starts == sorted(starts) and starts[-1] > 150  # the whole meeting, in order
    assert not cached_chunks(tmp_path)  # folded into the whole transcript's entry


def test_two_runs_on_one_recording_at_once_both_finish(tmp_path):
    args = ("--date", "2026-11-12")
    first, second = start_cli(tmp_path, JFK, *args), start_cli(tmp_path, JFK, *args)
    results = [run.communicate(timeout=600) for run in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, results
    stderrs = [stderr for _, stderr in results]
    assert sum("▸ transcribe" in s for s in stderrs) == 1  # transcribed once
    assert sum("found in the cache" in s for s in stderrs) == 1  # the other waited for it
    md = tmp_path / "outputs" / "2026-11-12-jfk.md"
    sidecar = json.loads((tmp_path / "outputs" / "2026-11-12-jfk.json").read_text())
    from pipeline.render import markdown_digest

    assert sidecar["markdown_sha256"] == markdown_digest(md.read_text(encoding="utf-8"))
    assert not [p for p in outputs(tmp_path) if p.name.endswith(".tmp")]
