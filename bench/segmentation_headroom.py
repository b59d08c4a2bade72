"""How good would the segmenter be with a better card-fit signal? (analysis, not a test)

    .venv/bin/python bench/segmentation_headroom.py [--split train] [--noise 0 1 2]

In the `ordered` condition, replaces the block-to-card similarity that the agenda
decoder reads (MiniLM block vector . card vector) with a synthetic one: 1 where
the block lies in that card's reference topic, else 0, plus Gaussian noise of
the given standard deviation, drawn independently per block and card (seeded).
Everything else (coherence, cues, boundary model, decoder constants) is the
segmenter's own. A noise of sigma gives a per-block AUC of Phi(1 / (sigma sqrt 2)):
0 -> 1.0, 1 -> 0.76, 2 -> 0.64 (MiniLM's own similarity measures 0.63 on train).
It answers where the remaining error comes from: the decoder, or the signal.
Reads the reference answer key, which only evaluation code may do.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections import Counter
from math import erf

import numpy as np
from score_segmentation import WORK, CachedEmbedder, load_split, meeting_pk

import pipeline.segment as segment


def reference_topics(path) -> list[str | None]:
    """Each turn's reference topic title (None in a gap)."""
    data = json.loads(path.read_text())
    out: list[str | None] = [None] * len(data["turns"])
    for s in data["reference"]["segments"]:
        for t in range(s["start_turn"], s["end_turn"] + 1):
            out[t] = None if s["is_gap"] else s["title"]
    return out


def synthetic_decoder(topic, titles, noise, rng, decode_agenda, windows):
    """segment._decode_agenda, fed the synthetic block-to-card fit instead of MiniLM's."""

    def decode(blocks, card_vecs, *rest):
        said = [Counter(topic[a : b + 1]).most_common(1)[0][0] for a, b in blocks.ranges]
        fit = np.array([[s == t for t in titles] for s in said], dtype=float)
        fit += noise * rng.standard_normal(fit.shape)
        # the decoder computes windows(vectors) @ card_vecs.T: make that `fit`
        segment._windows = lambda _vectors, _half: fit
        try:
            return decode_agenda(blocks, np.eye(len(titles)), *rest)
        finally:
            segment._windows = windows

    return decode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="train", choices=("train", "val"))
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0, 1.0, 2.0])
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embed = CachedEmbedder(WORK / f"embeddings-{args.split}.pkl")
    meetings = load_split(args.split)["ordered"]
    decode_agenda, windows = segment._decode_agenda, segment._windows
    print("| noise | per-block AUC | domain | Pk |\n|---:|---:|---|---:|")
    for noise in args.noise:
        rng = np.random.default_rng(0)
        by_domain: dict[str, list[float]] = {}
        for m in meetings:
            topic = reference_topics(WORK / args.split / "ordered" / f"{m.id}.json")
            titles = [c.title for c in m.given.agenda.cards]
            segment._decode_agenda = synthetic_decoder(
                topic, titles, noise, rng, decode_agenda, windows
            )
            try:
                found = segment.segment_transcript(
                    m.given.transcript.segments, m.given.agenda, embed
                )
            finally:
                segment._decode_agenda = decode_agenda
            by_domain.setdefault(m.domain, []).append(meeting_pk(m, [s.first_turn for s in found]))
        auc = 0.5 * (1 + erf(1 / (2 * noise))) if noise else 1.0  # Phi(d' / sqrt 2)
        for domain, values in sorted(by_domain.items()):
            print(f"| {noise:g} | {auc:.2f} | {domain} | {statistics.fmean(values):.3f} |")
    embed.save()


if __name__ == "__main__":
    main()
