"""The meeting's Zoom chat: links, named resources and questions join their topic by time.

Zoom writes the chat (``chat.txt``, ``meeting_saved_chat.txt``) in three formats,
all recognised line by line:

- local, older, one line: ``10:02:17 From Jane Doe : message`` (or ``From Jane Doe
  to Everyone : message``);
- local, newer, two lines: ``10:02:17 From Jane Doe to Everyone:`` and then the message
  on tab-indented lines;
- cloud, tab-separated: ``00:58:04<TAB>Alex:<TAB>message``, with replies
  (``Replying to "..."``, whose quote is dropped) and reactions (``Reacted to "..."
  with 👍``, which carry no content and are skipped).

A message can run on over several lines. **Direct messages** (``to Jane Doe(Direct
Message)``, ``to Jane Doe(privately)``, anything not sent to Everyone) are counted and
never kept.

**Times.** The pipeline assumes chat times are measured from the recording's start:
true of cloud chat files and of local ones from recent Zoom versions. Older local
files carry the time of day; give the clock time at which the recording started
(``chat_start_s``, CHAT_START=10:00:00) and it is subtracted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.artifacts import ChatMessage, MeetingNotes, TopicSegment
from pipeline.errors import InputError, SettingsError
from pipeline.extract import named_resources
from pipeline.names import NameMap

log = logging.getLogger(__name__)

CHAT_FILES = ("chat.txt", "meeting_saved_chat.txt")
_TIME = r"(?P<time>\d{1,2}:\d{2}:\d{2})"
# Order matters: the two-line header ends in ":" with nothing after it.
_TWO_LINE_HEADER = re.compile(rf"^{_TIME}\s+From\s+(?P<sender>.+?)\s+to\s+(?P<to>.+?)\s*:\s*$")
_ONE_LINE = re.compile(
    rf"^{_TIME}\s+From\s+(?P<sender>.+?)(?:\s+to\s+(?P<to>.+?))?\s+:\s?(?P<text>.*)$"
)
_CLOUD = re.compile(rf"^{_TIME}\t(?P<sender>[^\t]+?):\t(?P<text>.*)$")
_REPLY_QUOTE = re.compile(r'^Replying to ".*?"(?::|\s|$)\s*')
_REACTION = re.compile(r'^(?:Reacted to ".*" with\b|Removed a .* reaction from\b)')
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+")
_EXPECTED = (
    "expected Zoom chat lines like '10:02:17 From Jane Doe : message', "
    "'10:02:17 From Jane Doe to Everyone:' or '00:58:04<TAB>Jane Doe:<TAB>message'"
)


@dataclass(frozen=True)
class ChatLog:
    """The public messages of one chat file, in file order."""

    messages: tuple[ChatMessage, ...]
    direct_messages_skipped: int
    source: str


def clock_seconds(text: str) -> float:
    """``"01:02:03"`` -> 3723.0."""
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return float(hours * 3600 + minutes * 60 + seconds)


def parse_chat_start(text: str) -> float:
    """CHAT_START as seconds of the chat's clock: ``10:00:00`` or plain seconds."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}:\d{2}", text):
            return clock_seconds(text)
        return float(text)
    except ValueError:
        pass
    raise SettingsError(f"chat start '{text}' is neither a clock time like 10:00:00 nor seconds")


def find_chat_beside(folder: Path) -> Path | None:
    for name in CHAT_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def _is_public(recipient: str | None) -> bool:
    return recipient is None or recipient.strip().lower().startswith("everyone")


@dataclass
class _Pending:
    time: str
    sender: str
    public: bool
    lines: list[str]


def load_chat(path: Path, names: NameMap | None = None, chat_start_s: float = 0.0) -> ChatLog:
    """The public chat messages in ``path``; times shifted by ``chat_start_s``."""
    names = names or NameMap()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: chat file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file ({_EXPECTED})") from None

    pending: list[_Pending] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if match := _TWO_LINE_HEADER.match(line):
            pending.append(_Pending(match["time"], match["sender"], _is_public(match["to"]), []))
        elif match := _ONE_LINE.match(line):
            public = _is_public(match["to"])
            pending.append(_Pending(match["time"], match["sender"], public, [match["text"]]))
        elif match := _CLOUD.match(line):
            pending.append(_Pending(match["time"], match["sender"], True, [match["text"]]))
        elif pending:
            pending[-1].lines.append(line.strip())  # the message goes on
        else:
            raise InputError(f"{path}: line {number} is not a chat message ({_EXPECTED})")
    if not pending:
        raise InputError(f"{path}: the chat file has no messages ({_EXPECTED})")

    messages = []
    for item in pending:
        if not item.public:
            continue  # a direct message: never read further, never kept
        body = " ".join(" ".join(item.lines).split())
        if _REACTION.match(body):
            continue
        body = _REPLY_QUOTE.sub("", body).strip()
        if body:
            messages.append(
                ChatMessage(
                    time_s=clock_seconds(item.time) - chat_start_s,
                    sender=names(item.sender.strip()),
                    text=body,
                )
            )
    direct = sum(not item.public for item in pending)
    return ChatLog(tuple(messages), direct, str(path))


def is_question(text: str) -> bool:
    return text.rstrip().endswith("?")


def links_in(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?)") for m in _URL.finditer(text)]


def _topic_at(time_s: float, topics: Sequence[TopicSegment], duration_s: float) -> int | None:
    """Index of the topic segment running at ``time_s``; None outside the recording."""
    if not 0 <= time_s <= duration_s:
        return None
    timed = [(i, t) for i, t in enumerate(topics) if t.start is not None and t.end is not None]
    for i, topic in timed:
        if topic.start <= time_s < topic.end:
            return i
    # Between two topics (or after the last one ends): the one that began last.
    started = [i for i, topic in timed if topic.start <= time_s]
    return started[-1] if started else (timed[0][0] if timed else None)


def attach_chat(
    notes: MeetingNotes,
    topics: Sequence[TopicSegment],
    messages: Sequence[ChatMessage],
    duration_s: float,
) -> tuple[MeetingNotes, tuple[ChatMessage, ...]]:
    """Notes with each chat link or named resource ("the book Team Topologies") as a
    resource, and each question, joined to its topic by time.

    Returns the notes and the messages with a resource or a question that could not be
    placed (their time lies outside the recording, or the transcript has no times).
    """
    resources: list[list[str]] = [list(t.resources) for t in notes.topics]
    questions: list[list[str]] = [list(t.questions) for t in notes.topics]
    unplaced = []
    for message in messages:
        shares = bool(links_in(message.text) or named_resources(message.text))
        asks = is_question(message.text)
        if not (shares or asks):
            continue  # greetings, "+1", chatter
        index = _topic_at(message.time_s, topics, duration_s)
        if index is None:
            unplaced.append(message)
            continue
        target = resources[index] if shares else questions[index]
        if message.text not in target:
            target.append(message.text)
    topic_notes = tuple(
        replace(t, resources=tuple(r), questions=tuple(q))
        for t, r, q in zip(notes.topics, resources, questions, strict=True)
    )
    if unplaced:
        log.warning(
            "%d chat message(s) with a resource or question fall outside the recording's "
            "%.0f s; if the chat shows the time of day, set CHAT_START to the clock time "
            "the recording began",
            len(unplaced),
            duration_s,
        )
    return replace(notes, topics=topic_notes), tuple(unplaced)
