import hashlib
import time

import numpy as np
import pytest
from conftest import SAMPLES

from pipeline.artifacts import SAMPLE_RATE_HZ
from pipeline.errors import InputError
from pipeline.ingest import load_recording, stream_chunks


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


def test_streamed_chunks_cut_at_quiet_moments_and_join_to_the_whole(demo_recording):
    whole = load_recording(demo_recording).samples
    chunks = list(stream_chunks(demo_recording, chunk_s=40))
    assert len(chunks) >= 4 and chunks[-1].last and not any(c.last for c in chunks[:-1])
    assert [c.index for c in chunks] == list(range(len(chunks)))
    # Nothing lost or doubled: the chunks are the whole recording, in order.
    assert all(a.end_sample == b.start_sample for a, b in zip(chunks, chunks[1:], strict=False))
    assert np.array_equal(np.concatenate([c.samples for c in chunks]), whole)
    # Bounded: no chunk is longer than its length and the search window either side.
    assert max(len(c.samples) for c in chunks) <= (40 + 2 * 4) * SAMPLE_RATE_HZ
    # Each cut is quieter than the speech around it: no word is split in two.
    frame = SAMPLE_RATE_HZ // 10
    loudness = np.sqrt(
        np.mean(np.square(whole[: len(whole) // frame * frame].reshape(-1, frame)), 1)
    )
    for chunk in chunks[1:]:
        assert loudness[chunk.start_sample // frame] < np.median(loudness) / 4


def test_a_recording_shorter_than_a_chunk_is_one_chunk(jfk):
    (only,) = stream_chunks(jfk, chunk_s=900)
    assert only.last and only.start_sample == 0
    assert np.array_equal(only.samples, load_recording(jfk).samples)


def test_stage_clock_counts_a_nested_stage_once():
    from pipeline.runner import StageClock

    clock = StageClock()
    started = time.perf_counter()
    with clock.stage("transcribe"):
        time.sleep(0.02)
        with clock.stage("load model", announce=False):
            time.sleep(0.2)
    wall = time.perf_counter() - started
    assert clock.seconds["load model"] >= 0.2
    assert clock.seconds["transcribe"] < 0.15  # its own 0.02 s, not the model's 0.2 s
    assert sum(clock.seconds.values()) == pytest.approx(wall, abs=0.03)


def test_every_chunks_decoding_counts_as_decode_not_transcribe(demo_recording):
    """Chunks after the first are decoded while transcribing: the timings say so."""
    from pipeline.runner import StageClock, _decoding

    clock = StageClock()
    chunks = stream_chunks(demo_recording, chunk_s=40)
    with clock.stage("decode"):
        first = next(chunks)
    decoded_first = clock.seconds["decode"]
    with clock.stage("transcribe"):
        rest = list(_decoding(chunks, clock))
    assert first.index == 0 and [c.index for c in rest] == list(range(1, len(rest) + 1))
    assert len(rest) >= 3 and rest[-1].last
    assert clock.seconds["decode"] > decoded_first  # the later chunks were counted too
    assert clock.seconds["transcribe"] < clock.seconds["decode"] - decoded_first + 0.05


def test_the_progress_bar_never_runs_past_the_recording(capsys):
    """Whisper's last segment can end after the probed duration: the bar stops at 100%."""
    import warnings
    from types import SimpleNamespace

    from pipeline.runner import StageClock, _transcribing

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tqdm warns when it clamps a bar past its end
        with _transcribing(SimpleNamespace(progress=True), StageClock(), 1017.04) as advance:
            for seconds in (300.3, 700.7, 650.0, 1016.99, 1017.04, 1017.3):
                advance(seconds)
    shown = capsys.readouterr().err.replace("\r", "\n").splitlines()
    assert "1017/1017 s" in shown[-1] and "-00:00" not in shown[-1]


def test_a_second_run_on_the_same_recording_waits_and_uses_the_first_ones_transcript(
    tmp_path, caplog
):
    import threading

    from filelock import FileLock

    from pipeline.cache import TranscriptCache
    from pipeline.runner import _cached_transcript
    from pipeline.transcript_json import load_transcript_json

    given = load_transcript_json(SAMPLES / "demo-meeting.json")
    cache = TranscriptCache(tmp_path)
    transcribed: list[str] = []
    found = []

    def transcribe_now():
        transcribed.append("again")
        return given.recording, given.transcript

    first_run = FileLock(tmp_path / "locks" / "key.lock")
    (tmp_path / "locks").mkdir()
    first_run.acquire()
    with caplog.at_level("INFO", logger="pipeline"):
        second = threading.Thread(
            target=lambda: found.append(_cached_transcript(cache, "key", transcribe_now))
        )
        second.start()
        time.sleep(0.5)
        assert second.is_alive()  # waiting for the first run, not transcribing
        cache.put("key", given.recording, given.transcript)
        first_run.release()
        second.join(timeout=10)
    assert found == [(given.recording, given.transcript)]
    assert transcribed == []
    assert "Another run is transcribing this recording" in caplog.text
