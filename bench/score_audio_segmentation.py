"""Segmentation from audio: bench meetings spoken, transcribed and segmented.

    make eval-audio [MEETINGS="IS1006a TS3010d ..."]
    .venv/bin/python bench/score_audio_segmentation.py IS1006a TS3010d ... [--work DIR]

For each val meeting named, ``../shared/bench/synth_meeting.py`` speaks its turns into
``<work>/<id>.m4a`` (one espeak-ng voice per speaker; needs Debian's espeak-ng) with
each turn's times in ``<id>.timing.json``, and ``python -m pipeline summarize`` makes
its Whisper transcript (both are skipped when already there). That transcript is what
a mixed Zoom recording gives: Whisper's segments, no speakers. Each of the three agenda
conditions of ``variants.py`` is then segmented and scored with nltk's Pk over the
Whisper segments, a segment's reference topic being that of the turn spoken at its
midpoint (k = half the mean reference segment, as bench/evaluate.py). The turn-unit
figures with the speakers kept and removed are printed beside it, on the same meetings.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from bisect import bisect_right
from dataclasses import replace
from pathlib import Path

from evaluate import CONDITIONS, SHARED_BENCH, boundary_string
from nltk.metrics.segmentation import pk
from score_segmentation import WORK, CachedEmbedder, load_split, meeting_pk

from pipeline.artifacts import Transcript
from pipeline.segment import segment_transcript
from pipeline.serialize import from_jsonable

ROOT = Path(__file__).resolve().parent.parent


def whisper_transcript(meeting_id: str, work: Path) -> Transcript:
    """The meeting spoken and transcribed, made once and kept in ``work``."""
    audio = work / f"{meeting_id}.m4a"
    if not audio.exists():
        if shutil.which("espeak-ng") is None:
            sys.exit(
                f"{audio}: not there, and speaking it needs espeak-ng (apt-get install espeak-ng)"
            )
        source = SHARED_BENCH / "meetings" / "val" / f"{meeting_id}.json"
        subprocess.run(
            [sys.executable, str(SHARED_BENCH / "synth_meeting.py"), str(source),
             str(work / meeting_id)],
            check=True, capture_output=True,
        )  # fmt: skip
    sidecar = work / "out" / f"{meeting_id}.json"
    if not sidecar.exists():
        subprocess.run(
            [sys.executable, "-m", "pipeline", "summarize", str(audio), "--outputs",
             str(work / "out"), "--no-progress", "--force", "--title", meeting_id,
             "--date", "2000-01-01"],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        (work / "out" / f"2000-01-01-{meeting_id.lower()}.json").rename(sidecar)
    return from_jsonable(Transcript, json.loads(sidecar.read_text())["transcript"])


def reference_starts(
    transcript: Transcript, timing: list[dict], turn_starts: list[int]
) -> list[int]:
    """The Whisper segments where a reference topic starts (by the turn at its midpoint)."""
    turn_times = [t["start"] for t in timing]
    topics = []
    for segment in transcript.segments:
        turn = max(0, bisect_right(turn_times, (segment.start + segment.end) / 2) - 1)
        topics.append(bisect_right(turn_starts, turn))
    return [0] + [i for i in range(1, len(topics)) if topics[i] != topics[i - 1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("meetings", nargs="+", help="val meeting ids, e.g. IS1006a")
    parser.add_argument("--work", type=Path, default=Path("/tmp/audio-val"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    (args.work / "out").mkdir(parents=True, exist_ok=True)
    embed = CachedEmbedder(WORK / "embeddings-audio.pkl")
    turn_embed = CachedEmbedder(WORK / "embeddings-val.pkl")
    split = load_split("val")
    known = {m.id for m in split["none"]}
    if unknown := [m for m in args.meetings if m not in known]:
        sys.exit(f"{SHARED_BENCH / 'meetings' / 'val'}: no meeting {', '.join(unknown)}")
    rows: dict[str, dict[str, list[float]]] = {c: {} for c in CONDITIONS}
    for meeting_id in args.meetings:
        transcript = whisper_transcript(meeting_id, args.work)
        timing = json.loads((args.work / f"{meeting_id}.timing.json").read_text())["turns"]
        for condition in CONDITIONS:
            (meeting,) = [m for m in split[condition] if m.id == meeting_id]
            starts = reference_starts(transcript, timing, meeting.reference_starts)
            n = len(transcript.segments)
            k = max(2, round(n / len(starts) / 2))
            found = segment_transcript(transcript.segments, meeting.given.agenda, embed)
            audio = pk(
                boundary_string(starts, n),
                boundary_string([s.first_turn for s in found], n),
                k,
                boundary="1",
            )
            units = meeting.given.transcript.segments
            kept = segment_transcript(units, meeting.given.agenda, turn_embed)
            bare = tuple(replace(u, speaker="") for u in units)
            removed = segment_transcript(bare, meeting.given.agenda, turn_embed)
            rows[condition][meeting_id] = [
                audio,
                meeting_pk(meeting, [s.first_turn for s in kept]),
                meeting_pk(meeting, [s.first_turn for s in removed]),
            ]
        embed.save()
        turn_embed.save()
    print("| condition | meetings | audio (Whisper segments) | turns, speakers | turns, none |")
    print("|---|---:|---:|---:|---:|")
    for condition, by_meeting in rows.items():
        means = [statistics.fmean(v[i] for v in by_meeting.values()) for i in range(3)]
        print(
            f"| {condition} | {len(by_meeting)} | " + " | ".join(f"{m:.3f}" for m in means) + " |"
        )
        print("  " + " ".join(f"{i}:{v[0]:.2f}" for i, v in by_meeting.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
