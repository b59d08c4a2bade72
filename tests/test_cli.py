"""The command line as the organizer uses it: real recordings, real models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, tone, write_wav


def run_cli(tmp_path: Path, recording: Path | str, *extra: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "pipeline", "summarize", str(recording),
        "--outputs", str(tmp_path / "outputs"),
        "--cache", str(tmp_path / "cache"),
        "--models", str(tmp_path / "models"),
        "--no-progress", *extra,
    ]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def assert_clean_failure(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0]


def outputs(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "outputs"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_summarize_writes_markdown_and_sidecar_then_reuses_the_cache(tmp_path, jfk):
    first = run_cli(tmp_path, jfk, "--date", "2026-11-12", "--title", "JFK test")
    assert first.returncode == 0, first.stderr
    md = tmp_path / "outputs" / "2026-11-12-jfk-test.md"
    sidecar = tmp_path / "outputs" / "2026-11-12-jfk-test.json"
    # No agenda and no times per card: no timeline picture, just these two.
    assert [p.name for p in outputs(tmp_path)] == [sidecar.name, md.name]

    text = md.read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "JFK test" and meta["status"] == "draft"
    assert meta["date"] == "2026-11-12" and meta["recording"] == "jfk.flac"
    assert "## Agenda" in text and "## Review checklist" in text

    data = json.loads(sidecar.read_text())
    heard = " ".join(s["text"] for s in data["transcript"]["segments"])
    assert "ask not what your country can do for you" in heard
    assert data["duration_s"] == pytest.approx(11.0, abs=0.1)
    assert data["transcript"]["segments"][0]["words"][0]["text"] == "And"
    assert data["transcript"]["options"]["condition_on_previous_text"] is False
    assert data["transcript"]["options"]["vad_filter"] is True
    assert set(data["stage_seconds"]) >= {"decode", "load model", "transcribe"}
    assert "Stage timings:" in first.stderr

    second = run_cli(tmp_path, jfk, "--date", "2026-11-12", "--title", "JFK test")
    assert second.returncode == 0, second.stderr
    assert "found in the cache" in second.stderr
    assert "▸ transcribe" not in second.stderr and "▸ decode" not in second.stderr
    assert json.loads(sidecar.read_text())["transcript"] == data["transcript"]


def test_an_edited_draft_is_not_overwritten(tmp_path, jfk):
    assert run_cli(tmp_path, jfk, "--date", "2026-11-12").returncode == 0
    md = tmp_path / "outputs" / "2026-11-12-jfk.md"
    edited = md.read_text() + "\nThe organizer's own notes.\n"
    md.write_text(edited)
    result = run_cli(tmp_path, jfk, "--date", "2026-11-12")
    assert_clean_failure(result, 6, str(md), "edited")
    assert md.read_text() == edited
    assert run_cli(tmp_path, jfk, "--date", "2026-11-12", "--force").returncode == 0
    assert "organizer's own notes" not in md.read_text()


def file_with(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


BAD_RECORDINGS = {
    "missing": (lambda d: d / "nope.m4a", "no such file"),
    "directory": (lambda d: d, "is a directory"),
    "empty": (lambda d: file_with(d / "empty.m4a", b""), "is empty"),
    "text renamed": (lambda d: file_with(d / "notes.m4a", b"minutes"), "not an audio file"),
    "image renamed": (
        lambda d: file_with(d / "photo.m4a", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        "contains no audio",
    ),
    "wrong suffix": (lambda d: file_with(d / "notes.txt", b"minutes"), "unsupported file type"),
    "under one second": (lambda d: write_wav(d / "blip.wav", tone(0.5)), "at least 1 s"),
    "no speech": (lambda d: write_wav(d / "silence.wav", [0.0] * 16_000 * 4), "no speech found"),
}


@pytest.mark.parametrize("case", sorted(BAD_RECORDINGS))
def test_bad_recording_gets_one_clear_line_and_writes_nothing(tmp_path, case):
    make, message = BAD_RECORDINGS[case]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    recording = make(inputs)
    result = run_cli(tmp_path, recording)
    assert_clean_failure(result, 3, str(recording), message)
    assert outputs(tmp_path) == []


def test_truncated_m4a(tmp_path, demo_recording):
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(demo_recording.read_bytes()[: demo_recording.stat().st_size // 2])
    assert_clean_failure(run_cli(tmp_path, cut), 3, str(cut), "truncated or corrupt")
    assert outputs(tmp_path) == []


def test_missing_agenda(tmp_path, jfk):
    result = run_cli(tmp_path, jfk, "--agenda", str(tmp_path / "agenda.md"))
    assert_clean_failure(result, 4, "agenda.md", "not found")


def test_unknown_model_says_which_and_where_it_looked(tmp_path, jfk):
    result = run_cli(tmp_path, jfk, "--model", "huge-v9")
    assert_clean_failure(result, 5, "'huge-v9'", "looked in", "download", "offline packages")
