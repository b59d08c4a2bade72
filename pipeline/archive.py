"""The archive: one markdown file per published meeting, an index page, a topic index,
and ``catalog.json``, the machine-readable list that the pages and search are built from.

    archive/
      index.md                      meetings, newest first
      topics.md                     topics and key phrases across meetings
      catalog.json                  every meeting's topics, key phrases and takeaways
      meetings/<id>.md              the reviewed summary, reviewer-only parts removed
      meetings/<id>.timeline.svg    its timeline picture, when it has one

Publishing is all or nothing: every new file is first written in full to a temporary
file beside its target, and only when all of them are written are they renamed into
place. A failure before that point (disk full, read-only folder) removes the temporary
files and leaves the archive byte for byte as it was. A lock (outside the archive, so a
failed publish does not even leave a lock file behind) keeps two publishers from
interleaving: the second waits, then adds its meeting to what the first wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from filelock import FileLock, Timeout

from pipeline.artifacts import PublishedMeeting, PublishedTopic
from pipeline.errors import ArchiveError, OutputError
from pipeline.fileio import write_all_atomically
from pipeline.render import template_environment

CATALOG_FILE = "catalog.json"
INDEX_FILE = "index.md"
TOPICS_FILE = "topics.md"
MEETINGS_DIR = "meetings"
CATALOG_SCHEMA = 1
LOCK_TIMEOUT_S = 300
INDEX_TEMPLATE = "archive_index.md.j2"
TOPICS_TEMPLATE = "archive_topics.md.j2"


@dataclass(frozen=True)
class CatalogEntry:
    """What the index pages and search know about one published meeting."""

    id: str
    title: str
    date: str
    theme: str
    file: str  # relative to the archive folder
    topics: tuple[PublishedTopic, ...]


@dataclass(frozen=True)
class IndexTerm:
    """One line of the topic index: a key phrase or topic title and where it came up."""

    term: str
    places: tuple[tuple[CatalogEntry, str], ...]  # (meeting, topic title)


@dataclass(frozen=True)
class PublishResult:
    meeting_file: Path
    replaced: bool  # the meeting was already in the archive and its entry was replaced
    meetings: int  # in the archive after publishing


def meeting_path(meeting_id: str) -> str:
    return f"{MEETINGS_DIR}/{meeting_id}.md"


def load_catalog(archive_dir: Path) -> list[CatalogEntry]:
    """The archive's meetings, newest first; empty for a new archive."""
    path = archive_dir / CATALOG_FILE
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [_entry_from_json(item) for item in data["meetings"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(
            f"{path}: not a readable archive catalog ({exc}); restore it from version control"
        ) from None


def _entry_from_json(item: dict) -> CatalogEntry:
    return CatalogEntry(
        id=item["id"],
        title=item["title"],
        date=item["date"],
        theme=item.get("theme", ""),
        file=item["file"],
        topics=tuple(
            PublishedTopic(**{k: tuple(v) if isinstance(v, list) else v for k, v in t.items()})
            for t in item["topics"]
        ),
    )


def _catalog_json(entries: list[CatalogEntry]) -> str:
    data = {"schema_version": CATALOG_SCHEMA, "meetings": [asdict(e) for e in entries]}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _newest_first(entries: list[CatalogEntry]) -> list[CatalogEntry]:
    return sorted(entries, key=lambda e: (e.date, e.id), reverse=True)


def _meeting_markdown(meeting: PublishedMeeting) -> str:
    # Plain YAML front matter: Jekyll, Hugo and MkDocs read it as is.
    front = yaml.safe_dump(meeting.front_matter, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n\n{meeting.body}"


def index_terms(
    entries: list[CatalogEntry], normalize: Callable[[str], str], key_phrases: bool
) -> list[IndexTerm]:
    """Topic titles (or key phrases) grouped across meetings by their normalized form, so
    "Engineering metrics" and "engineering metric" land on one line."""
    groups: dict[str, list[tuple[CatalogEntry, str]]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for entry in entries:
        for topic in entry.topics:
            for term in topic.keyphrases if key_phrases else (topic.title,):
                key = normalize(term) or term.casefold()
                place = (entry, topic.title)
                if place not in groups.setdefault(key, []):
                    groups[key].append(place)
                counts = spellings.setdefault(key, {})
                counts[term] = counts.get(term, 0) + 1
    terms = [
        # The spelling used most often names the line.
        IndexTerm(term=max(spellings[k], key=lambda t: (spellings[k][t], t)), places=tuple(p))
        for k, p in groups.items()
    ]
    return sorted(terms, key=lambda t: t.term.casefold())


def render_pages(
    entries: list[CatalogEntry], prompts_dir: Path, normalize: Callable[[str], str]
) -> dict[str, str]:
    env = template_environment(prompts_dir)
    return {
        INDEX_FILE: env.get_template(INDEX_TEMPLATE).render(meetings=entries),
        TOPICS_FILE: env.get_template(TOPICS_TEMPLATE).render(
            topics=index_terms(entries, normalize, key_phrases=False),
            key_phrases=index_terms(entries, normalize, key_phrases=True),
            meetings=entries,
        ),
        CATALOG_FILE: _catalog_json(entries),
    }


@contextlib.contextmanager
def archive_lock(archive_dir: Path) -> Iterator[None]:
    digest = hashlib.sha256(str(archive_dir.resolve()).encode()).hexdigest()[:16]
    lock = FileLock(Path(tempfile.gettempdir()) / f"leancoffee-archive-{digest}.lock")
    try:
        with lock.acquire(timeout=LOCK_TIMEOUT_S):
            yield
    except Timeout:
        raise ArchiveError(
            f"{archive_dir}: another publish has held the archive for {LOCK_TIMEOUT_S} s; "
            "try again when it has finished"
        ) from None


def publish_meeting(
    meeting: PublishedMeeting,
    archive_dir: Path,
    prompts_dir: Path,
    normalize: Callable[[str], str],
) -> PublishResult:
    """Adds ``meeting`` to the archive, replacing an earlier entry with the same id."""
    with archive_lock(archive_dir):
        entries = load_catalog(archive_dir)
        replaced = any(e.id == meeting.id for e in entries)
        entry = CatalogEntry(
            id=meeting.id,
            title=meeting.title,
            date=meeting.date,
            theme=meeting.theme,
            file=meeting_path(meeting.id),
            topics=meeting.topics,
        )
        entries = _newest_first([e for e in entries if e.id != meeting.id] + [entry])
        files = {entry.file: _meeting_markdown(meeting)}
        timeline = f"{MEETINGS_DIR}/{meeting.id}.timeline.svg"
        if meeting.timeline_svg is not None:
            files[timeline] = meeting.timeline_svg
        files.update(render_pages(entries, prompts_dir, normalize))
        stale = [] if meeting.timeline_svg is not None else [timeline]
        write_all_or_nothing(archive_dir, files, remove=stale)
    return PublishResult(archive_dir / entry.file, replaced, len(entries))


def write_all_or_nothing(root: Path, files: dict[str, str], remove: list[str] = ()) -> None:
    """Writes every file (relative to ``root``) or, on any failure, none of them."""
    try:
        write_all_atomically({root / relative: text for relative, text in files.items()})
    except OSError as exc:
        raise OutputError(
            f"{root}: cannot write to the archive ({exc.strerror or exc}); nothing was changed"
        ) from None
    for relative in remove:
        (root / relative).unlink(missing_ok=True)


def lemma_normalizer(nlp) -> Callable[[str], str]:
    """Index key: lower-case noun lemmas of the words ("Engineering metrics" → "engineering
    metric"), so the topic index groups a phrase with its variants.

    Key phrases and titles are noun phrases, but out of a sentence the tagger guesses
    ("engineering metric" comes out a verb and an adjective), so every word is lemmatised
    as a noun. Stop words go, except inside hyphenated words ("on-call").
    """
    lemmatizer = nlp.get_pipe("lemmatizer")

    def normalize(text: str) -> str:
        tokens = list(nlp.make_doc(text))
        words = []
        for i, token in enumerate(tokens):
            hyphenated = any(0 <= j < len(tokens) and tokens[j].text == "-" for j in (i - 1, i + 1))
            if token.is_punct or (token.is_stop and not hyphenated):
                continue
            token.pos_ = "NOUN"
            words.append(lemmatizer.rule_lemmatize(token)[0].lower())
        return " ".join(words)

    return normalize
