"""Shared fixtures: real audio, real offline models, loaded once per session."""

from __future__ import annotations

import math
import os
import struct
import wave
from pathlib import Path

import pytest

# Model hubs are unreachable on CI; say so up front so the by-name download is
# skipped at once instead of timing out. The fallback to offline packages is what runs.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pipeline.runner import RunSettings  # noqa: E402
from pipeline.transcribe import TranscribeOptions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ROOT / "samples"
# Joined and converted models for CLI runs, kept between runs (the base model is 140 MB).
TEST_MODELS = ROOT / ".pytest_cache" / "models"


@pytest.fixture(scope="session")
def jfk() -> Path:
    return DATA / "jfk.flac"


@pytest.fixture(scope="session")
def jfk_reference() -> str:
    return (DATA / "jfk.ref.txt").read_text().strip()


@pytest.fixture(scope="session")
def demo_recording() -> Path:
    return SAMPLES / "demo-meeting.m4a"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Converted and joined models, shared by the whole session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def run_settings(tmp_path: Path, models_dir: Path):
    """RunSettings writing into this test's own folders."""

    def make(recording: Path, **overrides) -> RunSettings:
        options = overrides.pop("transcribe", TranscribeOptions())
        return RunSettings(
            recording=recording,
            transcribe=options,
            outputs_dir=tmp_path / "outputs",
            cache_dir=tmp_path / "cache",
            models_dir=models_dir,
            progress=False,
            **overrides,
        )

    return make


def write_wav(path: Path, samples: list[float], rate: int = 16_000) -> Path:
    """A 16-bit mono WAV from floats in [-1, 1]."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, s)) * 32767)) for s in samples))
    return path


def tone(seconds: float, freq_hz: float = 440.0, rate: int = 16_000) -> list[float]:
    return [0.3 * math.sin(2 * math.pi * freq_hz * i / rate) for i in range(int(seconds * rate))]


PR_CAPBSET_DROP = 24  # linux/prctl.h
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3  # linux/capability.h


def respect_permissions() -> None:
    """preexec_fn: the child process obeys file permissions even when run as root (CI
    often is), by dropping the capabilities that let root ignore them."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.fixture(scope="session")
def demo_timing() -> list[dict]:
    """Who speaks when in the demo recording: the ground truth for speaker tests."""
    import json

    return json.loads((SAMPLES / "demo-meeting.timing.json").read_text())["turns"]


# The demo's speakers as their Zoom display names (the file names lose the spaces).
DEMO_DISPLAY_NAMES = {"Dana": "Dana Lee", "Mark": "Mark", "Oscar": "Oscar", "Priya": "Priya Nair"}


@pytest.fixture(scope="session")
def zoom_tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Zoom-style participant tracks cut from the demo recording, made once per session:
    each is the whole meeting long with one speaker's turns and silence elsewhere."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from zoom_tracks import make_tracks

    folder = tmp_path_factory.mktemp("zoom-tracks")
    return make_tracks(
        SAMPLES / "demo-meeting.m4a",
        SAMPLES / "demo-meeting.timing.json",
        folder,
        DEMO_DISPLAY_NAMES,
    )
