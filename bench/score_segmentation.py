"""Segmentation only: mean Pk per domain and agenda condition, fast enough to tune with.

    .venv/bin/python bench/score_segmentation.py [--split train|val] [--conditions ...]

Runs ``../shared/bench/variants.py`` on the split into a work folder, loads
MiniLM once, and runs only the segmenter (no extraction, no rendering) on every
meeting, scoring with nltk's Pk exactly as bench/evaluate.py does (turn units,
gaps as segments, k = half the mean reference segment). Block embeddings are
cached on disk by text, so a rerun with other decoder settings embeds nothing.
Tune on train; check on val.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from evaluate import CONDITIONS, SHARED_BENCH, boundary_string
from nltk.metrics.segmentation import pk

from pipeline.segment import SegmentOptions, segment_transcript
from pipeline.transcript_json import TranscriptInput, load_transcript_json

WORK = Path(os.environ.get("SEG_WORK", "/tmp/seg-bench"))


@dataclass(frozen=True)
class Meeting:
    id: str
    domain: str
    given: TranscriptInput
    reference_starts: list[int]


class CachedEmbedder:
    """embed(texts) through a dict of text digests kept on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[bytes, np.ndarray] = {}
        if path.exists():
            self.vectors = pickle.loads(path.read_bytes())
        self._model = None
        self.unsaved = 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode()).digest() for t in texts]
        missing = [t for t, k in zip(texts, keys, strict=True) if k not in self.vectors]
        if missing:
            if self._model is None:
                from pipeline.models import load_sentence_embedder

                self._model = load_sentence_embedder()
            fresh = self._model.encode(
                missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False
            )
            for t, v in zip(missing, fresh, strict=True):
                self.vectors[hashlib.sha1(t.encode()).digest()] = np.asarray(v, dtype=np.float32)
            self.unsaved += len(missing)
            if self.unsaved >= 2000:  # embedding a split takes long on a shared CPU
                self.save()
        return np.vstack([self.vectors[k] for k in keys])

    def save(self) -> None:
        if self.unsaved:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(self.vectors))
            tmp.replace(self.path)
            self.unsaved = 0


def load_split(split: str) -> dict[str, list[Meeting]]:
    """Each condition's meetings, made by variants.py once per split."""
    root = WORK / split
    if not all((root / c).is_dir() for c in CONDITIONS):
        subprocess.run(
            [sys.executable, str(SHARED_BENCH / "variants.py"),
             str(SHARED_BENCH / "meetings" / split), str(root)],
            check=True, capture_output=True,
        )  # fmt: skip
    out: dict[str, list[Meeting]] = {}
    for condition in CONDITIONS:
        meetings = []
        for path in sorted((root / condition).glob("*.json")):
            data = json.loads(path.read_text())
            starts = [s["start_turn"] for s in data["reference"]["segments"]]
            meetings.append(Meeting(data["id"], data["domain"], load_transcript_json(path), starts))
        out[condition] = meetings
    return out


def meeting_pk(meeting: Meeting, first_turns: list[int]) -> float:
    n = len(meeting.given.transcript.segments)
    k = max(2, round(n / len(meeting.reference_starts) / 2))
    ref = boundary_string(meeting.reference_starts, n)
    return pk(ref, boundary_string(first_turns, n), k, boundary="1")


def score(
    meetings: list[Meeting],
    embed: Callable[[list[str]], np.ndarray],
    options: SegmentOptions | None = None,
) -> dict[str, dict[str, float]]:
    """{domain: {meeting id: Pk}}."""
    options = options or SegmentOptions()
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for m in meetings:
        segments = segment_transcript(m.given.transcript.segments, m.given.agenda, embed, options)
        out[m.domain][m.id] = meeting_pk(m, [s.first_turn for s in segments])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="train", choices=("train", "val"))
    parser.add_argument("--conditions", nargs="+", default=list(CONDITIONS), choices=CONDITIONS)
    parser.add_argument("--per-meeting", action="store_true", help="print each meeting's Pk")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    WORK.mkdir(parents=True, exist_ok=True)
    embed = CachedEmbedder(WORK / f"embeddings-{args.split}.pkl")
    split = load_split(args.split)
    print("| split | condition | domain | meetings | Pk |\n|---|---|---|---:|---:|")
    for condition in args.conditions:
        started = time.perf_counter()
        by_domain = score(split[condition], embed)
        embed.save()
        for domain, scores in sorted(by_domain.items()):
            print(
                f"| {args.split} | {condition} | {domain} | {len(scores)} "
                f"| {statistics.fmean(scores.values()):.3f} |",
                flush=True,
            )
            if args.per_meeting:
                print("  " + " ".join(f"{i}:{v:.2f}" for i, v in sorted(scores.items())))
        print(f"({condition}: {time.perf_counter() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
