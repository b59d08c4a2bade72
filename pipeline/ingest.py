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
import subprocess
from pathlib import Path

import numpy as np

from pipeline.artifacts import SAMPLE_RATE_HZ, DecodedAudio, Recording
from pipeline.errors import InputError

log = logging.getLogger(__name__)

# What Zoom writes (.m4a audio-only, .mp4) and the common formats people convert to.
AUDIO_SUFFIXES = (".m4a", ".mp4", ".wav", ".mp3", ".flac", ".ogg", ".webm", ".opus", ".aac")
TRANSCRIPT_SUFFIXES = (".json",)  # a transcript instead of audio: see transcript_json
MIN_DURATION_S = 1.0
_HASH_CHUNK_BYTES = 1 << 20
_PCM_SCALE = 32768.0  # int16 full scale


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


def load_recording(path: Path, sha256: str | None = None) -> DecodedAudio:
    """Check ``path`` and decode its first audio stream to 16 kHz mono.

    ``sha256`` saves hashing the file again when the caller already has it.
    """
    check_recording_path(path)
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
    result = subprocess.run(command, capture_output=True, check=False)
    stderr = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        raise InputError(f"{path}: {_ffmpeg_reason(path, stderr)}")
    if stderr.strip():  # decoded, but ffmpeg met damage on the way
        log.warning("%s: ffmpeg reported problems while decoding: %s", path, stderr.strip()[:200])
    samples = np.frombuffer(result.stdout, dtype=np.int16).astype(np.float32) / _PCM_SCALE
    duration_s = len(samples) / SAMPLE_RATE_HZ
    if duration_s < MIN_DURATION_S:
        raise InputError(
            f"{path}: only {duration_s:.2f} s of audio; a recording needs at least "
            f"{MIN_DURATION_S:.0f} s"
        )
    recording = Recording(
        path=str(path),
        sha256=sha256 or file_sha256(path),
        size_bytes=path.stat().st_size,
        duration_s=round(duration_s, 3),
        format=path.suffix.lower().lstrip("."),
    )
    return DecodedAudio(recording=recording, samples=samples)
