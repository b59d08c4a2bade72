"""Evaluation: topic segmentation on real meetings with human topic boundaries.

    make eval [DATA=dir] [OUT=dir]

Runs the pipeline (no audio: each meeting JSON is a transcript) on every meeting
in DATA, writes each sidecar to OUT, and scores the sidecar's ``segments``
against the meeting's ``reference.segments`` (which the pipeline never reads):
Pk and WindowDiff (nltk) and boundary F1 (segeval, boundary edit distance), in
turn units, per domain, next to the no-boundary and equal-size baselines.

DATA may hold meeting JSONs, or the ordered/ shuffled/ none/ folders that
``../shared/bench/variants.py`` writes. Without DATA, those three conditions
are made from ``../shared/bench/meetings/val`` in a temporary folder.
Results are also written to docs/EVALUATION.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import segeval
from nltk.metrics.segmentation import pk, windowdiff

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
REPORT = ROOT / "docs" / "EVALUATION.md"
CONDITIONS = ("ordered", "shuffled", "none")
KEYPHRASE_NOTE = (
    "Key phrases are seeded with the agenda card's title (KeyBERT's guided mode, weight "
    "0.25, `ExtractOptions.keyphrase_title_seed_weight`); in `ordered` and `shuffled` the "
    "cards are the reference titles, so their title match is partly circular, and `none` "
    "(no cards, no seeding) is the unseeded figure. `bench/score_keyphrases.py DIR "
    "--segments pipeline --config keyphrase_title_seed_weight=0` gives the unseeded figure "
    "for any condition."
)


@dataclass
class Scores:
    pk: float
    windowdiff: float
    f1: float
    pk_no_boundary: float
    pk_equal_size: float
    segment_seconds: float
    notes_seconds: float  # key phrases, takeaways, overview (the extract stage)
    words: int
    title_hits: list[bool]  # per reference topic segment: a top-5 key phrase shares a lemma
    tfidf_title_hits: list[bool]  # the same for the TF-IDF baseline's top 5 terms
    rouge: dict[str, float]  # overview against reference.summary, F measures
    rouge_lead: dict[str, float]  # the first N words of the transcript, N = overview length


_LEMMA_CACHE: dict[str, set[str]] = {}


def content_lemmas(nlp, text: str) -> set[str]:
    if text not in _LEMMA_CACHE:
        _LEMMA_CACHE[text] = {
            t.lemma_.lower() for t in nlp(text) if not (t.is_stop or t.is_punct or t.is_space)
        }
    return _LEMMA_CACHE[text]


def tfidf_top_terms(texts: list[str], k: int = 5) -> list[list[str]]:
    """The baseline: each segment's top uni/bigrams, the meeting's segments as documents."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), stop_words="english")
    matrix = vectorizer.fit_transform([t if t.strip() else "empty" for t in texts]).toarray()
    names = vectorizer.get_feature_names_out()
    return [[names[j] for j in row.argsort()[::-1][:k] if row[j] > 0] for row in matrix]


def title_match(meeting: dict, sidecar: dict, nlp) -> tuple[list[bool], list[bool]]:
    """Per reference topic segment: does a top-5 key phrase of the pipeline segment that
    overlaps it most (or a top-5 TF-IDF term of the segment itself) share a content
    lemma with its title?"""
    texts = [t["text"] for t in meeting["turns"]]
    reference = meeting["reference"]["segments"]
    tfidf = tfidf_top_terms(
        [" ".join(texts[s["start_turn"] : s["end_turn"] + 1]) for s in reference]
    )
    ours, baseline = [], []
    for ref, terms in zip(reference, tfidf, strict=True):
        if ref["is_gap"]:
            continue

        def overlap(seg: dict, ref: dict = ref) -> int:
            return min(seg["last_turn"], ref["end_turn"]) - max(
                seg["first_turn"], ref["start_turn"]
            )

        best = max(sidecar["segments"], key=overlap)
        title = content_lemmas(nlp, ref["title"])
        phrases = set().union(*(content_lemmas(nlp, p) for p in best["keyphrases"][:5]))
        ours.append(bool(title & phrases))
        baseline.append(bool(title & set().union(*(content_lemmas(nlp, t) for t in terms))))
    return ours, baseline


def boundary_string(starts: list[int], n_turns: int) -> str:
    """'1' at each turn where a segment starts (but the first), '0' elsewhere."""
    marks = ["0"] * n_turns
    for start in starts:
        if 0 < start < n_turns:
            marks[start] = "1"
    return "".join(marks)


def masses(starts: list[int], n_turns: int) -> tuple[int, ...]:
    """Segment lengths, as segeval wants them."""
    edges = sorted({0, *(s for s in starts if 0 < s < n_turns)}) + [n_turns]
    return tuple(b - a for a, b in zip(edges, edges[1:], strict=False))


def score(meeting: dict, sidecar: dict, nlp, rouge) -> Scores:
    n = len(meeting["turns"])
    reference = [s["start_turn"] for s in meeting["reference"]["segments"]]
    hypothesis = [s["first_turn"] for s in sidecar["segments"]]
    # k = half the mean reference segment length, as the bench README's baselines use.
    k = max(2, round(n / len(reference) / 2))
    ref, hyp = boundary_string(reference, n), boundary_string(hypothesis, n)
    hits, tfidf_hits = title_match(meeting, sidecar, nlp)
    words = " ".join(t["text"] for t in meeting["turns"]).split()
    summary, overview = meeting["reference"]["summary"], sidecar["overview"]
    lead = " ".join(words[: len(overview.split())])
    equal = boundary_string([round(i * n / len(reference)) for i in range(len(reference))], n)
    return Scores(
        pk=pk(ref, hyp, k, boundary="1"),
        windowdiff=windowdiff(ref, hyp, k, boundary="1"),
        f1=float(
            segeval.fmeasure(
                segeval.boundary_confusion_matrix(masses(hypothesis, n), masses(reference, n))
            )
        ),
        pk_no_boundary=pk(ref, "0" * n, k, boundary="1"),
        pk_equal_size=pk(ref, equal, k, boundary="1"),
        segment_seconds=sidecar["stage_seconds"].get("segment", 0.0),
        notes_seconds=sidecar["stage_seconds"].get("extract", 0.0),
        words=len(words),
        title_hits=hits,
        tfidf_title_hits=tfidf_hits,
        rouge={k: v.fmeasure for k, v in rouge.score(summary, overview).items()},
        rouge_lead={k: v.fmeasure for k, v in rouge.score(summary, lead).items()},
    )


def run_condition(folder: Path, out: Path, cache: Path) -> dict[str, list[Scores]]:
    from rouge_score import rouge_scorer

    from pipeline.models import load_spacy
    from pipeline.runner import RunSettings, summarize

    nlp = load_spacy()
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    by_domain: dict[str, list[Scores]] = defaultdict(list)
    for path in sorted(folder.glob("*.json")):
        meeting = json.loads(path.read_text())
        result = summarize(
            RunSettings(
                recording=path,
                title=meeting["id"],
                date="2000-01-01",
                outputs_dir=out,
                cache_dir=cache,
                force=True,
                progress=False,
            )
        )
        sidecar = json.loads(result.sidecar_path.read_text())
        by_domain[meeting.get("domain", "all")].append(score(meeting, sidecar, nlp, rouge))
    return by_domain


def table(condition: str, by_domain: dict[str, list[Scores]]) -> list[str]:
    def mean(values: list[Scores], field: str) -> float:
        return statistics.fmean(getattr(s, field) for s in values)

    rows = []
    for domain, scores in sorted(by_domain.items()):
        rows.append(
            f"| {condition} | {domain} | {len(scores)} | {mean(scores, 'pk'):.3f} | "
            f"{mean(scores, 'windowdiff'):.3f} | {mean(scores, 'f1'):.3f} | "
            f"{mean(scores, 'pk_no_boundary'):.3f} | {mean(scores, 'pk_equal_size'):.3f} |"
        )
    return rows


def notes_table(condition: str, by_domain: dict[str, list[Scores]]) -> list[str]:
    rows = []
    for domain, scores in sorted(by_domain.items()):
        hits = [h for s in scores for h in s.title_hits]
        base = [h for s in scores for h in s.tfidf_title_hits]

        def rouge(key: str, lead: bool = False, scores: list[Scores] = scores) -> float:
            return statistics.fmean((s.rouge_lead if lead else s.rouge)[key] for s in scores)

        rows.append(
            f"| {condition} | {domain} | {sum(hits) / len(hits):.3f} | {sum(base) / len(base):.3f} "
            f"| {rouge('rouge1'):.3f} / {rouge('rouge2'):.3f} / {rouge('rougeL'):.3f} "
            f"| {rouge('rouge1', True):.3f} / {rouge('rouge2', True):.3f} / "
            f"{rouge('rougeL', True):.3f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="meeting JSONs, or ordered/ shuffled/ none/")
    parser.add_argument("--out", type=Path, help="where the sidecars go (default: a temp dir)")
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "val"
            subprocess.run(
                [sys.executable, str(SHARED_BENCH / "variants.py"),
                 str(SHARED_BENCH / "meetings" / "val"), str(data)],
                check=True, capture_output=True,
            )  # fmt: skip
        conditions = [c for c in CONDITIONS if (data / c).is_dir()]
        folders = [(c, data / c) for c in conditions] or [(data.name, data)]
        out = args.out or Path(tmp) / "out"

        lines = [
            "| condition | domain | meetings | Pk | WindowDiff | boundary F1 "
            "| Pk, no boundaries | Pk, equal size |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        notes_lines = [
            "| condition | domain | key-phrase title match | TF-IDF baseline "
            "| overview ROUGE-1 / 2 / L | lead baseline ROUGE-1 / 2 / L |",
            "|---|---|---:|---:|---:|---:|",
        ]
        slowest, slowest_notes = (0.0, 0), (0.0, 0)
        for condition, folder in folders:
            by_domain = run_condition(folder, out / condition, Path(tmp) / "cache")
            lines += table(condition, by_domain)
            notes_lines += notes_table(condition, by_domain)
            print("\n".join(lines[-len(by_domain) :]), flush=True)
            for scores in by_domain.values():
                for s in scores:
                    slowest = max(slowest, (s.segment_seconds, s.words))
                    slowest_notes = max(slowest_notes, (s.notes_seconds, s.words))

    timing = (
        f"Slowest segmentation: {slowest[0]:.1f} s for a {slowest[1]:,}-word meeting "
        "(the segment stage, embeddings included; the model is loaded once before). "
        f"Slowest key phrases and takeaways: {slowest_notes[0]:.1f} s for a "
        f"{slowest_notes[1]:,}-word meeting."
    )
    report = "\n".join(lines) + "\n\n" + "\n".join(notes_lines)
    print(f"\n{report}\n\n{timing}")
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    args.report.write_text(
        "# Evaluation\n\nMade by `make eval` (bench/evaluate.py): topic segmentation of real "
        "meeting transcripts (AMI product meetings, ICSI research meetings, via QMSum) "
        "against their human topic boundaries, in turn units; Pk and WindowDiff from nltk "
        "(k = half the mean reference segment), boundary F1 from segeval. Lower Pk and "
        f"WindowDiff are better.\n\n## Latest run ({stamp}, data: {args.data or 'val'})\n\n"
        f"{report}\n\n{timing}\n\n{KEYPHRASE_NOTE}\n"
    )
    print(f"Wrote {args.report}")


if __name__ == "__main__":
    main()
