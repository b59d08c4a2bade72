"""The typed artefacts that stages pass to one another.

All are frozen dataclasses: a stage returns new objects and never mutates its
input. ``pipeline.serialize`` turns them into JSON and back. Times are seconds
from the start of the recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SAMPLE_RATE_HZ = 16_000  # what Whisper expects: 16 kHz mono float32


@dataclass(frozen=True)
class Recording:
    """The input file and what is known about it before transcription."""

    path: str
    sha256: str
    size_bytes: int
    duration_s: float
    format: str  # file suffix without the dot, e.g. "m4a"


@dataclass(frozen=True)
class DecodedAudio:
    """A recording decoded to 16 kHz mono float32 samples in [-1, 1]."""

    recording: Recording
    samples: np.ndarray = field(repr=False)
    sample_rate_hz: int = SAMPLE_RATE_HZ


@dataclass(frozen=True)
class AudioChunk:
    """One piece of a recording decoded as a stream: long meetings are never held whole."""

    index: int
    start_sample: int  # offset of the first sample from the start of the recording
    samples: np.ndarray = field(repr=False)  # 16 kHz mono float32
    last: bool = False  # no audio follows this chunk

    @property
    def start_s(self) -> float:
        return self.start_sample / SAMPLE_RATE_HZ

    @property
    def end_sample(self) -> int:
        return self.start_sample + len(self.samples)


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class TranscriptSegment:
    """One stretch of speech as the ASR engine segmented it."""

    index: int
    start: float | None  # None only for transcripts read from a file without times
    end: float | None
    text: str
    words: tuple[Word, ...] = ()
    speaker: str = ""  # empty until speakers are known


@dataclass(frozen=True)
class RepetitionLoop:
    """A stretch where Whisper repeated itself: likely hallucinated, for the reviewer."""

    start: float
    end: float
    phrase: str
    repeats: int
    first_segment: int
    last_segment: int


@dataclass(frozen=True)
class Transcript:
    """The whole recording's text, with the settings that produced it (provenance)."""

    segments: tuple[TranscriptSegment, ...]
    language: str
    duration_s: float
    engine: str
    model: str
    options: dict
    repetition_loops: tuple[RepetitionLoop, ...] = ()
    # Everyone the input shows as present, spoken or not (one per Zoom participant track).
    participants: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())


@dataclass(frozen=True)
class AgendaCard:
    """One Lean Coffee card from the board."""

    title: str
    votes: int | None = None
    description: str = ""
    # Its GitHub issue, when the board is `gh issue list --json number,...,url` output:
    # the summary and the follow-up list refer to it ("#14", a link when the URL is known).
    issue: int | None = None
    url: str = ""


@dataclass(frozen=True)
class Agenda:
    cards: tuple[AgendaCard, ...]
    source: str = ""  # the file it was read from


TOPIC_KINDS = ("topic", "opening", "closing", "other")


@dataclass(frozen=True)
class TopicSegment:
    """A stretch of the meeting given to one agenda card or to a non-topic part.

    ``first_turn``/``last_turn`` are inclusive indices into the transcript's
    segments (the input's turns when the input was a transcript JSON).
    """

    title: str
    kind: str  # one of TOPIC_KINDS
    agenda_index: int | None  # index into the agenda's cards, None when not a card
    first_turn: int
    last_turn: int
    start: float | None  # seconds, when the transcript has times
    end: float | None
    extended: bool = False  # the timebox was extended after a Roman vote
    # A topic off the board, titled as the facilitator announced it ("the next card is ...")
    title_said: bool = False
    votes_said: int | None = None  # its dot votes as said when it started ("six people voted")
    # The facilitator's words that opened it ("let's move on"); None: placed by content alone
    start_cue: str | None = None


@dataclass(frozen=True)
class ParkedCard:
    """A card the facilitator sent to the parking lot ("the last card, hiring for staff
    engineer roles, goes to the parking lot"): to carry over to the next board."""

    title: str  # the board card's title; as said when the board lacks it, or without one
    agenda_index: int | None  # index into the agenda's cards, None when not on the board
    turn: int  # the transcript segment that parked it
    start: float | None  # seconds, when the transcript has times


@dataclass(frozen=True)
class ActionItem:
    """A commitment made in the meeting, and who made it."""

    text: str  # the sentence, as published
    # The speaker who took it on ("I'll send ...", "we'll try ..."), as the transcript
    # names them; None for the group's ("let's ...") or an unknown speaker. The sidecar
    # keeps it for the organizer; the summary shows it only when names are kept.
    owner: str | None = None
    start: float | None = None  # seconds into the recording, when the transcript has times


@dataclass(frozen=True)
class TopicNotes:
    """What a reader takes away from one topic segment."""

    keyphrases: tuple[str, ...]  # best first
    takeaways: tuple[str, ...]
    action_items: tuple[ActionItem, ...]
    resources: tuple[str, ...]  # books, tools, companies, links
    questions: tuple[str, ...] = ()  # asked in the meeting's chat during this topic


@dataclass(frozen=True)
class ChatMessage:
    """One public message from the meeting's chat (direct messages are never kept)."""

    time_s: float  # seconds from the start of the recording
    sender: str
    text: str


@dataclass(frozen=True)
class SpeakerTime:
    """How much one participant spoke, for the organizer's review."""

    label: str  # the name with ATTRIBUTE=1, else a role or "Participant N"
    seconds: float  # 0 when the transcript has no times (a transcript JSON without them)
    turns: int  # runs of consecutive segments by this speaker
    words: int = 0  # what a transcript without times can still measure


@dataclass(frozen=True)
class LLMProvenance:
    """Which parts of the notes an LLM wrote (LLM mode); the rest are extractive."""

    model: str
    topics: tuple[int, ...]  # indices of the TopicSegments whose notes it wrote
    overview: bool


@dataclass(frozen=True)
class MeetingNotes:
    overview: str
    keyphrases: tuple[str, ...]  # for the whole meeting, best first
    topics: tuple[TopicNotes, ...]  # aligned 1:1 with the meeting's TopicSegments
    llm: LLMProvenance | None = None  # None: all extractive (LLM mode off)


@dataclass(frozen=True)
class Redaction:
    """One change made for privacy; shown to the reviewer, never published."""

    original: str
    replacement: str
    kind: str  # "name", "email", "phone"


@dataclass(frozen=True)
class Analysis:
    """What segmentation, extraction and redaction made of a transcript (cached together)."""

    segments: tuple[TopicSegment, ...]
    notes: MeetingNotes
    redactions: tuple[Redaction, ...]
    review_notes: tuple[str, ...] = ()  # extra lines for the reviewer (what the chat added)
    # Each topic's action items before redaction, for the organizer's follow-up list
    # (EXPORT=actions, never published): it names whom a task involves, as it names its
    # owner.
    actions_as_said: tuple[tuple[ActionItem, ...], ...] = ()
    parked: tuple[ParkedCard, ...] = ()  # cards sent to the parking lot, in time order


@dataclass(frozen=True)
class MeetingSummary:
    """Everything the rendered summary shows, plus the transcript."""

    title: str
    date: str  # ISO date of the meeting
    slug: str
    recording: Recording
    transcript: Transcript
    agenda: Agenda | None
    segments: tuple[TopicSegment, ...]
    notes: MeetingNotes
    redactions: tuple[Redaction, ...]
    timebox_minutes: float
    stage_seconds: dict[str, float]
    generator: dict  # pipeline version and settings
    speakers: tuple[SpeakerTime, ...] = ()  # talk time per participant, most first
    review_notes: tuple[str, ...] = ()  # extra lines for the reviewer (what the chat added)
    names_kept: bool = False  # ATTRIBUTE=1: participants' names stay in the published text
    parked: tuple[ParkedCard, ...] = ()  # cards sent to the parking lot, in time order


@dataclass(frozen=True)
class PublishedTopic:
    """One topic of a reviewed summary, as the archive indexes and searches it."""

    title: str
    keyphrases: tuple[str, ...] = ()
    takeaways: tuple[str, ...] = ()
    action_items: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishedMeeting:
    """A reviewed summary read back from its (edited) markdown, ready for the archive."""

    id: str  # from the front matter; the archive keeps one entry per id
    title: str
    date: str  # YYYY-MM-DD
    theme: str
    topics: tuple[PublishedTopic, ...]
    front_matter: dict = field(repr=False)
    body: str = field(repr=False)  # the markdown below the front matter, as published
    timeline_svg: str | None = field(default=None, repr=False)  # the picture it links to
