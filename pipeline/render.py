"""Last stage: the markdown summary (a Jinja2 template in prompts/) and its JSON sidecar.

Text that came from the recording is escaped before it reaches the markdown, so
a participant saying "<script>" or "{{ x }}" or "**bold**" renders as those
characters, inertly, on GitHub and in any static site.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from pipeline import confidence, talktime
from pipeline.artifacts import ActionItem, AgendaCard, MeetingSummary, TopicSegment
from pipeline.serialize import summary_to_sidecar

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"  # the editable templates
SUMMARY_TEMPLATE = "summary.md.j2"
TIMELINE_TEMPLATE = "timeline.svg.j2"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]()#+!|~>])")
# Braces become HTML entities, not backslash escapes: Liquid (Jekyll), Hugo and Jinja
# ignore backslashes, so "\{%" would still open a tag when the archive site builds.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def md_inline(text: object) -> str:
    """Text safe to drop into a markdown paragraph or table cell."""
    escaped = html.escape(str(text), quote=False)
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", escaped).translate(_BRACES)
    return " ".join(escaped.split())  # no newlines: they would break tables and lists


def clock(seconds: float | None) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on; empty when unknown."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration_words(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def front_matter(data: dict) -> str:
    """YAML that Jekyll, Hugo and MkDocs read as is (safe_dump quotes what needs it)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def template_environment(prompts_dir: Path, autoescape: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=autoescape,  # on for SVG/HTML; markdown escapes with the `md` filter
        loader=jinja2.FileSystemLoader(prompts_dir),
        undefined=jinja2.StrictUndefined,  # a typo in the template fails, not renders blank
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=md_inline, clock=clock, duration=duration_words)
    return env


def issue_link(issue: int | None, url: str = "") -> str:
    """A card's GitHub issue as markdown: "[#14](url)", or "#14" (which GitHub links within
    the repository), or "[issue](url)"; "" when the card has none."""
    if issue is not None:
        return f"[#{issue}]({url})" if url else f"#{issue}"
    return f"[issue]({url})" if url else ""


@dataclass(frozen=True)
class AgendaRow:
    """One card of the board as the summary's agenda table shows it."""

    number: int
    title: str
    votes: int | None
    minutes: float | None  # time spent on it, when the transcript has times
    extended: bool
    discussed: bool
    on_board: bool = True  # False: announced in the meeting, not on a board given
    parked: bool = False  # sent to the parking lot, for the next board
    note: str = ""  # "not on the board", "not read out"
    issue: int | None = None  # the card's GitHub issue
    url: str = ""

    @property
    def link(self) -> str:
        """The card's GitHub issue as markdown ("[#14](url)", "#14"), or ""."""
        return issue_link(self.issue, self.url)

    @property
    def status(self) -> str:
        """ "discussed", "not reached" or "parking lot" ("discussed, parking lot": the
        rest of a card put off to the next meeting), then the note."""
        if self.discussed:
            done = "discussed, parking lot" if self.parked else "discussed"
        else:
            done = "parking lot" if self.parked else "not reached"
        return f"{done}, {self.note}" if self.note else done


def shown_owner(item: ActionItem, names_kept: bool) -> str | None:
    """The owner the published summary may show: a name only with ATTRIBUTE=1, a role
    from the name map ("facilitator") always, as the talk-time table does."""
    if item.owner and (names_kept or talktime.is_role(item.owner)):
        return item.owner
    return None


def llm_topic_numbers(summary: MeetingSummary) -> list[int]:
    """The 1-based numbers (as the summary shows them) of the topics an LLM wrote."""
    if summary.notes.llm is None:
        return []
    topic_ids = [i for i, s in enumerate(summary.segments) if s.kind == "topic"]
    return [n for n, i in enumerate(topic_ids, 1) if i in summary.notes.llm.topics]


def llm_parts(summary: MeetingSummary) -> list[str]:
    """What the LLM wrote, in words: ["the overview", "the notes of topics 1 and 3"]."""
    llm = summary.notes.llm
    if llm is None:
        return []
    parts = ["the overview"] if llm.overview else []
    numbers = [str(n) for n in llm_topic_numbers(summary)]
    if numbers:
        listed = (
            numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
        )
        parts.append(f"the notes of topic{'s' if len(numbers) > 1 else ''} {listed}")
    return parts


def agenda_rows(summary: MeetingSummary) -> list[AgendaRow]:
    """The board's cards, then the topics off it (announced in the meeting), then the
    cards sent to the parking lot that it lacks. With no agenda given, the cards
    announced, with any card between them not read out, then those parked; with topics
    found unsupervised, only those parked."""
    cards = summary.agenda.cards if summary.agenda is not None else ()
    heard = any(s.title_said for s in summary.segments)  # the facilitator read cards out
    off_board = [
        s
        for s in summary.segments
        if s.kind == "topic" and s.agenda_index is None and (heard or summary.agenda is not None)
    ]
    parked_board = {p.agenda_index for p in summary.parked if p.agenda_index is not None}
    parked_said = [p.title for p in summary.parked if p.agenda_index is None]
    titles = [c.title for c in cards] + list(dict.fromkeys(s.title for s in off_board))
    titles += [t for t in dict.fromkeys(parked_said) if t not in titles]
    rows = []
    for i, title in enumerate(titles):
        on_board = i < len(cards)
        parts = (
            [s for s in off_board if s.title == title]
            if not on_board
            else [s for s in summary.segments if s.agenda_index == i]
        )
        timed = [s for s in parts if s.start is not None and s.end is not None]
        minutes = sum(s.end - s.start for s in timed) / 60 if timed else None
        if on_board:
            note = ""
        elif summary.agenda is not None:
            note = "not on the board"
        else:  # the board is the cards read out
            note = "not read out" if parts and not any(s.title_said for s in parts) else ""
        rows.append(
            AgendaRow(
                number=i + 1,
                title=title,
                votes=_votes(cards[i] if on_board else None, parts),
                minutes=round(minutes, 1) if minutes is not None else None,
                extended=any(s.extended for s in parts),
                discussed=bool(parts),
                on_board=on_board,
                parked=i in parked_board if on_board else title in parked_said,
                note=note,
                issue=cards[i].issue if on_board else None,
                url=cards[i].url if on_board else "",
            )
        )
    return rows


def _votes(card: AgendaCard | None, parts: Sequence[TopicSegment]) -> int | None:
    """The board's votes for a card; else the votes said as it started."""
    if card is not None and card.votes is not None:
        return card.votes
    return next((s.votes_said for s in parts if s.votes_said is not None), None)


@dataclass(frozen=True)
class SegmentStart:
    """Where a segment starts, for the reviewer to check against the transcript."""

    segment: TopicSegment
    at: str  # "1:31", or "turn 129" for a transcript without times
    opening_words: str  # the first words said there


_OPENING_WORDS = 12


def segment_starts(summary: MeetingSummary) -> list[SegmentStart]:
    """Every start but the meeting's own; those with no facilitator cue
    (``start_cue`` None) were placed by what was said alone."""
    units = summary.transcript.segments
    out = []
    for segment in summary.segments[1:]:
        # A turn may be a bare "Yeah.": read on into the segment for words to search by.
        said = units[segment.first_turn : segment.last_turn + 1]
        words = " ".join(u.text for u in said[:_OPENING_WORDS]).split()
        opening = " ".join(words[:_OPENING_WORDS]) + (" …" if len(words) > _OPENING_WORDS else "")
        at = clock(segment.start) if segment.start is not None else f"turn {segment.first_turn}"
        out.append(SegmentStart(segment, at, opening))
    return out


def render_timeline(summary: MeetingSummary, prompts_dir: Path) -> str | None:
    """An SVG of minutes per card against the timebox; None when there are no times."""
    rows = [row for row in agenda_rows(summary) if row.minutes is not None]
    if not rows:
        return None
    template = template_environment(prompts_dir, autoescape=True).get_template(TIMELINE_TEMPLATE)
    return template.render(rows=rows, timebox_minutes=summary.timebox_minutes, title=summary.title)


def render_markdown(
    summary: MeetingSummary, prompts_dir: Path, timeline_file: str | None = None
) -> str:
    template = template_environment(prompts_dir).get_template(SUMMARY_TEMPLATE)
    transcript = summary.transcript
    meta = {
        "id": summary.slug,  # the archive replaces an entry with the same id on republish
        "title": summary.title,
        "date": summary.date,
        "recording": Path(summary.recording.path).name,
        "duration_minutes": round(transcript.duration_s / 60, 1),
        "language": transcript.language,
        "theme": _theme(summary),
        "status": "draft",
    }
    if transcript.duration_s <= 0:  # a transcript without times: its length is unknown
        del meta["duration_minutes"]
    rows = agenda_rows(summary)
    return template.render(
        summary=summary,
        transcript=transcript,
        front_matter=front_matter(meta),
        recording_name=Path(summary.recording.path).name,
        # No board to show when the topics were found unsupervised; the cards parked
        # are still listed as not reached.
        agenda_rows=rows if summary.agenda or any(r.discussed for r in rows) else [],
        not_reached=[r for r in rows if not r.discussed],
        topics=[
            (segment, notes)
            for segment, notes in zip(summary.segments, summary.notes.topics, strict=True)
            if segment.kind == "topic"
        ],
        # The takeaway round that ends a Lean Coffee: what the archive collects.
        closings=[
            (segment, notes)
            for segment, notes in zip(summary.segments, summary.notes.topics, strict=True)
            if segment.kind == "closing"
        ],
        notes=summary.notes,
        timed=transcript.duration_s > 0,
        timeline_file=timeline_file,
        redactions=summary.redactions,
        llm_parts=llm_parts(summary),
        low_confidence=confidence.low_confidence_stretches(transcript.segments),
        low_confidence_threshold=confidence.LOW_MEAN_PROBABILITY,
        word_confidence_known=any(s.words for s in transcript.segments),
        llm_topic_numbers=llm_topic_numbers(summary),
        segment_starts=segment_starts(summary),
        shown_owner=lambda item: shown_owner(item, summary.names_kept),
    )


def _theme(summary: MeetingSummary) -> str:
    """The meeting's theme in a few words: its leading key phrases."""
    return ", ".join(summary.notes.keyphrases[:3])


def render_sidecar(summary: MeetingSummary, markdown: str) -> str:
    sidecar = summary_to_sidecar(summary)
    # Lets a rerun tell an untouched draft from one the organizer has edited.
    sidecar["markdown_sha256"] = markdown_digest(markdown)
    return json.dumps(sidecar, ensure_ascii=False, indent=1)


def markdown_digest(markdown: str) -> str:
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()
