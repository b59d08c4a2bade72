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


def read_out(
    units: list[TranscriptSegment], segments: list[dict], every: int
) -> tuple[list[TranscriptSegment], list[int]]:
    """The units with the facilitator's read-outs put in, and the reference starts in
    them. ``every``: read out every card (1), every other one (2), or every n-th."""
    facilitator = Counter(u.speaker for u in units).most_common(1)[0][0]
    said: dict[int, str] = {}
    seen: set[int] = set()
    topics = [s for s in segments if not s["is_gap"]]
    for n, s in enumerate(topics):
        title = s["title"].rstrip(".")
        if s["topic_index"] in seen:
            said[s["start_turn"]] = f"Let's go back to {title} for a minute."
        elif n % every:
            said[s["start_turn"]] = "Let's move on."
        else:
            said[s["start_turn"]] = f"The {'first' if n == 0 else 'next'} card is {title}."
        seen.add(s["topic_index"])
    out: list[TranscriptSegment] = []
    moved: dict[int, int] = {}  # old turn -> its new index (a read-out takes its place)
    for k, unit in enumerate(units):
        moved[k] = len(out)
        if k in said:
            out.append(replace(unit, text=said[k], speaker=facilitator, words=()))
        out.append(unit)
    out = [replace(u, index=i) for i, u in enumerate(out)]
    return out, [moved[s["start_turn"]] for s in segments]


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
    for m in meetings:
        reference = json.loads(
            (SHARED_BENCH / "meetings" / args.split / f"{m.id}.json").read_text()
        )
        segments = reference["reference"]["segments"]
        units = list(m.given.transcript.segments)
        for every, read in (
            (1, "every card read out"),
            (2, "every other card read out"),
            (len(segments), "first card read out only"),
        ):
            said, starts = read_out(units, segments, every)
            for speakers in (True, False):
                these = said if speakers else [replace(u, speaker="") for u in said]
                for board, agenda in (("board", m.given.agenda), ("no agenda", None)):
                    found = segment_transcript(these, agenda, embed)
                    key = (read, board, "speakers" if speakers else "no speakers", m.domain)
                    scores[key][m.id] = meeting_pk(
                        starts, [s.first_turn for s in found], len(these)
                    )
        embed.save()
    print("| cards | agenda | speakers | domain | meetings | Pk |\n|---|---|---|---|---:|---:|")
    for (read, board, speakers, domain), by_id in sorted(scores.items()):
        print(f"| {read} | {board} | {speakers} | {domain} | {len(by_id)} "
              f"| {statistics.fmean(by_id.values()):.3f} |")  # fmt: skip
        if args.per_meeting:
            print("  " + " ".join(f"{i}:{v:.2f}" for i, v in sorted(by_id.items())))
    print(f"({args.split}, {len(meetings)} meetings)", file=sys.stderr)


if __name__ == "__main__":
    main()
