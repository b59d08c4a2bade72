"""The Lean Coffee board: the cards proposed and their dot votes.

Read from a markdown or plain-text list, one card per line, with optional
``(N votes)``::

    - Engineering metrics that don't get gamed (5 votes)
    - On-call burnout (3 votes)
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.artifacts import Agenda, AgendaCard
from pipeline.errors import AgendaError

AGENDA_NAMES = ("agenda.md", "agenda.txt", "agenda.markdown")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_VOTES = re.compile(r"\s*[(\[]\s*(\d+)\s*(?:votes?|dots?)\s*[)\]]\s*$", re.IGNORECASE)


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


def load_agenda(path: Path) -> Agenda:
    if not path.exists():
        raise AgendaError(f"{path}: agenda file not found")
    if path.is_dir():
        raise AgendaError(f"{path}: is a directory, not an agenda file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AgendaError(f"{path}: not a text file (expected a markdown list of cards)") from None
    agenda = parse_agenda_text(text, source=str(path))
    if not agenda.cards:
        raise AgendaError(
            f"{path}: no cards found (expected one card per line, e.g. '- Title (3 votes)')"
        )
    return agenda
