"""Cut Zoom-style per-participant tracks out of a spoken meeting with known timing.

    python bench/zoom_tracks.py samples/demo-meeting.m4a samples/demo-meeting.timing.json OUT

Each track is the whole meeting long and holds one speaker's turns, silence
elsewhere, named like Zoom's (``Audio Record/audio<Name><digits>.m4a``), so the
tests and the tracks benchmark get per-participant recordings with ground truth
from the project's own demo meeting. The tests build them in a fixture; nothing
binary is committed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.artifacts import SAMPLE_RATE_HZ  # noqa: E402
from pipeline.ingest import ffmpeg_exe, load_recording  # noqa: E402

TRACKS_SUBFOLDER = "Audio Record"
TRACK_BITRATE = "24k"  # AAC, like Zoom's own tracks but smaller
_FIRST_TRACK_NUMBER = 16778240  # Zoom appends a participant number to the name


def track_file_name(display_name: str, number: int) -> str:
    """``"Dana Lee"`` -> ``audioDanaLee16778240.m4a``: Zoom drops the spaces."""
    return f"audio{display_name.replace(' ', '')}{number}.m4a"


def encode_m4a(samples, path: Path) -> None:
    import numpy as np

    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes()
    command = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(SAMPLE_RATE_HZ), "-ac", "1", "-i", "-",
        "-c:a", "aac", "-b:a", TRACK_BITRATE, str(path),
    ]  # fmt: skip
    subprocess.run(command, input=pcm, check=True, capture_output=True)


def make_tracks(
    recording: Path,
    timing: Path,
    folder: Path,
    display_names: dict[str, str] | None = None,
) -> dict[str, Path]:
    """One track per speaker of ``timing`` under ``folder/Audio Record``.

    ``display_names`` renames a speaker in the file name (``{"Dana": "Dana Lee"}``).
    Returns the track of each speaker (by the timing file's speaker name).
    """
    samples = load_recording(recording).samples
    turns = json.loads(timing.read_text())["turns"]
    speakers = sorted({t["speaker"] for t in turns})
    place = folder / TRACKS_SUBFOLDER
    place.mkdir(parents=True, exist_ok=True)
    tracks = {}
    for offset, speaker in enumerate(speakers):
        track = samples * 0
        for turn in turns:
            if turn["speaker"] == speaker:
                start = int(turn["start"] * SAMPLE_RATE_HZ)
                end = int(turn["end"] * SAMPLE_RATE_HZ)
                track[start:end] = samples[start:end]
        name = (display_names or {}).get(speaker, speaker)
        path = place / track_file_name(name, _FIRST_TRACK_NUMBER + 1024 * offset)
        encode_m4a(track, path)
        tracks[speaker] = path
    return tracks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recording", type=Path)
    parser.add_argument("timing", type=Path, help="turns with speaker, start, end (seconds)")
    parser.add_argument("folder", type=Path, help="the Zoom folder to write")
    args = parser.parse_args()
    for speaker, path in make_tracks(args.recording, args.timing, args.folder).items():
        print(f"{speaker}: {path}")


if __name__ == "__main__":
    main()
