"""Find Whisper's repetition loops so the reviewer can check them.

On long audio and silences Whisper sometimes repeats one phrase over and over
("thank you. thank you. thank you."). VAD and ``condition_on_previous_text=False``
prevent most loops; this stage finds the rest. It flags rather than deletes:
people do sometimes say "no, no, no", and the reviewer decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.artifacts import RepetitionLoop, TranscriptSegment

MAX_NGRAM = 8
# A phrase of n words repeated back to back this many times is a loop. Single words
# need more repeats ("very very" is speech; a word said six times running is not).
MIN_REPEATS_SINGLE_WORD = 6
MIN_REPEATS_PHRASE = 4
MIN_IDENTICAL_SEGMENTS = 3

_WORD = re.compile(r"[\w']+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _longest_ngram_run(words: Sequence[str]) -> tuple[int, int, int]:
    """(start, n, repeats) of the longest back-to-back run of one n-gram, by words covered."""
    best = (0, 0, 0)
    best_cover = 0
    for n in range(1, MAX_NGRAM + 1):
        i = 0
        while i + 2 * n <= len(words):
            repeats = 1
            while words[i + repeats * n : i + (repeats + 1) * n] == words[i : i + n]:
                repeats += 1
            needed = MIN_REPEATS_SINGLE_WORD if n == 1 else MIN_REPEATS_PHRASE
            if repeats >= needed and repeats * n > best_cover:
                best, best_cover = (i, n, repeats), repeats * n
            i += max(1, (repeats - 1) * n) if repeats > 1 else 1
    return best


def find_repetition_loops(segments: Sequence[TranscriptSegment]) -> tuple[RepetitionLoop, ...]:
    """Loops inside a segment, and runs of identical consecutive segments."""
    loops: list[RepetitionLoop] = []
    for seg in segments:
        start, n, repeats = _longest_ngram_run(_words(seg.text))
        if repeats:
            phrase = " ".join(_words(seg.text)[start : start + n])
            loops.append(RepetitionLoop(seg.start, seg.end, phrase, repeats, seg.index, seg.index))

    run_start = 0
    for i in range(1, len(segments) + 1):
        same = i < len(segments) and _words(segments[i].text) == _words(segments[run_start].text)
        if same and _words(segments[i].text):
            continue
        if i - run_start >= MIN_IDENTICAL_SEGMENTS:
            first, last = segments[run_start], segments[i - 1]
            loops.append(
                RepetitionLoop(
                    first.start,
                    last.end,
                    first.text.strip(),
                    i - run_start,
                    first.index,
                    last.index,
                )
            )
        run_start = i
    return tuple(sorted(loops, key=lambda r: (r.start, r.first_segment)))
