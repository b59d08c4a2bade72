"""Stretches of the transcript the speech recogniser was unsure of, for the reviewer.

Whisper gives each word a probability. A segment whose words average below
:data:`LOW_MEAN_PROBABILITY` is usually misheard (crosstalk, a name, a noisy line);
neighbouring low segments are merged into one stretch. Like repetition loops, these
are flagged for the review checklist, never changed. Transcripts read from a file
carry no word probabilities and give no stretches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.artifacts import TranscriptSegment

# Measured on the demo recording (tiny.en): its segments average 0.74 to 0.99 (median 0.92);
# below 0.5 at least every other word is a guess.
LOW_MEAN_PROBABILITY = 0.5
MIN_WORDS = 3  # "Yeah." alone says too little to judge
MAX_QUOTE_CHARS = 80  # of the stretch's text, in the checklist


@dataclass(frozen=True)
class LowConfidenceStretch:
    start: float
    end: float
    first_segment: int  # indices into the transcript's segments, inclusive
    last_segment: int
    mean_probability: float  # over the stretch's words
    text: str  # the first MAX_QUOTE_CHARS characters of what was heard


def mean_word_probability(segment: TranscriptSegment) -> float | None:
    if len(segment.words) < MIN_WORDS:
        return None
    return sum(w.probability for w in segment.words) / len(segment.words)


def low_confidence_stretches(
    segments: Sequence[TranscriptSegment], threshold: float = LOW_MEAN_PROBABILITY
) -> tuple[LowConfidenceStretch, ...]:
    """Runs of consecutive segments whose mean word probability is below ``threshold``."""
    runs: list[list[int]] = []
    for i, segment in enumerate(segments):
        mean = mean_word_probability(segment)
        if mean is None or mean >= threshold or segment.start is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    stretches = []
    for run in runs:
        words = [w for i in run for w in segments[i].words]
        text = " ".join(" ".join(segments[i].text.split()) for i in run)
        if len(text) > MAX_QUOTE_CHARS:
            text = text[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
        stretches.append(
            LowConfidenceStretch(
                start=segments[run[0]].start,
                end=segments[run[-1]].end,
                first_segment=run[0],
                last_segment=run[-1],
                mean_probability=round(sum(w.probability for w in words) / len(words), 3),
                text=text,
            )
        )
    return tuple(stretches)
