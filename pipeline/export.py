"""Transcript exports for the organizer: plain text, SubRip and WebVTT (``EXPORT=txt,srt,vtt``),
the topics as a WebVTT chapters track (``EXPORT=chapters``), and the action items with
their owners' names (``EXPORT=actions``).

Users of transcribers ask for the transcript itself as much as for a summary: to
read it whole, to check a quote, or to load it beside the recording in a player.
These files are the organizer's, like the sidecar: they hold every word and every
speaker's name, so they are never published. Cues read ``Speaker: text``, as
Zoom's own transcripts do (pipeline/vtt.py reads them back). The plain text is
arranged by topic. Subtitles are written by webvtt-py. The chapters file holds only
the topics' titles and times (redacted, like the summary): a video player loads it
beside Zoom's MP4 to jump from topic to topic.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

import webvtt

from pipeline.artifacts import (
    ActionItem,
    AgendaCard,
    ParkedCard,
    TopicSegment,
    Transcript,
    TranscriptSegment,
)
from pipeline.errors import SettingsError
from pipeline.render import clock, issue_link

EXPORT_FORMATS = ("txt", "srt", "vtt", "chapters", "actions")
TIMED_FORMATS = frozenset({"srt", "vtt", "chapters"})  # the others need no times
SUFFIXES = {
    "txt": ".txt",
    "srt": ".srt",
    "vtt": ".vtt",
    "chapters": ".chapters.vtt",
    "actions": ".actions.md",
}


def parse_formats(text: str) -> tuple[str, ...]:
    """``"srt, vtt"`` as ("srt", "vtt"), each once, in the given order; "" as ()."""
    formats = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in text.split(",")))
    formats = tuple(f for f in formats if f)
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise SettingsError(
            f"export format '{unknown[0]}' is not one of {', '.join(EXPORT_FORMATS)}"
        )
    return formats


def is_timed(transcript: Transcript) -> bool:
    return all(s.start is not None and s.end is not None for s in transcript.segments)


def render_exports(
    transcript: Transcript,
    topics: Sequence[TopicSegment],
    actions: Sequence[Sequence[ActionItem]],
    formats: Sequence[str],
    title: str,
    parked: Sequence[ParkedCard] = (),
    cards: Sequence[AgendaCard] = (),
) -> dict[str, str]:
    """{format: file text} for each of ``formats``; srt and vtt need a timed transcript.
    ``actions`` are each topic's action items, aligned with ``topics``; ``parked`` the
    cards sent to the parking lot, ``cards`` the board's (their GitHub issues)."""
    writers = {
        "txt": lambda: plain_text(transcript, topics, title),
        "srt": lambda: subtitles(transcript, "srt"),
        "vtt": lambda: subtitles(transcript, "vtt", title),
        "chapters": lambda: chapters(topics, title),
        "actions": lambda: action_list(topics, actions, title, parked, cards),
    }
    return {f: writers[f]() for f in formats}


def plain_text(transcript: Transcript, topics: Sequence[TopicSegment], title: str) -> str:
    """The transcript under a heading per topic, a line per turn (with its time if known)."""
    lines = [title, "=" * len(title)]
    segments = transcript.segments
    for topic in topics:
        span = _clock_span(topic.start, topic.end)
        lines += ["", f"{topic.title}{f'  [{span}]' if span else ''}", ""]
        for segment in segments[topic.first_turn : topic.last_turn + 1]:
            when = f"[{clock(segment.start)}] " if segment.start is not None else ""
            lines.append(f"{when}{_spoken(segment)}")
    return "\n".join(lines) + "\n"


def subtitles(transcript: Transcript, fmt: str, title: str = "") -> str:
    """SubRip or WebVTT, a cue per transcript segment."""
    cues = [_cue(s.start, s.end, _spoken(s), fmt) for s in transcript.segments]
    return _write(cues, fmt, title)


def chapters(topics: Sequence[TopicSegment], title: str = "") -> str:
    """WebVTT chapters: a cue per topic (and opening, closing), its title as the text."""
    return _write([_cue(t.start, t.end, t.title, "vtt") for t in topics], "vtt", title)


def action_list(
    topics: Sequence[TopicSegment],
    actions: Sequence[Sequence[ActionItem]],
    title: str,
    parked: Sequence[ParkedCard] = (),
    cards: Sequence[AgendaCard] = (),
) -> str:
    """Every action item as a markdown task, with its owner's name, its topic and when
    it was said, then the cards to carry over from the parking lot, each with its GitHub
    issue when the board had one: a follow-up list to paste into the next meeting's
    issue."""
    lines = [f"# Action items: {title}", ""]
    for topic, items in zip(topics, actions, strict=True):
        for item in items:
            owner = f"{item.owner}: " if item.owner else ""
            when = f", {clock(item.start)}" if item.start is not None else ""
            lines.append(f"- [ ] {owner}{' '.join(item.text.split())} ({topic.title}{when})")
    if len(lines) == 2:
        lines.append("No action items were found.")
    if parked:
        lines += ["", "## Parking lot: carry over to the next board", ""]
        for card in parked:
            i = card.agenda_index
            on_board = cards[i] if i is not None and i < len(cards) else None
            link = issue_link(on_board.issue, on_board.url) if on_board else ""
            lines.append(f"- [ ] {' '.join(card.title.split())}{f' ({link})' if link else ''}")
    return "\n".join(lines) + "\n"


def _cue(start: float | None, end: float | None, text: str, fmt: str) -> webvtt.Caption:
    if start is None or end is None:
        raise ValueError(f"{fmt} needs times, and '{text[:40]}' has none")
    text = " ".join(text.split())  # a cue may not hold a blank line
    text = text.replace("-->", "->")  # the one string a cue cannot hold
    if fmt == "vtt":  # WebVTT cue text is markup: "R&D" must be "R&amp;D"
        text = html.escape(text, quote=False)
    end = max(end, start + 0.001)  # a cue must not end before it starts
    return webvtt.Caption(_timestamp(start), _timestamp(end), text)


def _write(cues: list[webvtt.Caption], fmt: str, title: str) -> str:
    note = [title.replace("-->", "->")] if title else None  # a NOTE cannot hold "-->" either
    document = webvtt.WebVTT(captions=cues, header_comments=note)
    buffer = io.StringIO()
    # SubRip has no escapes: its text goes as said ("R&D"); what looks like a tag
    # ("<b>") is dropped, as an SRT player would not show it either.
    document.write(buffer, format=fmt)
    return buffer.getvalue().rstrip("\n") + "\n"


def _spoken(segment: TranscriptSegment) -> str:
    text = segment.text.strip()
    return f"{segment.speaker}: {text}" if segment.speaker else text


def _timestamp(seconds: float) -> str:
    """HH:MM:SS.mmm, the form webvtt-py's captions take."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _clock_span(start: float | None, end: float | None) -> str:
    return f"{clock(start)}–{clock(end)}" if start is not None and end is not None else ""
