"""Real meetings with their cards read out, as a Lean Coffee facilitator does.

    .venv/bin/python bench/score_read_out.py [--split val|train] [--per-meeting]

The bench's AMI and ICSI meetings never read a card out, and the demo that
``score_announced_cards.py`` varies is three minutes of script. This puts a
facilitator's read-outs into the bench's real talk: before each reference topic
the meeting's most talkative speaker says "The first card is X." / "The next card
is X." (X the topic's reference title), or "Let's go back to X for a minute." where
a topic comes back, as a turn of their own. The segmenter then runs as the pipeline
does, and Pk is scored as in ``score_segmentation.py`` (turn units, gaps as
segments, k = half the mean reference segment), in these cases:

- the board with two distractor cards, shuffled (``variants.py``'s ``shuffled``), or no
  agenda at all (the cards read out are the board);
- every card read out, every other one, or the first one only (the others moved to with
  "Let's move on." alone, so the talk decides where they start);
- every card read out with Roman votes: at the end of each card the facilitator calls
  time and the group moves on ("Time's up. Thumbs up, down or sideways?" "Mostly thumbs
  down. Okay."), and halfway through every other card (20 turns or more) it extends
  ("... Thumbs up to keep going, thumbs down to move on?" "Thumbs up." "Mostly thumbs
  up, so let's give it five more minutes."); besides Pk it counts the cards whose
  ``extended`` flag is right (the flag of the segment holding the card's start);
- with the board, it counts the topics whose start falls on a segment given their card
  too (Pk scores only the boundaries: a card not read out may get another's name);
- with the speakers, or without (mixed audio: nobody can be told from the facilitator).

Block embeddings are cached as in ``score_segmentation.py`` (``read-out-<split>.pkl``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import replace

from evaluate import SHARED_BENCH, boundary_string
from nltk.metrics.segmentation import pk
from score_segmentation import WORK, CachedEmbedder, load_split

from pipeline.artifacts import TranscriptSegment
from pipeline.segment import segment_transcript

# A Roman vote at the end of every card's timebox (the group moves on), and halfway
# through every other card of at least ``_EXTENDED_MIN_TURNS`` turns (it extends).
_VOTE_TO_MOVE_ON = ("Time's up. Thumbs up, down or sideways?", "Mostly thumbs down. Okay.")
_VOTE_TO_EXTEND = (
    "Time's up. Thumbs up to keep going, thumbs down to move on?",
    "Thumbs up.",  # a participant
    "Mostly thumbs up, so let's give it five more minutes.",
)
_EXTENDED_MIN_TURNS = 20


def read_out(
    units: list[TranscriptSegment], segments: list[dict], every: int, votes: bool = False
) -> tuple[list[TranscriptSegment], list[int], dict[int, bool]]:
    """The units with the facilitator's read-outs put in, the reference starts in them,
    and whether each reference topic (by its start) was extended. ``every``: read out
    every card (1), every other one (2), or every n-th; ``votes``: Roman votes too."""
    talkative = [s for s, _ in Counter(u.speaker for u in units).most_common(2)]
    facilitator, participant = talkative[0], talkative[-1]
    # unit index -> the turns put before it: (speaker, text, starts the next topic)
    put: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
    extended: dict[int, bool] = {}
    seen: set[int] = set()
    topics = [s for s in segments if not s["is_gap"]]
    for n, s in enumerate(topics):
        if votes:  # ahead of any read-out there: the vote ends the card before
            put[s["end_turn"] + 1][:0] = [(facilitator, t, False) for t in _VOTE_TO_MOVE_ON]
        title = s["title"].rstrip(".")
        if s["topic_index"] in seen:
            said = f"Let's go back to {title} for a minute."
        elif n % every:
            said = "Let's move on."
        else:
            said = f"The {'first' if n == 0 else 'next'} card is {title}."
        seen.add(s["topic_index"])
        put[s["start_turn"]].append((facilitator, said, True))
        turns = s["end_turn"] - s["start_turn"] + 1
        extended[s["start_turn"]] = votes and n % 2 == 0 and turns >= _EXTENDED_MIN_TURNS
        if extended[s["start_turn"]]:
            put[s["start_turn"] + turns // 2] += [
                (participant if k == 1 else facilitator, t, False)
                for k, t in enumerate(_VOTE_TO_EXTEND)
            ]
    out: list[TranscriptSegment] = []
    moved: dict[int, int] = {}  # old turn -> the new index its topic starts at
    for k in range(len(units) + 1):
        moved[k] = len(out)
        for speaker, text, starts_next in put.get(k, []):
            if not starts_next and moved[k] == len(out):
                moved[k] += 1  # a vote that ends the topic before stays in it
            template = units[min(k, len(units) - 1)]
            out.append(replace(template, text=text, speaker=speaker, words=()))
        if k < len(units):
            out.append(units[k])
    out = [replace(u, index=i) for i, u in enumerate(out)]
    return (
        out,
        [moved[s["start_turn"]] for s in segments],
        {moved[start]: was for start, was in extended.items()},
    )


def meeting_pk(reference_starts: list[int], found_starts: list[int], n: int) -> float:
    k = max(2, round(n / len(reference_starts) / 2))
    return pk(boundary_string(reference_starts, n), boundary_string(found_starts, n), k, "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="val", choices=("train", "val"))
    parser.add_argument("--per-meeting", action="store_true", help="print each meeting's Pk")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embed = CachedEmbedder(WORK / f"read-out-{args.split}.pkl")
    meetings = load_split(args.split)["shuffled"]
    scores: dict[tuple[str, str, str, str], dict[str, float]] = defaultdict(dict)
    flags: dict[tuple[str, str, str, str], Counter[bool]] = defaultdict(Counter)
    cards_right: dict[tuple[str, str, str, str], Counter[bool]] = defaultdict(Counter)
    for m in meetings:
        reference = json.loads(
            (SHARED_BENCH / "meetings" / args.split / f"{m.id}.json").read_text()
        )
        segments = reference["reference"]["segments"]
        units = list(m.given.transcript.segments)
        for every, votes, read in (
            (1, False, "every card read out"),
            (2, False, "every other card read out"),
            (len(segments), False, "first card read out only"),
            (1, True, "every card read out, Roman votes"),
        ):
            said, starts, extended = read_out(units, segments, every, votes)
            for speakers in (True, False):
                these = said if speakers else [replace(u, speaker="") for u in said]
                for board, agenda in (("board", m.given.agenda), ("no agenda", None)):
                    found = segment_transcript(these, agenda, embed)
                    key = (read, board, "speakers" if speakers else "no speakers", m.domain)
                    scores[key][m.id] = meeting_pk(
                        starts, [s.first_turn for s in found], len(these)
                    )
                    if agenda is not None:  # is each topic's start on a span given its card?
                        index = {c.title: k for k, c in enumerate(agenda.cards)}
                        for start, topic in zip(starts, segments, strict=True):
                            if not topic["is_gap"]:
                                span = next(
                                    s for s in found if s.first_turn <= start <= s.last_turn
                                )
                                right = span.agenda_index == index.get(topic["title"])
                                cards_right[key][right] += 1
                    if votes:  # was each card's extension heard, on the span holding its start?
                        for start, was in extended.items():
                            span = next(s for s in found if s.first_turn <= start <= s.last_turn)
                            flags[key][span.extended == was] += 1
        embed.save()
    print("| cards | agenda | speakers | domain | meetings | Pk |\n|---|---|---|---|---:|---:|")
    for (read, board, speakers, domain), by_id in sorted(scores.items()):
        print(f"| {read} | {board} | {speakers} | {domain} | {len(by_id)} "
              f"| {statistics.fmean(by_id.values()):.3f} |")  # fmt: skip
        if given := cards_right.get((read, board, speakers, domain)):
            print(f"  topics started on their card: {given[True]} of {given.total()}")
        if heard := flags.get((read, board, speakers, domain)):
            print(f"  timebox extended or not: right for {heard[True]} of {heard.total()} cards")
        if args.per_meeting:
            print("  " + " ".join(f"{i}:{v:.2f}" for i, v in sorted(by_id.items())))
    print(f"({args.split}, {len(meetings)} meetings)", file=sys.stderr)


if __name__ == "__main__":
    main()
