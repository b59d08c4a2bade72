"""Stage 1: check the recording and decode it to 16 kHz mono float32.

Decoding uses the ffmpeg binary that the imageio-ffmpeg package ships, so no
system ffmpeg is needed. We call it directly rather than through pydub because
pydub probes with ffprobe (which imageio-ffmpeg does not ship), decodes at the
source rate and channel count into memory, and drops output options such as
``-ar``; ffmpeg's own resampler writing 16 kHz mono straight to a pipe is
faster and keeps memory at the size of the result.
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np

from pipeline.artifacts import SAMPLE_RATE_HZ, AudioChunk, DecodedAudio, Recording
from pipeline.errors import InputError

log = logging.getLogger(__name__)

# What Zoom writes (.m4a audio-only, .mp4) and the common formats people convert to.
AUDIO_SUFFIXES = (".m4a", ".mp4", ".wav", ".mp3", ".flac", ".ogg", ".webm", ".opus", ".aac")
TRANSCRIPT_SUFFIXES = (".json",)  # a transcript instead of audio: see transcript_json
MIN_DURATION_S = 1.0
_HASH_CHUNK_BYTES = 1 << 20
_PCM_SCALE = 32768.0  # int16 full scale
_PIPE_READ_BYTES = 1 << 20  # 32 s of 16 kHz int16 per read from ffmpeg
_CUT_SEARCH_S = 60.0  # a chunk boundary moves at most this far to reach a quiet moment
_CUT_SEARCH_FRACTION = 0.1  # ... and at most this fraction of the chunk length
_QUIET_FRAME_S = 0.1  # the frame over which loudness is measured when choosing a cut
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def check_recording_path(path: Path) -> None:
    """Fail early, with one clear line, on input that cannot be a recording."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a recording (give the audio file inside it)")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    if path.suffix.lower() not in AUDIO_SUFFIXES + TRANSCRIPT_SUFFIXES:
        raise InputError(
            f"{path}: unsupported file type '{path.suffix or '(none)'}' "
            f"(expected one of {', '.join(AUDIO_SUFFIXES + TRANSCRIPT_SUFFIXES)})"
        )


def is_transcript_file(path: Path) -> bool:
    return path.suffix.lower() in TRANSCRIPT_SUFFIXES


def _looks_like_mp4(path: Path) -> bool:
    """MP4/M4A files open with an 'ftyp' box: bytes 4-8 of the file."""
    with open(path, "rb") as f:
        return f.read(8)[4:8] == b"ftyp"


def _ffmpeg_reason(path: Path, stderr: str) -> str:
    """The line of ffmpeg's output that says what went wrong, in plain words."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    moov_missing = (
        "truncated or corrupt (moov atom not found)"
        if _looks_like_mp4(path)
        else "not an audio file (no MP4/M4A header)"
    )
    known = {
        "moov atom not found": moov_missing,
        "Invalid data found when processing input": "not an audio file ffmpeg can read",
        "matches no streams": "contains no audio (no audio track found)",
        "does not contain any stream": "contains no audio (no audio track found)",
        "End of file": "truncated or corrupt (unexpected end of file)",
    }
    for line in lines:
        for needle, reason in known.items():
            if needle in line:
                return reason
    return f"ffmpeg could not decode it ({lines[-1] if lines else 'no details'})"


def probe_duration_s(path: Path) -> float | None:
    """The duration ffmpeg reads from the file's header (for the progress bar), if any."""
    result = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(path)],
        capture_output=True,
        check=False,
    )  # exits 1 ("no output file"), having printed what it knows about the input
    match = _DURATION.search(result.stderr.decode(errors="replace"))
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@contextmanager
def _pcm_pipe(path: Path) -> Iterator[tuple[IO[bytes], Callable[[], None]]]:
    """ffmpeg decoding ``path`` to 16 kHz mono s16le on a pipe, and a function to call at
    end of stream that raises InputError when ffmpeg failed. The process is killed if
    the reader stops early (an error, Ctrl-C), so nothing is left running."""
    command = [
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-loglevel", "error",
        "-i", str(path),
        "-map", "0:a:0",  # the first audio stream; fails clearly when there is none
        "-vn", "-sn", "-dn",
        "-ac", "1",
        "-ar", str(SAMPLE_RATE_HZ),
        "-f", "s16le",
        "-",
    ]  # fmt: skip
    # stderr goes to a file, not a pipe: a damaged file's warnings could fill a pipe
    # that nobody reads while we read stdout, and deadlock both processes.
    with tempfile.TemporaryFile() as stderr_file:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr_file)

        def finish() -> None:
            returncode = proc.wait()
            stderr_file.seek(0)
            stderr = stderr_file.read().decode(errors="replace")
            if returncode != 0:
                raise InputError(f"{path}: {_ffmpeg_reason(path, stderr)}")
            if stderr.strip():  # decoded, but ffmpeg met damage on the way
                log.warning(
                    "%s: ffmpeg reported problems while decoding: %s", path, stderr.strip()[:200]
                )

        try:
            assert proc.stdout is not None
            yield proc.stdout, finish
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout:
                proc.stdout.close()


def quietest_sample(samples: np.ndarray, lo: int, hi: int) -> int:
    """The middle of the quietest short frame in ``samples[lo:hi]``: a cut there is
    least likely to fall inside a word."""
    frame = int(_QUIET_FRAME_S * SAMPLE_RATE_HZ)
    count = (hi - lo) // frame
    if count < 1:
        return (lo + hi) // 2
    frames = samples[lo : lo + count * frame].reshape(count, frame)
    energy = np.square(frames, dtype=np.float64).mean(axis=1)
    return lo + int(np.argmin(energy)) * frame + frame // 2


def stream_chunks(path: Path, chunk_s: float | None) -> Iterator[AudioChunk]:
    """Decode ``path`` as a stream of chunks of about ``chunk_s`` seconds.

    Each cut falls at the quietest moment within ``_CUT_SEARCH_S`` of the nominal
    boundary, so no word is split between chunks. At most about two chunks of samples
    are in memory at once, however long the recording; ``chunk_s=None`` gives one
    chunk of the whole recording. A recording shorter than a chunk and its search
    window is one chunk, exactly the samples a whole-file decode gives. Raises
    InputError (before yielding anything, for a file ffmpeg cannot open) when the
    file is not audio, is damaged, or holds under ``MIN_DURATION_S`` of audio.
    """
    check_recording_path(path)
    chunk = int(chunk_s * SAMPLE_RATE_HZ) if chunk_s else None
    search = int(min(_CUT_SEARCH_S, (chunk_s or 0) * _CUT_SEARCH_FRACTION) * SAMPLE_RATE_HZ)
    with _pcm_pipe(path) as (pipe, finish):
        pending: list[np.ndarray] = []
        pending_samples = 0
        start = 0
        index = 0
        while block := pipe.read(_PIPE_READ_BYTES):
            block = block[: len(block) - len(block) % 2]  # whole int16 samples only
            pending.append(np.frombuffer(block, dtype=np.int16).astype(np.float32) / _PCM_SCALE)
            pending_samples += len(pending[-1])
            # Cut only with a full search window on both sides of the boundary in hand,
            # so the chunk after a cut is never a sliver.
            while chunk and pending_samples >= chunk + 2 * search:
                buffer = np.concatenate(pending)
                cut = quietest_sample(buffer, chunk - search, chunk + search)
                tail = buffer[cut:].copy()
                pending, pending_samples = [tail], len(tail)
                yield AudioChunk(index, start, buffer[:cut])
                start += cut
                index += 1
        finish()
        total_s = (start + pending_samples) / SAMPLE_RATE_HZ
        if total_s < MIN_DURATION_S:
            raise InputError(
                f"{path}: only {total_s:.2f} s of audio; a recording needs at least "
                f"{MIN_DURATION_S:.0f} s"
            )
        samples = np.concatenate(pending) if pending else np.empty(0, dtype=np.float32)
        yield AudioChunk(index, start, samples, last=True)


def recording_info(path: Path, sha256: str, duration_s: float) -> Recording:
    return Recording(
        path=str(path),
        sha256=sha256,
        size_bytes=path.stat().st_size,
        duration_s=round(duration_s, 3),
        format=path.suffix.lower().lstrip("."),
    )


def load_recording(path: Path, sha256: str | None = None) -> DecodedAudio:
    """Check ``path`` and decode its first audio stream, whole, to 16 kHz mono.

    For short files and tests; the runner streams with ``stream_chunks`` so that a
    long meeting is never held in memory whole. ``sha256`` saves hashing the file
    again when the caller already has it.
    """
    (whole,) = stream_chunks(path, chunk_s=None)
    duration_s = len(whole.samples) / SAMPLE_RATE_HZ
    return DecodedAudio(
        recording=recording_info(path, sha256 or file_sha256(path), duration_s),
        samples=whole.samples,
    )
