"""Cards the facilitator announces, against boards that lack them or word them otherwise.

    make eval-cards [MEETING=samples/demo-meeting.json]
    .venv/bin/python bench/score_announced_cards.py [MEETING]

A Lean Coffee facilitator reads each card out ("the next card is ..."). The bench's
AMI and ICSI meetings never do, so this scores the segmenter on a transcript JSON
that does (by default the demo meeting's script, whose `reference` gives each topic's
turns) under boards an organizer really brings:

- the full board;
- the board with one discussed card missing (added on the day, or left out of the
  file): its talk should be a topic of its own, titled as announced;
- the announcement reworded so that it shares no word with the card, with the full
  board (the card should still get its talk) and without the card (a topic of its own);
- no agenda at all: the cards announced should be the topics;
- no agenda, and one card not read out ("let's move on" alone): it should be a topic
  of its own rather than the end of the card before it;
- no agenda, and "let's move on to ..." said by a participant within a card, with and
  without speakers: no topic should start there;
- a card that comes back ("let's go back to ... for a minute", "let's revisit ...",
  "coming back to ...") before the closing;
- each card read out in other words ("next up is ...", "card number two: ...", "X is our
  next card"), with the full board and with no agenda;
- no agenda, the cards read out only as "let's start with X" / "let's move on to X":
  without speakers, and with a participant's "let's move on to the budget question"
  within one of the first two cards (that aside is no card);
- each card handed to its proposer ("Next is Mark's card."), who reads it out ("My card
  is X."), with the full board and with no agenda (with and without speakers);
- the board as `gh issue list` gives it (each card its issue number), each card read out
  by its number ("next up is issue 15"), with the board's votes and with votes in another
  order;
- each card introduced in the opening, before the first is read out (with and without
  speakers): the opening should still run to the first card read out;
- the closing round called in other words ("let's close with one learning from each of
  you"), alone and answered without the word "takeaway": the closing should start there.

A case is right when every reference topic's first turn starts a segment (within one
turn) given to the expected card, or, for a card the board lacks, to a topic titled as
announced, or, for a card not read out, to a topic titled by what was said; where no
topic may be added, the topics are those alone. Prints one line per case and the share
right per kind of case.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from pipeline.agenda import agenda_from_data
from pipeline.artifacts import Agenda, TopicSegment, TranscriptSegment
from pipeline.models import sentence_embedder
from pipeline.segment import segment_transcript
from pipeline.transcript_json import load_transcript_json

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MEETING = ROOT / "samples" / "demo-meeting.json"

# Rewordings sharing no word with the demo's titles, as a facilitator might say them.
REWORDINGS = {
    "engineering metrics that nobody can cheat": [
        "measuring developer productivity",
        "gaming the numbers",
    ],
    "onboarding senior hires remotely": ["ramping up experienced people from afar"],
    "on call fatigue": ["pager load", "pager burnout", "night pages", "sustainable pager duty"],
}

_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"]
_NUMBERS = ["one", "two", "three", "four", "five", "six"]


def read_out(phrasing: str, k: int, title: str, who: str) -> str:
    """Card ``k`` (0-based) read out in one of the ways facilitators say it; the demo's
    script says "The first card is ..." and "The next card is ..."."""
    first, which = k == 0, "first" if k == 0 else "next"
    return {
        "next up": f"{'First' if first else 'Next'} up is {title}.",
        "up next": f"{'First up' if first else 'Up next'}: {title}.",
        "ordinal card": f"The {_ORDINALS[k]} card is {title}.",
        "card number": f"Card number {_NUMBERS[k]} is {title}.",
        "card n": f"Card {_NUMBERS[k]}: {title}.",
        "we have": f"{'First' if first else 'Next'}, we have {title}.",
        "proposer named": f"The {which} card, from {who}, is {title}.",
        "proposer after": f"{'First' if first else 'Next'} up is {title} from {who}.",
        "most votes": f"The card with the {'most' if first else 'next most'} votes is {title}.",
        "title first": f"{title[:1].upper() + title[1:]} is our {which} card.",
        "start with, move on to": f"Let's {'start with' if first else 'move on to'} {title}.",
        "proposer first": f"The {which} card is from {who}: {title}.",
        "whose card": f"{who}'s card is {which}: {title}.",
        "pointer, title": f"{'First' if first else 'Next'} topic, {title}.",
        "the next card, title": (
            f"Let's start with the first card, {title}."
            if first
            else f"Moving on to the next card, {title}."
        ),
        "with its votes": f"Our {which} card, with {_NUMBERS[3 - k]} votes, is {title}.",
        "we have whose card": f"{'First' if first else 'Next'} we have {who}'s card on {title}.",
        "talk about": f"{'First' if first else 'Now'}, let's talk about {title}.",
        "discuss next": f"Let's discuss {title} {'first' if first else 'next'}.",
    }[phrasing]


# Lean Coffee's opening: each card introduced in a sentence or two before the vote, by
# whoever proposed it (here, before the demo's first card is read out).
INTRODUCTIONS = [
    ("Dana", "Before we start, let's hear each card in a sentence or two. Mark, you have two."),
    (
        "Mark",
        "Engineering metrics that nobody can cheat: how do you measure teams without people "
        "gaming the numbers? And onboarding senior hires remotely, because ours feel lost for "
        "months.",
    ),
    ("Priya", "Mine is on-call fatigue. My team is burning out on night pages."),
    ("Oscar", "Hiring for staff engineer roles. How do you interview for staff level?"),
    ("Dana", "Thanks. You voted on these last week, so let's go in vote order."),
]

# Other ways to call the closing round, said alone (no "we're out of time", no parking
# lot) and answered without the word "takeaway".
ROUND_CALLS = [
    "Let's go around the room: what's one thing you'll take away from today?",
    "Let's close with one learning from each of you.",
    "Before we finish, one sentence each: what will you try with your team?",
    "Let's do a final round. What's your biggest insight from today?",
    "We have a few minutes left, so let's do our closing round.",
    "To close, I'd love to hear one thing each of you is taking back to your team.",
]

PHRASINGS = [
    "next up",
    "up next",
    "ordinal card",
    "card number",
    "card n",
    "we have",
    "proposer named",
    "proposer after",
    "most votes",
    "title first",
    "start with, move on to",
    "proposer first",
    "whose card",
    "pointer, title",
    "the next card, title",
    "with its votes",
    "we have whose card",
    "talk about",
    "discuss next",
]

# The facilitator handing a card to its proposer, and the proposer reading it out.
HANDOVERS = [
    ("{Which} is {who}'s card.", "My card is {title}."),
    ("{who}, your card is {which}.", "So my topic is {title}."),
    ("{Which} up is {who}'s card.", "The card I put up is about {title}."),
    ("The {which} card is {who}'s.", "Yeah, my card was {title}."),
]

# GitHub issue numbers for the demo's board, and ways to read a card out by its number.
ISSUE_NUMBERS = [12, 15, 17, 21, 23, 24]
BY_ISSUE = [
    "{Which} up is issue {n}.",
    "The {which} card is issue #{n}.",
    "{Which} up is issue number {n}, {title}.",
]


def topics_of(segments: tuple[TopicSegment, ...]) -> list[tuple[int | None, str, int]]:
    return [(s.agenda_index, s.title, s.first_turn) for s in segments if s.kind == "topic"]


def is_right(
    segments: tuple[TopicSegment, ...],
    starts: list[int],
    expected: list[int | str | None],
    exact: bool = False,
) -> bool:
    """Each reference topic starts a segment given to its expected card index, or
    (a string) to a topic off the board titled with those words, or (None) to a topic
    titled by its talk; with ``exact``, there are no other topics."""
    if exact and sum(s.kind == "topic" for s in segments) != len(expected):
        return False
    for start, want in zip(starts, expected, strict=True):
        found = [s for s in segments if abs(s.first_turn - start) <= 1 and s.kind == "topic"]
        if not found:
            return False
        got = found[0]
        if want is None:
            if got.title_said or got.agenda_index is not None:
                return False
        elif isinstance(want, int):
            if got.agenda_index != want:
                return False
        elif not (got.title_said and got.title.lower() == want.lower()):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("meeting", nargs="?", type=Path, default=DEFAULT_MEETING)
    args = parser.parse_args()
    if not args.meeting.is_file():
        sys.exit(f"error: {args.meeting}: no such transcript JSON")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    data = json.loads(args.meeting.read_text())
    if "reference" not in data or not data.get("agenda"):
        sys.exit(f"error: {args.meeting}: needs an agenda and a reference with topic turns")
    given = load_transcript_json(args.meeting)
    units = given.transcript.segments
    board = list(given.agenda.cards)
    topics = [s for s in data["reference"]["segments"] if not s["is_gap"]]
    starts = [s["start_turn"] for s in topics]
    cards = [next(i for i, c in enumerate(board) if c.title == t["title"]) for t in topics]
    embed = sentence_embedder()

    def said(title: str) -> str:  # the words the facilitator used for a card
        return re.sub(r"\W+", " ", title.lower()).strip()

    def without(card: int) -> Agenda:
        return Agenda(tuple(c for i, c in enumerate(board) if i != card), "board")

    def run(
        kind: str,
        name: str,
        the_units: list[TranscriptSegment],
        agenda: Agenda | None,
        expected: list[int | str | None],
        at: list[int] = starts,
        exact: bool = False,
    ) -> None:
        segments = segment_transcript(the_units, agenda, embed)
        ok = is_right(segments, at, expected, exact)
        results[kind].append(ok)
        print(f"{'right' if ok else 'WRONG'} | {kind} | {name} | {topics_of(segments)}")

    results: dict[str, list[bool]] = defaultdict(list)
    run("full board", "as said", list(units), given.agenda, list(cards))
    for k, card in enumerate(cards):
        missing = said(board[card].title)
        expected = [c - (c > card) if j != k else missing for j, c in enumerate(cards)]
        run("card missing", board[card].title, list(units), without(card), expected)
    for k, card in enumerate(cards):
        title = said(board[card].title)
        for words in REWORDINGS.get(title, []):
            pattern = re.compile(re.escape(title).replace(r"\ ", r"[\s-]"), re.IGNORECASE)
            reworded = [replace(u, text=pattern.sub(words, u.text)) for u in units]
            if reworded == list(units):
                continue
            run("reworded, full board", f"{title} -> {words}", reworded, given.agenda, list(cards))
            expected = [c - (c > card) if j != k else words for j, c in enumerate(cards)]
            run("reworded, card missing", f"{title} -> {words}", reworded, without(card), expected)
    announced = [said(board[c].title) for c in cards]
    run("no agenda", "as said", list(units), None, announced)
    # The first card must be read out for the announcements to make a board.
    reading = re.compile(r"The (?:first|next) (?:card|topic) is [^.]*\.\s*", re.IGNORECASE)
    rephrasings: dict[str, list[TranscriptSegment]] = {}
    for name in PHRASINGS:
        rephrased = rephrasings[name] = list(units)
        for k, start in enumerate(starts):
            owner = units[start + 1].speaker or "a participant"
            text = reading.sub(read_out(name, k, announced[k], owner) + " ", units[start].text)
            rephrased[start] = replace(units[start], text=text)
        run("read out in other words, full board", name, rephrased, given.agenda, list(cards))
        run("read out in other words, no agenda", name, rephrased, None, announced)
    # The facilitator hands each card to its proposer ("Next is Mark's card."), who reads
    # it out as their turn begins ("My card is X.").
    for handover, own in HANDOVERS:
        by_proposer = list(units)
        for k, start in enumerate(starts):
            which, owner = "first" if k == 0 else "next", units[start + 1].speaker or "Sam"
            said_over = handover.format(which=which, Which=which.title(), who=owner)
            text = reading.sub(said_over + " ", units[start].text)
            by_proposer[start] = replace(units[start], text=text)
            reads = own.format(title=announced[k])
            by_proposer[start + 1] = replace(
                units[start + 1], text=f"{reads} {units[start + 1].text}"
            )
        name = f"{handover} / {own}"
        run("read out by the proposer, full board", name, by_proposer, given.agenda, list(cards))
        run("read out by the proposer, no agenda", name, by_proposer, None, announced)
        unnamed = [replace(u, speaker=None) for u in by_proposer]
        run("read out by the proposer, no agenda", f"{name}, no speakers", unnamed, None, announced)
    # The board from `gh issue list` (each card its issue), read out by issue number: the
    # board's votes in the order discussed, and in another order (so the order cannot
    # tell which card is which).
    for votes in ([c.votes for c in board], [2, 9, 5, 7][: len(board)]):
        gh_board = agenda_from_data(
            [
                {"title": c.title, "votes": v, "issue": n}
                for c, v, n in zip(board, votes, ISSUE_NUMBERS, strict=False)
            ],
            "board",
        )
        titles = [c.title for c in gh_board.cards]  # in vote order
        expected = [titles.index(board[c].title) for c in cards]
        for form in BY_ISSUE:
            by_issue = list(units)
            for k, start in enumerate(starts):
                which = "first" if k == 0 else "next"
                number = gh_board.cards[expected[k]].issue
                said_so = form.format(
                    Which=which.title(), which=which, n=number, title=announced[k]
                )
                by_issue[start] = replace(
                    units[start], text=reading.sub(said_so + " ", units[start].text)
                )
            name = f"{form}, votes {votes}"
            run("read out by issue number, board from gh", name, by_issue, gh_board, expected)
    # Cards read out only as "let's start with X" / "let's move on to X", without speakers,
    # and with a participant's "let's move on to the budget question" two or three turns
    # into one of the first two cards: that aside is no card.
    moves = rephrasings["start with, move on to"]
    kind = "read out as moving on, no agenda"
    run(kind, "no speakers", [replace(u, speaker=None) for u in moves], None, announced)
    facilitator = units[starts[0]].speaker
    for inside in [s + d for s in starts[:2] for d in (2, 3)]:
        if units[inside].speaker == facilitator:
            continue
        aside = "Let's move on to the budget question. "
        moved = [*moves[:inside], replace(moves[inside], text=aside + moves[inside].text)]
        run(
            kind,
            f"aside at turn {inside}",
            [*moved, *moves[inside + 1 :]],
            None,
            announced,
            exact=True,
        )
    for k in range(1, len(cards)):
        start = units[starts[k]]
        text = reading.sub("", start.text)
        if not re.search(r"let'?s move on|moving on", text, re.IGNORECASE):
            text = f"Let's move on. {text}"
        unread = [*units[: starts[k]], replace(start, text=text), *units[starts[k] + 1 :]]
        expected = [*announced[:k], None, *announced[k + 1 :]]
        run("no agenda, card not read out", board[cards[k]].title, unread, None, expected)
    # A participant moves the talk on within a card, two or three turns into it.
    facilitator = units[starts[0]].speaker
    for inside in [s + d for s in starts[:2] for d in (2, 3)]:
        if units[inside].speaker == facilitator:
            continue
        aside = "Let's move on to the next point. "
        moved = [*units[:inside], replace(units[inside], text=aside + units[inside].text)]
        moved += units[inside + 1 :]
        kind, name = "no agenda, move on within a card", f"turn {inside}"
        run(kind, f"{name}, speakers", moved, None, announced, exact=True)
        unnamed = [replace(u, speaker=None) for u in moved]
        run(kind, f"{name}, no speakers", unnamed, None, announced, exact=True)

    # A participant moves the talk on to a point of their own within a card ("let's move
    # on to the budget question"): no topic should start there, board or not.
    for inside in [s + d for s in starts[:2] for d in (2, 3)]:
        aside = "Let's move on to the budget question. "
        moved = [*units[:inside], replace(units[inside], text=aside + units[inside].text)]
        moved += units[inside + 1 :]
        for speakers in (True, False):
            these = moved if speakers else [replace(u, speaker=None) for u in moved]
            name = f"turn {inside}, {'speakers' if speakers else 'no speakers'}"
            kind = "moving on to a point within a card"
            run(f"{kind}, full board", name, these, given.agenda, list(cards), exact=True)
            run(f"{kind}, no agenda", name, these, None, announced, exact=True)

    # A card comes back: before the closing, the facilitator returns to an earlier card
    # and two of its turns are said again.
    closing = next(s["start_turn"] for s in data["reference"]["segments"][::-1] if s["is_gap"])
    for (k, card), way in itertools.product(
        enumerate(cards[:-1]),
        (
            "Let's go back to {} for a minute.",
            "Let's revisit {}.",
            "Okay, coming back to {} for a moment.",
        ),
    ):
        call = way.format(said(board[card].title))
        again = [units[starts[k] + 1], units[starts[k] + 2]]
        inserted = [replace(units[closing], text=call), *again]
        back_units = [
            replace(u, index=i)
            for i, u in enumerate([*units[:closing], *inserted, *units[closing:]])
        ]
        run(
            "card comes back",
            f"{board[card].title}: {call}",
            back_units,
            given.agenda,
            [*cards, card],
            at=[*starts, closing],
        )

    # Each card introduced in the opening: the opening still runs to the first card read
    # out, and the card never discussed (but introduced) stays not discussed.
    said_first = [replace(units[0], speaker=who, text=text) for who, text in INTRODUCTIONS]
    introduced = [*units[:1], *said_first, *units[1:]]
    introduced = [replace(u, index=i) for i, u in enumerate(introduced)]
    later = [start + len(INTRODUCTIONS) for start in starts]
    for speakers in (True, False):
        these = introduced if speakers else [replace(u, speaker=None) for u in introduced]
        name = "speakers" if speakers else "no speakers"
        kind = "cards introduced in the opening"
        run(f"{kind}, full board", name, these, given.agenda, list(cards), later, exact=True)
        run(f"{kind}, no agenda", name, these, None, announced, later, exact=True)

    # The closing round called in other words: it should start the closing, with the
    # topics as they were.
    first_answer = units[closing + 1].text
    answer = re.sub(r"^my take ?away is\s+", "", first_answer, flags=re.IGNORECASE)
    for call in ROUND_CALLS:
        called = [
            *units[:closing],
            replace(units[closing], text=call),
            replace(units[closing + 1], text=answer[:1].upper() + answer[1:]),
            *units[closing + 2 :],
        ]
        for kind, agenda, expected in (
            ("closing called in other words, full board", given.agenda, list(cards)),
            ("closing called in other words, no agenda", None, announced),
        ):
            segments = segment_transcript(called, agenda, embed)
            ends = [s.first_turn for s in segments if s.kind == "closing"]
            ok = is_right(segments, starts, expected, exact=True) and ends == [closing]
            results[kind].append(ok)
            print(f"{'right' if ok else 'WRONG'} | {kind} | {call} | closing at {ends}")

    print("\n| case | right |\n|---|---:|")
    for kind, oks in results.items():
        print(f"| {kind} | {sum(oks)} of {len(oks)} |")


if __name__ == "__main__":
    main()
