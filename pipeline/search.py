"""Finds takeaways across the archive by meaning and by words.

Each takeaway is scored two ways and the scores are blended: the cosine similarity of
its MiniLM embedding to the query's (finds paraphrases: "stopped estimating" for "no
more story points"), and the TF-IDF cosine of the query's words to the takeaway with its
topic title and key phrases (finds exact names and jargon the embedding blurs, such as
"DORA"). Embeddings of the archive are cached by content, so a second search only
embeds the query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.archive import CatalogEntry

SEMANTIC_WEIGHT = 0.7  # the rest goes to the word match
MIN_SCORE = 0.2  # below this a hit is noise for any query we tried


@dataclass(frozen=True)
class SearchHit:
    takeaway: str
    score: float
    meeting_id: str
    meeting_title: str
    date: str
    topic: str
    file: str  # the meeting's markdown, relative to the archive


@dataclass(frozen=True)
class _Document:
    takeaway: str
    context: str  # topic title and key phrases: words a searcher may use
    entry: CatalogEntry
    topic: str


def _documents(entries: list[CatalogEntry]) -> list[_Document]:
    return [
        _Document(takeaway, " ".join((topic.title, *topic.keyphrases)), entry, topic.title)
        for entry in entries
        for topic in entry.topics
        for takeaway in topic.takeaways
    ]


def _cached_embeddings(
    texts: list[str], embed: Callable[[list[str]], np.ndarray], cache_dir: Path | None
) -> np.ndarray:
    if cache_dir is None:
        return embed(texts)
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:32]
    path = cache_dir / f"{digest}.npy"
    if path.exists():
        try:
            return np.load(path)
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt below
    vectors = embed(texts)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
    except OSError:
        pass  # the cache only saves time
    return vectors


def search_takeaways(
    entries: list[CatalogEntry],
    query: str,
    embed: Callable[[list[str]], np.ndarray],
    limit: int = 5,
    cache_dir: Path | None = None,
) -> list[SearchHit]:
    """The best ``limit`` takeaways for ``query``, best first."""
    documents = _documents(entries)
    if not documents or not query.strip():
        return []
    vectors = _cached_embeddings([d.takeaway for d in documents], embed, cache_dir)
    semantic = vectors @ embed([query])[0]

    words = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        matrix = words.fit_transform([f"{d.takeaway} {d.context}" for d in documents])
        keyword = (matrix @ words.transform([query]).T).toarray().ravel()
    except ValueError:  # every word is a stop word
        keyword = np.zeros(len(documents))

    scores = SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * keyword
    order = np.argsort(-scores, kind="stable")[:limit]
    return [
        SearchHit(
            takeaway=documents[i].takeaway,
            score=round(float(scores[i]), 3),
            meeting_id=documents[i].entry.id,
            meeting_title=documents[i].entry.title,
            date=documents[i].entry.date,
            topic=documents[i].topic,
            file=documents[i].entry.file,
        )
        for i in order
        if scores[i] >= MIN_SCORE
    ]
