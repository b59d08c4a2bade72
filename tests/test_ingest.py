import hashlib

import numpy as np
import pytest

from pipeline.artifacts import SAMPLE_RATE_HZ
from pipeline.errors import InputError
from pipeline.ingest import load_recording


def test_decodes_stereo_44k_flac_to_16k_mono(jfk):
    audio = load_recording(jfk)
    assert audio.sample_rate_hz == SAMPLE_RATE_HZ
    assert audio.samples.ndim == 1 and audio.samples.dtype == np.float32
    assert audio.recording.duration_s == pytest.approx(11.0, abs=0.1)
    assert len(audio.samples) == pytest.approx(11.0 * SAMPLE_RATE_HZ, rel=0.01)
    assert 0.1 < np.abs(audio.samples).max() <= 1.0
    assert audio.recording.sha256 == hashlib.sha256(jfk.read_bytes()).hexdigest()
    assert audio.recording.format == "flac"


def test_decodes_zoom_style_m4a(demo_recording):
    audio = load_recording(demo_recording)
    assert 120 <= audio.recording.duration_s <= 240
    assert audio.recording.format == "m4a"


def test_text_renamed_to_m4a_is_not_audio(tmp_path):
    fake = tmp_path / "notes.m4a"
    fake.write_text("these are my meeting notes, not a recording\n")
    with pytest.raises(InputError, match=r"notes\.m4a: not an audio file"):
        load_recording(fake)


def test_truncated_m4a_is_reported_as_truncated(tmp_path, demo_recording):
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(demo_recording.read_bytes()[:50_000])
    with pytest.raises(InputError, match=r"cut\.m4a: truncated or corrupt"):
        load_recording(cut)
