"""Reads a reviewed summary back from its markdown, so it can join the archive.

The organizer edits the draft by hand, so the markdown, not the sidecar JSON, is the
source of truth: its front matter gives the id, title, date and status, and the
``## Topics`` section gives each topic's key phrases, takeaways, action items and
resources. Anything that stops the archive from using it is a ``SummaryError`` that
says what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import frontmatter
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from slugify import slugify

from pipeline.artifacts import PublishedMeeting, PublishedTopic
from pipeline.errors import SummaryError

PUBLISHABLE_STATUSES = ("reviewed", "published")
REQUIRED_FIELDS = ("title", "date", "status")
TOPICS_SECTION = "topics"
# Sections for the reviewer only: they never reach the public archive.
REVIEW_ONLY_SECTIONS = ("review checklist",)
_DRAFT_NOTE = re.compile(r"^\*Draft made from the recording .*\*\s*$", re.MULTILINE)
_TOPIC_NUMBER = re.compile(r"^\d+[.)]\s+")
_TASK_BOX = re.compile(r"^\[[ xX]\]\s*")
_LIST_SEPARATOR = re.compile(r"\s+·\s+|\s*;\s*")


def read_summary(path: Path, force: bool = False) -> PublishedMeeting:
    """The summary at ``path``, checked and parsed; ``force`` lets a draft through."""
    text = _read_text(path)
    metadata, body = _split_front_matter(path, text)
    for name in REQUIRED_FIELDS:
        if metadata.get(name) in (None, ""):
            raise SummaryError(f"{path}: the front matter has no '{name}'")
    status = str(metadata["status"]).strip().lower()
    if status == "draft" and not force:
        raise SummaryError(
            f"{path}: status is still 'draft'; review it, set 'status: reviewed' in the "
            "front matter, then publish (FORCE=1 publishes a draft anyway)"
        )
    if status not in PUBLISHABLE_STATUSES and status != "draft":
        raise SummaryError(
            f"{path}: status '{metadata['status']}' is not one of {', '.join(PUBLISHABLE_STATUSES)}"
        )
    date = _meeting_date(path, metadata["date"])
    meeting_id = slugify(str(metadata.get("id") or path.stem), max_length=100)
    if not meeting_id:
        raise SummaryError(f"{path}: the front matter 'id' has no letters or digits")

    topics = parse_topics(body)
    if not topics:
        raise SummaryError(
            f"{path}: no topics found; the summary needs a '## Topics' section with a "
            "'### ' heading per topic"
        )
    body, timeline_svg = _timeline(path, meeting_id, _public_body(body))
    return PublishedMeeting(
        id=meeting_id,
        title=str(metadata["title"]).strip(),
        date=date,
        theme=str(metadata.get("theme") or "").strip(),
        topics=tuple(topics),
        front_matter={**metadata, "id": meeting_id, "date": date},
        body=body,
        timeline_svg=timeline_svg,
    )


def _read_text(path: Path) -> str:
    if not path.exists():
        raise SummaryError(f"{path}: no such file")
    if path.is_dir():
        raise SummaryError(f"{path}: is a directory, not a summary (.md)")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SummaryError(f"{path}: not a text file (not UTF-8)") from None
    except OSError as exc:
        raise SummaryError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _split_front_matter(path: Path, text: str) -> tuple[dict, str]:
    if not frontmatter.checks(text):
        raise SummaryError(
            f"{path}: no front matter; the file must start with a '---' line, the "
            "YAML fields (title, date, status) and another '---' line"
        )
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SummaryError(
            f"{path}: the front matter is not valid YAML{where}: {problem}"
        ) from None
    if not isinstance(post.metadata, dict) or not post.metadata:
        raise SummaryError(
            f"{path}: the front matter is empty or not a set of 'name: value' fields"
        )
    return dict(post.metadata), post.content + "\n"


def _meeting_date(path: Path, value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise SummaryError(f"{path}: date '{value}' is not a date like 2026-11-12") from None


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _plain(inline: Token) -> str:
    """The text a reader sees: markup and backslash escapes gone."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _label(inline: Token) -> tuple[str, str] | None:
    """``**Key phrases:** a · b`` → ("key phrases", "a · b"); None for other paragraphs."""
    # markdown-it leaves empty text tokens around emphasis; they carry nothing.
    children = [c for c in inline.children or [] if c.type != "text" or c.content]
    if len(children) < 3 or children[0].type != "strong_open":
        return None
    close = next((i for i, c in enumerate(children) if c.type == "strong_close"), None)
    if close is None:
        return None
    label = "".join(c.content for c in children[1:close]).strip().rstrip(":").strip().lower()
    rest = Token("inline", "", 0, children=children[close + 1 :])
    return label, _plain(rest).lstrip(":").strip()  # "**Key phrases**: a" too


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in _LIST_SEPARATOR.split(text) if item.strip())


def parse_topics(body: str) -> list[PublishedTopic]:
    """Each ``### `` topic of the ``## Topics`` section with its labelled parts."""
    tokens = _markdown().parse(body)
    topics: list[dict] = []
    section = ""
    pending_list = ""  # "takeaways" or "action items" once its label paragraph was seen
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = _plain(tokens[index + 1])
            pending_list = ""
            if token.tag == "h2":
                section = text.lower()
            elif token.tag == "h3" and section == TOPICS_SECTION:
                topics.append({"title": _TOPIC_NUMBER.sub("", text)})
            continue
        if section != TOPICS_SECTION or not topics:
            continue
        topic = topics[-1]
        if token.type == "inline" and tokens[index - 1].type == "paragraph_open":
            in_list_item = index >= 2 and tokens[index - 2].type == "list_item_open"
            if in_list_item and pending_list:
                item = _TASK_BOX.sub("", _plain(token))
                if item:
                    topic.setdefault(pending_list, []).append(item)
                continue
            labelled = _label(token)
            if labelled is None:
                continue
            label, rest = labelled
            if label.startswith("key phrase"):
                topic["keyphrases"] = _split_list(rest)
            elif label.startswith("resources"):
                topic["resources"] = _split_list(rest)
            elif label in ("takeaways", "action items"):
                pending_list = label
                if rest:  # "**Takeaways:** one on the same line"
                    topic.setdefault(label, []).append(rest)
            else:
                pending_list = ""
    return [
        PublishedTopic(
            title=topic["title"],
            keyphrases=tuple(topic.get("keyphrases", ())),
            takeaways=tuple(topic.get("takeaways", ())),
            action_items=tuple(topic.get("action items", ())),
            resources=tuple(topic.get("resources", ())),
        )
        for topic in topics
        if topic["title"]
    ]


def _public_body(body: str) -> str:
    """The body without the draft note and the reviewer-only sections."""
    body = _DRAFT_NOTE.sub("", body)
    lines = body.splitlines(keepends=True)
    drop: set[int] = set()
    tokens = _markdown().parse(body)
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag != "h2" or token.map is None:
            continue
        if _plain(tokens[index + 1]).lower() not in REVIEW_ONLY_SECTIONS:
            continue
        end = next(
            (
                t.map[0]
                for t in tokens[index + 1 :]
                if t.type == "heading_open" and t.tag in ("h1", "h2") and t.map
            ),
            len(lines),
        )
        drop.update(range(token.map[0], end))
    kept = "".join(line for number, line in enumerate(lines) if number not in drop)
    return re.sub(r"\n{3,}", "\n\n", kept).strip() + "\n"


_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+\.svg)\)")


def _timeline(path: Path, meeting_id: str, body: str) -> tuple[str, str | None]:
    """Carries the timeline picture the summary links to into the archive, renamed."""
    svg: str | None = None

    def relink(match: re.Match) -> str:
        nonlocal svg
        target = match.group(2)
        if "://" in target or target.startswith("/"):
            return match.group(0)
        picture = path.parent / target
        if not picture.is_file():
            raise SummaryError(
                f"{path}: links to the picture '{target}', which is not beside it; "
                "restore it or remove the link"
            )
        svg = picture.read_text(encoding="utf-8")
        return f"![{match.group(1)}]({meeting_id}.timeline.svg)"

    return _IMAGE.sub(relink, body), svg
