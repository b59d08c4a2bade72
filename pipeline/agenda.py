"""The Lean Coffee board: the cards proposed, their dot votes and descriptions.

Three ways to write it, told apart by the file's suffix:

- markdown or plain text (``.md``, ``.txt``), one card per line, optional votes::

      - Engineering metrics that don't get gamed (5 votes)

- YAML (``.yaml``, ``.yml``): a list of ``title`` / ``votes`` / ``description``
  (or a mapping with that list under ``cards`` or ``agenda``);
- JSON (``.json``): what ``gh issue list --json number,title,body,reactionGroups[,url]``
  prints (votes = thumbs-up reactions, since the roundtable votes on GitHub
  issues; each card keeps its issue number and URL), or the same list of cards as the
  YAML form (``issue`` and ``url`` optional there).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from pipeline.artifacts import Agenda, AgendaCard
from pipeline.errors import AgendaError

AGENDA_NAMES = tuple(
    f"agenda.{suffix}" for suffix in ("md", "txt", "markdown", "yaml", "yml", "json")
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_VOTES = re.compile(r"\s*[(\[]\s*(\d+)\s*(?:votes?|dots?)\s*[)\]]\s*$", re.IGNORECASE)
_THUMBS_UP = "THUMBS_UP"
MAX_DESCRIPTION_CHARS = 500  # an issue body can be long; the segmenter needs a gist


def find_agenda_beside(recording: Path) -> Path | None:
    """An ``agenda.*`` file in the recording's folder, if there is one."""
    for name in AGENDA_NAMES:
        candidate = recording.parent / name
        if candidate.is_file():
            return candidate
    return None


def parse_agenda_text(text: str, source: str = "") -> Agenda:
    cards = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # blank lines and markdown headings
        title = _BULLET.sub("", line).strip()
        votes = None
        if match := _VOTES.search(title):
            votes = int(match.group(1))
            title = title[: match.start()].strip()
        if title:
            cards.append(AgendaCard(title=title, votes=votes))
    return Agenda(cards=tuple(cards), source=source)


def _text_field(item: dict, key: str, where: str) -> str:
    """A card's text field; YAML reads a title such as 2027 as a number, so numbers are
    taken as written, but a list, a mapping or true/false is a mistake in the file."""
    value = item.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise AgendaError(f"{where}: the {key} must be text, not {value!r}")
    return str(value).strip()


def _card_from_mapping(item: object, where: str) -> AgendaCard:
    if isinstance(item, str):
        return AgendaCard(title=item.strip())
    title = _text_field(item, "title", where) if isinstance(item, dict) else ""
    if not title:
        raise AgendaError(f"{where}: each card needs a 'title'")
    votes = item.get("votes")
    if "reactionGroups" in item:  # gh issue list --json ... reactionGroups
        votes = sum(
            (group.get("users") or {}).get("totalCount", 0)
            for group in item["reactionGroups"] or ()
            if group.get("content") == _THUMBS_UP
        )
    if votes is not None and (isinstance(votes, bool) or not isinstance(votes, int) or votes < 0):
        raise AgendaError(f"{where}: votes of '{title}' must be a whole number, not {votes!r}")
    description = _text_field(item, "description", where) or _text_field(item, "body", where)
    return AgendaCard(
        title=title,
        votes=votes,
        description=description[:MAX_DESCRIPTION_CHARS],
        issue=_issue_number(item, title, where),
        url=_issue_url(item, title, where),
    )


def _issue_number(item: dict, title: str, where: str) -> int | None:
    """The card's GitHub issue number: ``number`` in gh's JSON, ``issue`` in YAML."""
    number = item.get("number", item.get("issue"))
    if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
        raise AgendaError(f"{where}: the issue number of '{title}' must be a whole number")
    if number is not None and number < 1:
        raise AgendaError(f"{where}: the issue number of '{title}' must be 1 or more")
    return number


def _issue_url(item: dict, title: str, where: str) -> str:
    url = _text_field(item, "url", where)
    if url and not url.startswith(("https://", "http://")):
        raise AgendaError(f"{where}: the url of '{title}' must start with https://")
    return url


def agenda_from_data(data: object, source: str = "") -> Agenda:
    """Cards from parsed YAML/JSON: a list of cards, or a mapping with one under
    ``cards`` or ``agenda`` (a bench meeting's ``agenda`` field is such a list)."""
    where = source or "agenda"
    if isinstance(data, dict):
        data = data.get("cards", data.get("agenda"))
    if not isinstance(data, list):
        raise AgendaError(f"{where}: expected a list of cards (title, votes, description)")
    cards = (_card_from_mapping(item, f"{where}: card {k}") for k, item in enumerate(data, 1))
    return Agenda(cards=tuple(cards), source=source)


def load_agenda(path: Path) -> Agenda:
    if not path.exists():
        raise AgendaError(f"{path}: agenda file not found")
    if path.is_dir():
        raise AgendaError(f"{path}: is a directory, not an agenda file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AgendaError(f"{path}: not a text file (expected a list of cards)") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        try:
            agenda = agenda_from_data(yaml.safe_load(text), str(path))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark else ""
            raise AgendaError(f"{path}: malformed YAML{at}") from None
    elif suffix == ".json":
        try:
            agenda = agenda_from_data(json.loads(text), str(path))
        except json.JSONDecodeError as exc:
            raise AgendaError(f"{path}: malformed JSON at line {exc.lineno}: {exc.msg}") from None
    else:
        agenda = parse_agenda_text(text, source=str(path))
    if not agenda.cards:
        raise AgendaError(
            f"{path}: no cards found (expected one card per line, e.g. '- Title (3 votes)')"
        )
    return agenda
