"""Train the segmenter's boundary model on the bench's train meetings.

    .venv/bin/python bench/train_boundaries.py [--c 0.1] [--min-count 30] [--no-speakers]

For every block that pipeline.segment would make of a train meeting, its
boundary features (segment.boundary_features: opening words, change of topic
vector, speakers and words around it) and whether a reference topic starts in
it; a logistic regression (scikit-learn) over them, written to
models/segment-boundaries.json. Opening words seen fewer than --min-count times
are left out, so the model keeps discourse cues ("okay so", "next") rather than
one meeting's names. Only the train split is read; score on val with
bench/score_segmentation.py. --no-speakers trains the model for transcripts without
speakers (mixed audio): the same meetings with every turn's speaker removed, written to
models/segment-boundaries-nospeakers.json.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from dataclasses import replace

from score_segmentation import WORK, CachedEmbedder, load_split
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from pipeline.segment import BOUNDARY_MODEL_PATH, SPEAKERLESS_MODEL_PATH, boundary_examples


def examples(split: str, speakers: bool = True) -> tuple[list[dict[str, float]], list[int]]:
    embed = CachedEmbedder(WORK / f"embeddings-{split}.pkl")
    features, labels = [], []
    for meeting in load_split(split)["none"]:  # the turns are the same in every condition
        units = meeting.given.transcript.segments
        if not speakers:
            units = tuple(replace(u, speaker="") for u in units)
        ranges, block_features = boundary_examples(units, embed)
        starts = set(meeting.reference_starts[1:])
        for (first, last), f in zip(ranges, block_features, strict=True):
            features.append(f)
            labels.append(int(any(first <= s <= last for s in starts)))
    embed.save()
    return features, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--c", type=float, default=0.1, help="inverse regularisation strength")
    parser.add_argument("--min-count", type=int, default=30)
    parser.add_argument("--no-speakers", action="store_true", help="for mixed audio")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    features, labels = examples("train", speakers=not args.no_speakers)
    path = SPEAKERLESS_MODEL_PATH if args.no_speakers else BOUNDARY_MODEL_PATH
    counts = Counter(k for f in features for k in f if ":" in k)
    kept = [{k: v for k, v in f.items() if ":" not in k or counts[k] >= args.min_count}
            for f in features]  # fmt: skip
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(kept)
    model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=5000).fit(x, labels)
    weights = {
        name: round(float(w), 4)
        for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True)
        if abs(w) >= 1e-4
    }
    path.write_text(
        json.dumps(
            {
                "about": "pipeline.segment boundary model; made by bench/train_boundaries.py "
                f"(C={args.c}, min count {args.min_count}"
                f"{', speakers removed' if args.no_speakers else ''})"
                " on the bench's train meetings",
                "examples": len(labels),
                "positives": sum(labels),
                "bias": round(float(model.intercept_[0]), 4),
                "weights": dict(sorted(weights.items(), key=lambda kv: -abs(kv[1]))),
            },
            indent=1,
        )
        + "\n"
    )
    print(f"{len(labels)} blocks, {sum(labels)} with a boundary; {len(weights)} weights "
          f"-> {path}")  # fmt: skip


if __name__ == "__main__":
    main()
