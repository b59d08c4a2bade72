"""Talk time per participant, for the organizer's review.

Known only when the transcript has speakers (Zoom participant tracks, a Zoom
transcript, a transcript JSON). Under the Chatham House rule the labels are roles
where the name map gave one ("facilitator") and "Participant 1", "Participant 2"...
(most talk first) otherwise; ``keep_names`` (ATTRIBUTE=1) keeps the names.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.artifacts import SpeakerTime, TranscriptSegment
from pipeline.redact import ROLE_WORDS


def is_role(label: str) -> bool:
    return bool(set(label.lower().split()) & ROLE_WORDS)


def talk_time(
    segments: Sequence[TranscriptSegment],
    keep_names: bool = False,
    participants: Sequence[str] = (),
) -> tuple[SpeakerTime, ...]:
    """Seconds spoken, turns taken and words said per speaker, most talk first (by
    seconds, then words when the transcript has no times); () without speakers.

    ``participants`` who never spoke (a silent Zoom track, someone who only typed in
    the chat) are listed last, at 0 s: for a roundtable, who stayed quiet matters as
    much as who talked most. Without any speaker in the transcript there is nobody to
    compare them with, and the result stays ().
    """
    seconds: dict[str, float] = {}
    turns: dict[str, int] = {}
    words: dict[str, int] = {}
    previous = None
    for segment in segments:
        speaker = segment.speaker
        if not speaker:
            previous = None
            continue
        if segment.start is not None and segment.end is not None:
            seconds[speaker] = seconds.get(speaker, 0.0) + segment.end - segment.start
        else:
            seconds.setdefault(speaker, 0.0)
        words[speaker] = words.get(speaker, 0) + len(segment.text.split())
        if speaker != previous:
            turns[speaker] = turns.get(speaker, 0) + 1
        previous = speaker
    if not seconds:
        return ()
    for name in participants:
        seconds.setdefault(name, 0.0)
        turns.setdefault(name, 0)
        words.setdefault(name, 0)

    ranked = sorted(seconds, key=lambda s: (-seconds[s], -words[s], -turns[s], s))
    result = []
    number = 0
    for speaker in ranked:
        if keep_names or is_role(speaker):
            label = speaker
        else:
            number += 1
            label = f"Participant {number}"
        result.append(
            SpeakerTime(label, round(seconds[speaker], 1), turns[speaker], words[speaker])
        )
    return tuple(result)
