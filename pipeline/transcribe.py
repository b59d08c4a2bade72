"""Stage 2: speech to text with Whisper, behind a one-method engine contract.

Two engines, chosen by name: ``faster-whisper`` (CTranslate2, int8 on CPU; the
default) and ``openai-whisper`` (PyTorch). Both skip silence with Silero VAD and
decode each window without the previous window's text as a prompt, the two
known cures for Whisper's repetition loops.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline import models
from pipeline.artifacts import (
    SAMPLE_RATE_HZ,
    AudioChunk,
    DecodedAudio,
    Transcript,
    TranscriptSegment,
    Word,
)
from pipeline.errors import SettingsError
from pipeline.ingest import quietest_sample
from pipeline.repetition import find_repetition_loops

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]  # called with seconds of audio done so far
Clips = Sequence[tuple[float, float]]


@dataclass(frozen=True)
class TranscribeOptions:
    """How to transcribe. Every field but ``cpu_threads`` changes the result,
    so all the others are part of the transcript cache key."""

    engine: str = "faster-whisper"
    model: str = "tiny.en"  # a local path, a downloadable name, or an offline model
    language: str | None = None  # None: English-only models use "en", others detect
    beam_size: int = 5
    vad_filter: bool = True
    condition_on_previous_text: bool = False
    word_timestamps: bool = True
    compute_type: str = "int8"  # faster-whisper only; openai-whisper runs float32 on CPU
    # faster-whisper only: VAD chunks decoded this many at a time (BatchedInferencePipeline);
    # 1 decodes them one after another. Batches keep both cores busy with bigger matrix
    # products: about 0.7x the CPU time of sequential decoding here (docs/BENCHMARKS.md).
    batch_size: int = 8
    # Audio is decoded and transcribed in chunks of about this many seconds, each cut at
    # a quiet moment, so memory stays bounded on a 3-hour recording and an interrupted
    # run resumes from the last finished chunk. A meeting shorter than this is one chunk.
    chunk_s: float = 900.0
    # faster-whisper batched only: stretches the batches dropped, decoded again one by one
    recover_dropped_speech: bool = True
    cpu_threads: int = 0  # 0: all cores

    def decoding_settings(self) -> dict:
        """The settings that change the transcript (the cache key), not how fast it is made."""
        settings = asdict(self)
        settings.pop("cpu_threads")
        if self.engine != "faster-whisper":
            settings.pop("compute_type")
            settings.pop("batch_size")
            settings.pop("recover_dropped_speech")
        if is_local_model := models.is_local_model(self.model):
            settings["model"] = str(Path(self.model).resolve())
        settings["model_is_path"] = is_local_model
        return settings

    def threads(self) -> int:
        return self.cpu_threads or os.cpu_count() or 1


WHISPER_WINDOW_S = 30.0


class SpeechEngine(Protocol):
    """The one-method contract every engine adapter fulfils."""

    def transcribe(
        self,
        samples: np.ndarray,
        options: TranscribeOptions,
        progress: ProgressCallback,
        clips: Clips | None = None,
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        """Return the language and a stream of segments in time order.

        ``clips``: (start, end) seconds of speech already found, each decoded as one
        window where the engine decodes windows in batches; no VAD runs then.
        """
        ...


class FasterWhisperEngine:
    def __init__(self, options: TranscribeOptions, models_dir: Path) -> None:
        self.resolved = models.resolve_ct2_model(options.model, models_dir)
        self._model = models.load_faster_whisper(
            self.resolved, options.compute_type, options.threads()
        )

    def _decode(
        self, samples: np.ndarray, options: TranscribeOptions, clips: Clips | None
    ) -> tuple[Iterator, object]:
        common = dict(
            language=options.language,
            beam_size=options.beam_size,
            vad_filter=options.vad_filter,
            condition_on_previous_text=options.condition_on_previous_text,
            word_timestamps=options.word_timestamps,
        )
        if _is_batched(options, clips):
            from faster_whisper import BatchedInferencePipeline
            from faster_whisper.vad import VadOptions

            # One segment per window (up to 30 s): split_at_sentences makes them finer.
            if clips:  # speech already found: each clip is a window, no VAD
                speech = {"clip_timestamps": [{"start": a, "end": b} for a, b in clips]}
                common["vad_filter"] = False
            else:
                # The sequential path's VAD (speech ends after 2 s of silence), not the
                # batched pipeline's default of 160 ms, which cuts more often and cost
                # tiny.en a point of WER on ES2006a (22.3% against 21.1-21.8%).
                speech = {"vad_parameters": VadOptions(max_speech_duration_s=WHISPER_WINDOW_S)}
            return BatchedInferencePipeline(self._model).transcribe(
                samples, batch_size=options.batch_size, **speech, **common
            )
        return self._model.transcribe(samples, **common)

    def transcribe(
        self,
        samples: np.ndarray,
        options: TranscribeOptions,
        progress: ProgressCallback,
        clips: Clips | None = None,
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        raw_segments, info = self._decode(samples, options, clips)
        recover = (
            _is_batched(options, clips)
            and options.recover_dropped_speech
            and options.word_timestamps
        )

        def stream() -> Iterator[TranscriptSegment]:
            heard = []
            for i, seg in enumerate(raw_segments):
                progress(seg.end)
                segment = _from_faster_whisper(seg, i)
                if not recover:
                    yield segment
                heard.append(segment)
            if recover:
                asked = replace(options, language=options.language or info.language)
                heard += self._dropped_speech(samples, heard, asked, clips)
                heard.sort(key=lambda s: s.start)
                yield from (replace(s, index=i) for i, s in enumerate(heard))

        return info.language, stream()

    def _dropped_speech(
        self,
        samples: np.ndarray,
        heard: list[TranscriptSegment],
        options: TranscribeOptions,
        clips: Clips | None,
    ) -> list[TranscriptSegment]:
        """The speech the batched pass left without a word, decoded again sequentially.

        A batch decodes each window (up to 30 s) once, with no timestamps to resume
        from: when the decoder ends a window early, the rest of its speech is lost
        (faster-whisper issue #1179). Here, a tiny.en batch dropped 27 s of a 3.8-minute
        meeting that the sequential path transcribes. Every stretch of at least
        ``_DROPPED_MIN_S`` with no word heard, where the VAD finds speech, is decoded
        again as the sequential path would."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        rate = SAMPLE_RATE_HZ
        gaps, last = [], 0.0
        for start, end in sorted((w.start, w.end) for s in heard for w in s.words):
            if start - last >= _DROPPED_MIN_S:
                gaps.append((last, start))
            last = max(last, end)
        if len(samples) / rate - last >= _DROPPED_MIN_S:
            gaps.append((last, len(samples) / rate))
        if clips:  # only within the speech already found
            gaps = [(max(a, c), min(b, d)) for a, b in gaps for c, d in clips if c < b and a < d]
        vad = VadOptions(max_speech_duration_s=WHISPER_WINDOW_S)
        sequential = replace(options, batch_size=1)
        recovered: list[TranscriptSegment] = []
        for a, b in gaps:
            speech = get_speech_timestamps(samples[int(a * rate) : int(b * rate)], vad)
            if sum(t["end"] - t["start"] for t in speech) < _DROPPED_MIN_SPEECH_S * rate:
                continue
            first = max(a, a + speech[0]["start"] / rate - _DROPPED_PAD_S)
            end = min(b, a + speech[-1]["end"] / rate + _DROPPED_PAD_S)
            again, _ = self._decode(samples[int(first * rate) : int(end * rate)], sequential, None)
            recovered += [_shifted(_from_faster_whisper(seg, 0), first) for seg in again]
            log.info("%.0f-%.0f s: speech the batched pass dropped, decoded again", first, end)
        return [s for s in recovered if s.text]


def _is_batched(options: TranscribeOptions, clips: Clips | None) -> bool:
    """Whether faster-whisper decodes windows in batches (it needs speech found first)."""
    return options.batch_size > 1 and bool(clips or options.vad_filter)


_DROPPED_MIN_S = 3.0  # a stretch this long with no word heard may be speech dropped
_DROPPED_MIN_SPEECH_S = 1.0  # ... if the VAD finds at least this much speech in it
_DROPPED_PAD_S = 0.3  # decoded again with this much audio either side of its speech


def _from_faster_whisper(seg, index: int) -> TranscriptSegment:
    words = tuple(
        Word(round(w.start, 3), round(w.end, 3), w.word.strip(), round(w.probability, 4))
        for w in (seg.words or ())
    )
    start, end = round(seg.start, 3), round(seg.end, 3)
    return TranscriptSegment(index, start, end, seg.text.strip(), words)


# openai-whisper has no VAD of its own. Silences longer than this (Silero VAD, as
# faster-whisper uses it) are skipped; everything else is decoded exactly as bare
# openai-whisper would, because its decoding is chaotic: trimming even the 16 ms before
# the first word, or joining speech across a shorter pause, sent tiny.en into
# temperature fallbacks on ES2006a (1.5x slower, WER 15 points worse on 5 minutes).
_OPENAI_SKIP_SILENCE_S = 5.0
# The audio left is decoded in pieces of about this long, one whisper.transcribe call
# each, cut at the quietest moment near each cut: a call per piece is what lets the
# run report progress. (One call per short VAD clip, padded to a 30 s window each,
# was 1.39x bare openai-whisper.)
_OPENAI_PIECE_S = 120.0
_OPENAI_CUT_SEARCH_S = 10.0


class OpenAIWhisperEngine:
    def __init__(self, options: TranscribeOptions, models_dir: Path) -> None:
        import torch

        torch.set_num_threads(options.threads())
        self.resolved = models.resolve_openai_model(options.model, models_dir)
        self._model = models.load_openai_whisper(self.resolved)

    @staticmethod
    def pieces(samples: np.ndarray, vad_filter: bool) -> list[tuple[int, int]]:
        """(first, end) sample offsets of the audio to decode, in time order."""
        spans = [(0, len(samples))]
        if vad_filter:
            from faster_whisper.vad import VadOptions, get_speech_timestamps

            longest_pause = int(_OPENAI_SKIP_SILENCE_S * SAMPLE_RATE_HZ)
            spans = []
            for region in get_speech_timestamps(samples, VadOptions()):
                if spans and region["start"] - spans[-1][1] <= longest_pause:
                    spans[-1] = (spans[-1][0], region["end"])
                else:
                    spans.append((region["start"], region["end"]))
            # Keep the audio up to the first word and after the last: bare whisper hears it.
            if spans and spans[0][0] <= longest_pause:
                spans[0] = (0, spans[0][1])
            if spans and len(samples) - spans[-1][1] <= longest_pause:
                spans[-1] = (spans[-1][0], len(samples))
        piece = int(_OPENAI_PIECE_S * SAMPLE_RATE_HZ)
        search = int(_OPENAI_CUT_SEARCH_S * SAMPLE_RATE_HZ)
        out = []
        for first, end in spans:
            while end - first > piece + search:
                cut = quietest_sample(samples, first + piece - search, first + piece + search)
                out.append((first, cut))
                first = cut
            out.append((first, end))
        return out

    def _language(
        self, samples: np.ndarray, pieces: list[tuple[int, int]], asked: str | None
    ) -> str:
        """The language asked for; else English for .en models; else detected once, on
        the first speech, so that every piece is decoded in the same language."""
        import whisper

        if asked:
            return asked
        if not self._model.is_multilingual or not pieces:
            return "en"
        first_speech = whisper.pad_or_trim(samples[pieces[0][0] :])
        mel = whisper.log_mel_spectrogram(first_speech, self._model.dims.n_mels)
        _, probabilities = self._model.detect_language(mel)
        return max(probabilities, key=probabilities.get)

    def transcribe(
        self,
        samples: np.ndarray,
        options: TranscribeOptions,
        progress: ProgressCallback,
        clips: Clips | None = None,
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        # ``clips`` are not needed: without batches, whole pieces decode as fast.
        # Pieces rather than whisper's own clip_timestamps: with word timestamps its
        # seek can step backwards and loop forever (it hung on the demo recording).
        import whisper

        pieces = self.pieces(samples, options.vad_filter)
        language = self._language(samples, pieces, options.language)

        def stream() -> Iterator[TranscriptSegment]:
            index = 0
            for first, end in pieces:
                offset = first / SAMPLE_RATE_HZ
                result = whisper.transcribe(
                    self._model,
                    samples[first:end],
                    language=language,
                    beam_size=options.beam_size,
                    best_of=5,
                    fp16=False,
                    condition_on_previous_text=options.condition_on_previous_text,
                    word_timestamps=options.word_timestamps,
                    verbose=None,
                )
                for seg in result["segments"]:
                    words = tuple(
                        Word(round(offset + w["start"], 3), round(offset + w["end"], 3),
                             w["word"].strip(), round(w["probability"], 4))
                        for w in seg.get("words", ())
                    )  # fmt: skip
                    yield TranscriptSegment(
                        index,
                        round(offset + seg["start"], 3),
                        round(offset + seg["end"], 3),
                        seg["text"].strip(),
                        words,
                    )
                    index += 1
                progress(end / SAMPLE_RATE_HZ)

        return language, stream()


ENGINES: dict[str, type] = {
    "faster-whisper": FasterWhisperEngine,
    "openai-whisper": OpenAIWhisperEngine,
}


def load_engine(options: TranscribeOptions, models_dir: Path) -> SpeechEngine:
    """The engine named in ``options``, its model resolved and loaded once."""
    try:
        engine_class = ENGINES[options.engine]
    except KeyError:
        raise SettingsError(
            f"unknown engine '{options.engine}' (choose one of {', '.join(ENGINES)})"
        ) from None
    if options.batch_size < 1:
        raise SettingsError(f"batch size {options.batch_size}: give 1 or more")
    return engine_class(options, models_dir)


# Language identification: on the first minutes of speech, trusted from this probability.
_LANGUAGE_SAMPLE_S = 300
MIN_LANGUAGE_PROBABILITY = 0.5


def is_english_only(model: str) -> bool:
    """tiny.en, base.en, ... (or a local folder named so): they can only write English."""
    return Path(model).name.endswith(".en")


def detect_language(
    samples: np.ndarray, models_dir: Path, cpu_threads: int
) -> tuple[str, float] | None:
    """The spoken language and its probability, by the multilingual offline ``base``
    model over the first speech; None when that model is not installed."""
    detector = models.offline_language_detector(models_dir)
    if detector is None:
        log.debug("language not checked: the offline base model is not installed")
        return None
    model = models.load_faster_whisper(detector, "int8", cpu_threads)
    head = samples[: _LANGUAGE_SAMPLE_S * SAMPLE_RATE_HZ]
    language, probability, _ = model.detect_language(head, vad_filter=True)
    return language, probability


def language_name(code: str) -> str:
    """'de' -> 'German', from openai-whisper's table; the code itself when unknown."""
    from whisper.tokenizer import LANGUAGES

    return LANGUAGES.get(code, code).title()


@dataclass(frozen=True)
class ChunkTranscript:
    """What one chunk of the recording said; times are from the start of the recording."""

    index: int
    start_sample: int
    end_sample: int
    language: str
    segments: tuple[TranscriptSegment, ...]


class ChunkStore(Protocol):
    """Where finished chunks are kept, so that an interrupted run resumes after them."""

    def get(self, chunk: AudioChunk) -> ChunkTranscript | None: ...

    def put(self, done: ChunkTranscript) -> None: ...


def _shifted(segment: TranscriptSegment, offset_s: float) -> TranscriptSegment:
    if not offset_s:
        return segment
    words = tuple(
        replace(w, start=round(w.start + offset_s, 3), end=round(w.end + offset_s, 3))
        for w in segment.words
    )
    return replace(
        segment,
        start=round(segment.start + offset_s, 3),
        end=round(segment.end + offset_s, 3),
        words=words,
    )


def transcribe_chunk(
    chunk: AudioChunk,
    engine: SpeechEngine,
    options: TranscribeOptions,
    progress: ProgressCallback = lambda _: None,
    clips: Clips | None = None,
) -> ChunkTranscript:
    """Transcribe one chunk; its segments' and words' times are shifted by its offset."""
    offset_s = chunk.start_s
    end_s = chunk.end_sample / SAMPLE_RATE_HZ
    # Whisper may end a segment past the chunk's last sample (140.16 s in a chunk ending
    # at 140.05 s): progress stops at the chunk's end, so it never runs backwards.
    language, stream = engine.transcribe(
        chunk.samples, options, lambda seconds: progress(min(offset_s + seconds, end_s)), clips
    )
    segments = tuple(_shifted(seg, offset_s) for seg in stream if seg.text)
    return ChunkTranscript(chunk.index, chunk.start_sample, chunk.end_sample, language, segments)


def transcribe_chunks(
    chunks: Iterable[AudioChunk],
    engine: Callable[[], SpeechEngine],
    options: TranscribeOptions,
    store: ChunkStore,
    progress: ProgressCallback = lambda _: None,
) -> list[ChunkTranscript]:
    """Transcribe a stream of chunks in order, each kept in ``store`` once done.

    Chunks already in the store are not transcribed again (a resumed run); ``engine``
    is called for the model only when a chunk needs it. After the first chunk every
    chunk is decoded in its language, so a multilingual model does not switch
    language halfway through the meeting.
    """
    done: list[ChunkTranscript] = []
    for chunk in chunks:
        cached = store.get(chunk)
        if cached is not None:
            log.info(
                "Chunk %d (%.0f-%.0f s) found in the cache: skipping its audio",
                chunk.index + 1,
                chunk.start_s,
                chunk.end_sample / SAMPLE_RATE_HZ,
            )
            result = cached
        else:
            asked = options
            if done and options.language is None:
                asked = replace(options, language=done[0].language)
            result = transcribe_chunk(chunk, engine(), asked, progress)
            store.put(result)
        progress(result.end_sample / SAMPLE_RATE_HZ)
        done.append(result)
    return done


def assemble_transcript(
    chunks: list[ChunkTranscript], duration_s: float, options: TranscribeOptions
) -> Transcript:
    """One transcript from its chunks' segments, numbered in order, loops flagged."""
    segments = split_at_sentences(seg for chunk in chunks for seg in chunk.segments)
    return Transcript(
        segments=segments,
        language=chunks[0].language if chunks else (options.language or "en"),
        duration_s=duration_s,
        engine=options.engine,
        model=options.model,
        options=options.decoding_settings(),
        repetition_loops=find_repetition_loops(segments),
    )


def transcribe(
    audio: DecodedAudio,
    engine: SpeechEngine,
    options: TranscribeOptions,
    progress: ProgressCallback = lambda _: None,
    clips: Clips | None = None,
) -> Transcript:
    """Transcribe ``audio`` held whole (one chunk); segments are in time order, loops
    flagged for review. The runner streams long recordings with ``transcribe_chunks``.
    ``clips``: the speech in it, already found (see SpeechEngine)."""
    whole = AudioChunk(0, 0, audio.samples, last=True)
    result = transcribe_chunk(whole, engine, options, progress, clips)
    progress(audio.recording.duration_s)
    return assemble_transcript([result], audio.recording.duration_s, options)


_SENTENCE_END = (".", "?", "!")
MIN_SENTENCE_WORDS = 3  # "Okay." stays with what follows: too short to be a unit alone


def _ends_sentence(word: str) -> bool:
    if not word.endswith(_SENTENCE_END):
        return False
    stem = word[:-1]
    # "Mr.", "Dr.", "e.g." end with a full stop but not a sentence.
    return not ("." in stem or (len(stem) <= 2 and stem[:1].isupper()))


def words_text(text: str, words: Sequence[Word], first: int, last: int) -> str:
    """The stretch of a segment's ``text`` that its ``words[first..last]`` say.

    Whisper's word tokens do not all start a word ("25", "-year", "-old"; "90", "%"), so
    joining them with spaces would misspell the text; each word is found in the text
    instead. If the words do not match the text, they are joined with spaces.
    """
    spans, at = [], 0
    for word in words[: last + 1]:
        found = text.find(word.text, at)
        if found < 0:
            return " ".join(w.text for w in words[first : last + 1])
        spans.append((found, found + len(word.text)))
        at = found + len(word.text)
    return text[spans[first][0] : spans[last][1]]


def split_at_sentences(segments: Iterable[TranscriptSegment]) -> tuple[TranscriptSegment, ...]:
    """Whisper segments cut at sentence ends, using word times; renumbered in order.

    Batched decoding gives one segment per VAD chunk (up to 30 s, several speakers'
    sentences); the segmenter and the review read sentences, so long segments are cut
    where a word ends a sentence. Segments without word times are kept whole.
    """
    result: list[TranscriptSegment] = []
    for segment in segments:
        words = segment.words
        pieces: list[list[int]] = [[]]  # indices into words
        for k, word in enumerate(words):
            pieces[-1].append(k)
            if _ends_sentence(word.text) and len(pieces[-1]) >= MIN_SENTENCE_WORDS:
                pieces.append([])
        pieces = [piece for piece in pieces if piece]
        if len(pieces) > 1 and not _ends_sentence(words[pieces[-1][-1]].text):
            if len(pieces[-1]) < MIN_SENTENCE_WORDS:  # a short tail joins the sentence before
                pieces[-2].extend(pieces.pop())
        if len(pieces) <= 1:
            result.append(replace(segment, index=len(result)))
            continue
        for piece in pieces:
            first, last = piece[0], piece[-1]
            result.append(
                TranscriptSegment(
                    index=len(result),
                    start=words[first].start,
                    end=words[last].end,
                    text=words_text(segment.text, words, first, last),
                    words=words[first : last + 1],
                    speaker=segment.speaker,
                )
            )
    return tuple(result)
