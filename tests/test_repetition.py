from pipeline.artifacts import TranscriptSegment
from pipeline.repetition import find_repetition_loops


def seg(i, text, start=None):
    start = float(i * 5) if start is None else start
    return TranscriptSegment(index=i, start=start, end=start + 5, text=text)


def test_phrase_repeated_back_to_back_is_flagged():
    segments = [
        seg(0, "So the first card is engineering metrics."),
        seg(1, "Thank you. Thank you. Thank you. Thank you. Thank you."),
    ]
    (loop,) = find_repetition_loops(segments)
    assert loop.phrase == "thank you"
    assert loop.repeats == 5
    assert (loop.first_segment, loop.last_segment) == (1, 1)
    assert (loop.start, loop.end) == (5.0, 10.0)


def test_identical_consecutive_segments_are_flagged():
    segments = [seg(0, "Let's move on.")] + [seg(i, "I'm going to go ahead.") for i in range(1, 5)]
    (loop,) = find_repetition_loops(segments)
    assert loop.repeats == 4
    assert (loop.first_segment, loop.last_segment) == (1, 4)


def test_ordinary_speech_is_not_flagged():
    segments = [
        seg(0, "No, no, no, that is not what I meant."),
        seg(1, "We had very, very long on-call rotations and it was really really bad."),
        seg(2, "Thumbs up if you want to keep going."),
        seg(3, "Thumbs up if you want to keep going."),
    ]
    assert find_repetition_loops(segments) == ()
