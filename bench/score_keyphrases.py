"""Fast, extraction-only scoring on the reference topic segments (for tuning).

    .venv/bin/python bench/score_keyphrases.py DATA [--limit N] [--set seed_weight=0.25 ...]

DATA is a folder of bench meeting JSONs (``../shared/bench/meetings/train``, or one
condition that ``../shared/bench/variants.py`` wrote, e.g. ``/tmp/x/ordered``). Each
meeting is cut at its human topic boundaries (so segmentation errors do not count),
``extract_notes`` runs on it and two figures are printed:

- key-phrase title match: the share of reference topic segments whose title shares a
  content lemma with one of that segment's top-5 key phrases (the metric of
  ``bench/evaluate.py``), next to the TF-IDF baseline's top 5 terms;
- overview ROUGE-1/2/L F against the meeting's human summary.

A segment's title is the agenda card's title when the meeting has an agenda (it is
what the segmenter gives a segment on that card) and empty without one, so card-title
seeding (``keyphrase_title_seed_weight``) only acts where a real agenda exists.

Each ``--config`` is a comma-separated list of ``ExtractOptions`` overrides
(``keyphrase_title_seed_weight=0.25,keyphrase_idf_power=1``); several are scored in one
run. spaCy parses and sentence embeddings are memoised across configurations, so
every configuration after the first costs only the ranking.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


class MemoNlp:
    """spaCy's ``pipe`` with parses memoised by text (configurations share them)."""

    def __init__(self, nlp):
        self.nlp = nlp
        self.docs: dict[str, object] = {}

    def load(self, path: Path) -> None:
        from spacy.tokens import DocBin

        if path.exists():
            docs = DocBin().from_bytes(path.read_bytes()).get_docs(self.nlp.vocab)
            self.docs.update((d.text, d) for d in docs)

    def save(self, path: Path) -> None:
        from spacy.tokens import DocBin

        path.write_bytes(DocBin(docs=self.docs.values(), store_user_data=False).to_bytes())

    def pipe(self, texts, batch_size: int = 64):
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self.docs]
        self.docs.update(zip(missing, self.nlp.pipe(missing, batch_size=batch_size), strict=True))
        return (self.docs[t] for t in texts)

    def __call__(self, text: str):
        return self.nlp(text)


class MemoEmbedModel:
    """KeyBERT's backend ``embed`` with vectors memoised by text."""

    def __init__(self, model):
        self.model = model
        self.vecs: dict[str, np.ndarray] = {}

    def embed(self, texts):
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self.vecs]
        if missing:
            self.vecs.update(zip(missing, self.model.embed(missing), strict=True))
        return np.stack([self.vecs[t] for t in texts]) if texts else np.zeros((0, 384))


def load_vectors(model: MemoEmbedModel, path: Path) -> None:
    if path.exists():
        data = np.load(path, allow_pickle=False)
        model.vecs.update(zip(data["texts"].tolist(), data["vecs"], strict=True))


def save_vectors(model: MemoEmbedModel, path: Path) -> None:
    np.savez(path, texts=np.array(list(model.vecs)), vecs=np.stack(list(model.vecs.values())))


class MemoKeyBERT:
    def __init__(self, keybert):
        self.model = MemoEmbedModel(keybert.model)


def reference_segments(meeting: dict):
    from pipeline.artifacts import TopicSegment

    has_agenda = bool(meeting.get("agenda"))
    return [
        TopicSegment(
            title=s["title"] if has_agenda and not s["is_gap"] else "",
            kind="other" if s["is_gap"] else "topic",
            agenda_index=None if s["is_gap"] else s["topic_index"],
            first_turn=s["start_turn"],
            last_turn=s["end_turn"],
            start=None,
            end=None,
        )
        for s in meeting["reference"]["segments"]
    ]


def parse_config(text: str) -> dict:
    from pipeline.extract import ExtractOptions

    fields = {f.name: f.type for f in dataclasses.fields(ExtractOptions)}
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in fields:
            raise SystemExit(f"unknown option {name!r}; options: {', '.join(fields)}")
        default = getattr(ExtractOptions(), name)
        out[name] = (
            value.lower() in ("1", "true", "yes")
            if isinstance(default, bool)
            else type(default)(value)
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--limit", type=int, help="only the first N meetings")
    parser.add_argument("--every", type=int, default=1, help="every Nth meeting (a sample)")
    parser.add_argument("--config", action="append", default=[], help="a=1,b=2 (repeatable)")
    parser.add_argument("--cache", type=Path, help="keep parses and vectors here between runs")
    parser.add_argument(
        "--segments",
        choices=("reference", "pipeline"),
        default="reference",
        help="cut at the human boundaries, or at the segmenter's (scored as make eval does)",
    )
    parser.add_argument("--show", action="store_true", help="print each segment's phrases")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from evaluate import content_lemmas, tfidf_top_terms, title_match
    from rouge_score import rouge_scorer

    from pipeline.extract import ExtractOptions, extract_notes
    from pipeline.models import load_keybert, load_spacy
    from pipeline.segment import segment_transcript
    from pipeline.transcript_json import load_transcript_json

    nlp, keybert = MemoNlp(load_spacy()), MemoKeyBERT(load_keybert())
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
        nlp.load(args.cache / "docs.spacy")
        load_vectors(keybert.model, args.cache / "vectors.npz")
    rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    paths = sorted(args.data.glob("*.json"))[:: args.every][: args.limit]
    given = [load_transcript_json(p) for p in paths]
    meetings = [
        (json.loads(p.read_text()), g.transcript) for p, g in zip(paths, given, strict=True)
    ]
    cuts = [reference_segments(meeting) for meeting, _ in meetings]
    if args.segments == "pipeline":  # segmented once: the options tuned here do not change it
        from pipeline.models import sentence_embedder

        embed = sentence_embedder()  # the pipeline's own segmenter embedder
        cuts = [segment_transcript(g.transcript.segments, g.agenda, embed) for g in given]
    baseline: list[bool] = []
    for meeting, _ in meetings:
        texts = [t["text"] for t in meeting["turns"]]
        refs = meeting["reference"]["segments"]
        terms = tfidf_top_terms(
            [" ".join(texts[s["start_turn"] : s["end_turn"] + 1]) for s in refs]
        )
        for ref, top in zip(refs, terms, strict=True):
            if not ref["is_gap"]:
                lemmas = set().union(*(content_lemmas(nlp.nlp, t) for t in top))
                baseline.append(bool(content_lemmas(nlp.nlp, ref["title"]) & lemmas))
    print(f"{len(meetings)} meetings, {len(baseline)} topic segments, data {args.data}")
    print(f"TF-IDF baseline title match {statistics.fmean(baseline):.3f}")
    cached = (len(nlp.docs), len(keybert.model.vecs))
    for config in args.config or [""]:
        options = dataclasses.replace(ExtractOptions(), **parse_config(config))
        hits: list[bool] = []
        rouge1: list[float] = []
        start = time.perf_counter()
        for (meeting, transcript), segments in zip(meetings, cuts, strict=True):
            notes = extract_notes(transcript.segments, segments, nlp, keybert, options)
            sidecar = {
                "segments": [
                    {
                        "first_turn": s.first_turn,
                        "last_turn": s.last_turn,
                        "keyphrases": t.keyphrases,
                    }
                    for s, t in zip(segments, notes.topics, strict=True)
                ]
            }
            ours, _ = title_match(meeting, sidecar, nlp.nlp)
            hits += ours
            if args.show:
                refs = [r for r in meeting["reference"]["segments"] if not r["is_gap"]]
                for ref, hit in zip(refs, ours, strict=True):
                    phrases = (
                        next(
                            t.keyphrases[:5]
                            for s, t in zip(segments, notes.topics, strict=True)
                            if (s.first_turn, s.last_turn) == (ref["start_turn"], ref["end_turn"])
                        )
                        if args.segments == "reference"
                        else ""
                    )
                    print(f"  {'+' if hit else '-'} {ref['title']!r}: {phrases}")
            rouge1.append(
                rouge.score(meeting["reference"]["summary"], notes.overview)["rouge1"].fmeasure
            )
        if args.cache and cached != (len(nlp.docs), len(keybert.model.vecs)):
            nlp.save(args.cache / "docs.spacy")
            save_vectors(keybert.model, args.cache / "vectors.npz")
            cached = (len(nlp.docs), len(keybert.model.vecs))
        print(
            f"title match {statistics.fmean(hits):.3f}  overview ROUGE-1 "
            f"{statistics.fmean(rouge1):.3f}  ({time.perf_counter() - start:.0f} s)  "
            f"[{config or 'defaults'}]",
            flush=True,
        )


if __name__ == "__main__":
    main()
