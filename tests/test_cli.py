"""The command line as the organizer uses it: real recordings, real models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, TEST_MODELS


def run_cli(
    tmp_path: Path, recording: Path | str, *extra: str, preexec_fn=None
) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "pipeline", "summarize", str(recording),
        "--outputs", str(tmp_path / "outputs"),
        "--cache", str(tmp_path / "cache"),
        "--models", str(TEST_MODELS),
        "--no-progress", *extra,
    ]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        preexec_fn=preexec_fn,
    )


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
