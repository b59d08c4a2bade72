"""Real Whisper models on real speech."""

import jiwer
import numpy as np
import pytest

from pipeline.artifacts import TranscriptSegment, Word
from pipeline.cache import ChunkCache, TranscriptCache
from pipeline.ingest import load_recording, stream_chunks
from pipeline.transcribe import (
    OpenAIWhisperEngine,
    TranscribeOptions,
    assemble_transcript,
    load_engine,
    split_at_sentences,
    transcribe,
    transcribe_chunks,
)

NORMALIZE = jiwer.Compose(
    [jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(), jiwer.Strip()]
)


def words(text: str) -> list[str]:
    return NORMALIZE(text).split()


def run(recording, models_dir, **options):
    opts = TranscribeOptions(**options)
    return transcribe(load_recording(recording), load_engine(opts, models_dir), opts)


@pytest.fixture(scope="module")
def jfk_faster(jfk, models_dir):
    return run(jfk, models_dir)


@pytest.fixture(scope="module")
def jfk_openai(jfk, models_dir):
    return run(jfk, models_dir, engine="openai-whisper")


def test_faster_whisper_gives_the_reference_sentence(jfk_faster, jfk_reference):
    assert words(jfk_faster.text) == words(jfk_reference)
    assert jfk_faster.language == "en"
    assert jfk_faster.engine == "faster-whisper" and jfk_faster.model == "tiny.en"


def test_segments_and_words_are_in_time_order(jfk_faster):
    segments = jfk_faster.segments
    assert segments and all(s.start < s.end for s in segments)
    assert all(a.end <= b.start + 0.01 for a, b in zip(segments, segments[1:], strict=False))
    for s in segments:
        assert s.words, "word timestamps are requested"
        assert all(s.start - 0.05 <= w.start <= w.end <= s.end + 0.05 for w in s.words)
        assert words(" ".join(w.text for w in s.words)) == words(s.text)
    assert segments[-1].end <= jfk_faster.duration_s + 0.1


def test_openai_whisper_gives_the_same_words_offline(jfk_openai, jfk_faster):
    assert jfk_openai.engine == "openai-whisper"
    assert words(jfk_openai.text) == words(jfk_faster.text)
    # Word timings agree too: both come from the same weights' alignment heads.
    starts_faster = [w.start for s in jfk_faster.segments for w in s.words]
    starts_openai = [w.start for s in jfk_openai.segments for w in s.words]
    assert len(starts_faster) == len(starts_openai)
    assert max(abs(a - b) for a, b in zip(starts_faster, starts_openai, strict=True)) < 0.5


def test_multilingual_base_model_from_the_two_part_packages(jfk, models_dir, jfk_reference):
    transcript = run(jfk, models_dir, model="base")
    assert transcript.language == "en"  # detected: base is multilingual
    assert jiwer.wer(NORMALIZE(jfk_reference), NORMALIZE(transcript.text)) <= 0.1
    assert (models_dir / "faster-whisper-base" / "model.bin").is_file()


def test_openai_whisper_on_a_whole_meeting_agrees_with_faster_whisper(demo_recording, models_dir):
    audio = load_recording(demo_recording)
    transcripts, progress = {}, {}
    for engine in ("faster-whisper", "openai-whisper"):
        opts = TranscribeOptions(engine=engine)
        progress[engine] = seen = []
        transcripts[engine] = transcribe(audio, load_engine(opts, models_dir), opts, seen.append)
    fw, ow = transcripts["faster-whisper"], transcripts["openai-whisper"]
    # int8 against float32 weights: a few words differ, the meeting is the same.
    assert jiwer.wer(NORMALIZE(fw.text), NORMALIZE(ow.text)) < 0.1
    starts = [s.start for s in ow.segments]
    assert starts == sorted(starts) and ow.segments[-1].end <= audio.recording.duration_s + 0.1
    # Progress is reported in audio seconds, forwards, in steps, up to the whole recording
    # (openai-whisper's steps are its pieces of about two minutes).
    for engine, seen in progress.items():
        assert all(b >= a - 0.01 for a, b in zip(seen, seen[1:], strict=False))
        assert len(set(seen)) >= (4 if engine == "faster-whisper" else 2)
        assert seen[-1] == pytest.approx(audio.recording.duration_s, abs=0.01)


def test_openai_whisper_skips_a_long_silence_and_keeps_recording_times(jfk, models_dir):
    speech = load_recording(jfk).samples
    silence_s = 12.0
    samples = np.concatenate([speech, np.zeros(int(silence_s * 16_000), np.float32), speech])
    second_starts = len(speech) / 16_000 + silence_s
    pieces = OpenAIWhisperEngine.pieces(samples, vad_filter=True)
    assert len(pieces) == 2 and pieces[0][0] == 0 and pieces[1][1] == len(samples)
    assert pieces[0][1] / 16_000 < second_starts - silence_s / 2 < pieces[1][0] / 16_000

    opts = TranscribeOptions(engine="openai-whisper")
    _, segments = load_engine(opts, models_dir).transcribe(samples, opts, lambda _: None)
    words_said = [w for s in segments for w in s.words]
    halves = [
        [w for w in words_said if w.start < second_starts - 1],
        [w for w in words_said if w.start >= second_starts - 0.5],
    ]
    # Every word lies in one of the two speeches, the second at its real time.
    assert len(halves[0]) + len(halves[1]) == len(words_said)
    assert [w.text for w in halves[0]] == [w.text for w in halves[1]]
    first_word_gap = halves[1][0].start - halves[0][0].start
    assert first_word_gap == pytest.approx(second_starts, abs=0.5)


def test_chunked_transcription_matches_the_whole_and_resumes_from_the_cache(
    demo_recording, models_dir, tmp_path
):
    opts = TranscribeOptions()
    engine = load_engine(opts, models_dir)
    whole = transcribe(load_recording(demo_recording), engine, opts)

    store = ChunkCache(TranscriptCache(tmp_path), "demo")
    seen = []
    chunks = stream_chunks(demo_recording, chunk_s=50)
    done = transcribe_chunks(chunks, lambda: engine, opts, store, seen.append)
    chunked = assemble_transcript(done, whole.duration_s, opts)
    assert len(done) >= 3
    # Cut at quiet moments, the chunks hear the same meeting as one pass does, give or
    # take the words near the cuts (batched decoding windows the speech per chunk); a lost
    # or misplaced 50 s chunk would differ by a quarter of the words.
    assert jiwer.wer(NORMALIZE(whole.text), NORMALIZE(chunked.text)) < 0.12
    starts = [s.start for s in chunked.segments]
    assert starts == sorted(starts) and [s.index for s in chunked.segments] == list(
        range(len(chunked.segments))
    )
    for chunk in done[1:]:  # times are from the start of the recording, not of the chunk
        assert chunk.segments[0].start >= chunk.start_sample / 16_000 - 0.5
        assert chunk.segments[0].words[0].start >= chunk.start_sample / 16_000 - 0.5
    assert all(b >= a - 0.01 for a, b in zip(seen, seen[1:], strict=False))

    def no_engine():
        raise AssertionError("a cached chunk was transcribed again")

    resumed = transcribe_chunks(
        stream_chunks(demo_recording, chunk_s=50), no_engine, opts, store, lambda _: None
    )
    assert assemble_transcript(resumed, whole.duration_s, opts) == chunked


def test_openai_whisper_transcribes_chunk_by_chunk(jfk, models_dir, jfk_reference):
    opts = TranscribeOptions(engine="openai-whisper")
    engine = load_engine(opts, models_dir)
    store = ChunkCache(TranscriptCache(models_dir / "unused-cache"), "jfk")
    done = transcribe_chunks(stream_chunks(jfk, chunk_s=4), lambda: engine, opts, store)
    store.clear()
    transcript = assemble_transcript(done, 11.0, opts)
    assert len(done) == 3 and transcript.engine == "openai-whisper"
    assert jiwer.wer(NORMALIZE(jfk_reference), NORMALIZE(transcript.text)) <= 0.15
    assert done[1].segments[0].start >= done[1].start_sample / 16_000 - 0.5


def _words(text: str, start: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(start + i, start + i + 0.5, w, 0.9) for i, w in enumerate(text.split()))


def test_long_segments_are_cut_at_sentence_ends():
    text = "Okay. We tried Mr. Smith's idea, e.g. pairing. It worked well for us. And then"
    segment = TranscriptSegment(0, 0.0, 14.5, text, _words(text), speaker="Dana")
    pieces = split_at_sentences([segment])
    assert [p.text for p in pieces] == [
        "Okay. We tried Mr. Smith's idea, e.g. pairing.",
        "It worked well for us. And then",
    ]
    assert [p.index for p in pieces] == [0, 1]
    assert pieces[1].start == pieces[1].words[0].start == 8.0
    assert pieces[0].end == pieces[0].words[-1].end == 7.5
    assert all(p.speaker == "Dana" for p in pieces)
    # Without word times nothing can be cut.
    assert split_at_sentences([TranscriptSegment(5, 0.0, 9.0, text)])[0].text == text


def test_sentences_keep_words_that_whisper_splits_into_several_tokens():
    # Whisper's word tokens: "25", "-year", "-old"; "90", "%": not all start a word.
    tokens = ["We", "hired", "a", "25", "-year", "-old.", "It", "cut", "churn", "90", "%."]
    text = " We hired a 25-year-old. It cut churn 90%."
    words = tuple(Word(float(i), i + 0.5, t, 0.9) for i, t in enumerate(tokens))
    pieces = split_at_sentences([TranscriptSegment(0, 0.0, 11.0, text, words)])
    assert [p.text for p in pieces] == ["We hired a 25-year-old.", "It cut churn 90%."]
    assert [len(p.words) for p in pieces] == [6, 5]
