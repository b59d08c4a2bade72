"""Stage 2: speech to text with Whisper, behind a one-method engine contract.

Two engines, chosen by name: ``faster-whisper`` (CTranslate2, int8 on CPU; the
default) and ``openai-whisper`` (PyTorch). Both skip silence with Silero VAD and
decode each window without the previous window's text as a prompt, the two
known cures for Whisper's repetition loops.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline import models
from pipeline.artifacts import SAMPLE_RATE_HZ, DecodedAudio, Transcript, TranscriptSegment, Word
from pipeline.errors import SettingsError
from pipeline.repetition import find_repetition_loops

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]  # called with seconds of audio done so far


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
    cpu_threads: int = 0  # 0: all cores

    def decoding_settings(self) -> dict:
        """The settings that change the transcript (the cache key), not how fast it is made."""
        settings = asdict(self)
        settings.pop("cpu_threads")
        if self.engine != "faster-whisper":
            settings.pop("compute_type")
            settings.pop("batch_size")
        if is_local_model := models.is_local_model(self.model):
            settings["model"] = str(Path(self.model).resolve())
        settings["model_is_path"] = is_local_model
        return settings

    def threads(self) -> int:
        return self.cpu_threads or os.cpu_count() or 1


class SpeechEngine(Protocol):
    """The one-method contract every engine adapter fulfils."""

    def transcribe(
        self, samples: np.ndarray, options: TranscribeOptions, progress: ProgressCallback
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        """Return the language and a stream of segments in time order."""
        ...


class FasterWhisperEngine:
    def __init__(self, options: TranscribeOptions, models_dir: Path) -> None:
        self.resolved = models.resolve_ct2_model(options.model, models_dir)
        self._model = models.load_faster_whisper(
            self.resolved, options.compute_type, options.threads()
        )

    def _decode(self, samples: np.ndarray, options: TranscribeOptions) -> tuple[Iterator, object]:
        common = dict(
            language=options.language,
            beam_size=options.beam_size,
            vad_filter=options.vad_filter,
            condition_on_previous_text=options.condition_on_previous_text,
            word_timestamps=options.word_timestamps,
        )
        if options.batch_size > 1 and options.vad_filter:
            from faster_whisper import BatchedInferencePipeline

            # One segment per VAD chunk (up to 30 s): split_at_sentences makes them finer.
            return BatchedInferencePipeline(self._model).transcribe(
                samples, batch_size=options.batch_size, **common
            )
        return self._model.transcribe(samples, **common)

    def transcribe(
        self, samples: np.ndarray, options: TranscribeOptions, progress: ProgressCallback
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        raw_segments, info = self._decode(samples, options)

        def stream() -> Iterator[TranscriptSegment]:
            for i, seg in enumerate(raw_segments):
                progress(seg.end)
                words = tuple(
                    Word(
                        round(w.start, 3), round(w.end, 3), w.word.strip(), round(w.probability, 4)
                    )
                    for w in (seg.words or ())
                )
                yield TranscriptSegment(
                    i, round(seg.start, 3), round(seg.end, 3), seg.text.strip(), words
                )

        return info.language, stream()


# VAD speech regions closer than this are decoded together, up to one Whisper window.
_OPENAI_CLIP_MERGE_GAP_S = 2.0
_WHISPER_WINDOW_S = 30.0


class OpenAIWhisperEngine:
    def __init__(self, options: TranscribeOptions, models_dir: Path) -> None:
        import torch

        torch.set_num_threads(options.threads())
        self.resolved = models.resolve_openai_model(options.model, models_dir)
        self._model = models.load_openai_whisper(self.resolved)

    @staticmethod
    def speech_clips(samples: np.ndarray) -> list[tuple[int, int]]:
        """VAD speech regions (sample offsets), merged into clips of at most one window."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        window = int(_WHISPER_WINDOW_S * SAMPLE_RATE_HZ)
        vad = VadOptions(max_speech_duration_s=_WHISPER_WINDOW_S)
        clips: list[tuple[int, int]] = []
        for region in get_speech_timestamps(samples, vad):
            start, end = region["start"], region["end"]
            near = clips and start - clips[-1][1] < _OPENAI_CLIP_MERGE_GAP_S * SAMPLE_RATE_HZ
            if near and end - clips[-1][0] <= window:
                clips[-1] = (clips[-1][0], end)
            else:
                clips.append((start, end))
        return clips

    def _language(
        self, samples: np.ndarray, clips: list[tuple[int, int]], asked: str | None
    ) -> str:
        """The language asked for; else English for .en models; else detected once, on
        the first speech, so that every clip is decoded in the same language."""
        import whisper

        if asked:
            return asked
        if not self._model.is_multilingual or not clips:
            return "en"
        first_speech = whisper.pad_or_trim(samples[clips[0][0] :])
        mel = whisper.log_mel_spectrogram(first_speech, self._model.dims.n_mels)
        _, probabilities = self._model.detect_language(mel)
        return max(probabilities, key=probabilities.get)

    def transcribe(
        self, samples: np.ndarray, options: TranscribeOptions, progress: ProgressCallback
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        # One whisper.transcribe call per clip. whisper's own clip_timestamps would do it
        # in one call, but with word timestamps its seek can step backwards and loop
        # forever (it hung on the demo recording).
        import whisper

        clips = self.speech_clips(samples) if options.vad_filter else [(0, len(samples))]
        language = self._language(samples, clips, options.language)

        def stream() -> Iterator[TranscriptSegment]:
            index = 0
            for start, end in clips:
                offset = start / SAMPLE_RATE_HZ
                result = whisper.transcribe(
                    self._model,
                    samples[start:end],
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


def transcribe(
    audio: DecodedAudio,
    engine: SpeechEngine,
    options: TranscribeOptions,
    progress: ProgressCallback = lambda _: None,
) -> Transcript:
    """Transcribe ``audio``; segments are in time order, loops flagged for review."""
    language, stream = engine.transcribe(audio.samples, options, progress)
    segments = split_at_sentences(seg for seg in stream if seg.text)
    progress(audio.recording.duration_s)
    return Transcript(
        segments=segments,
        language=language,
        duration_s=audio.recording.duration_s,
        engine=options.engine,
        model=options.model,
        options=options.decoding_settings(),
        repetition_loops=find_repetition_loops(segments),
    )


_SENTENCE_END = (".", "?", "!")
MIN_SENTENCE_WORDS = 3  # "Okay." stays with what follows: too short to be a unit alone


def _ends_sentence(word: str) -> bool:
    if not word.endswith(_SENTENCE_END):
        return False
    stem = word[:-1]
    # "Mr.", "Dr.", "e.g." end with a full stop but not a sentence.
    return not ("." in stem or (len(stem) <= 2 and stem[:1].isupper()))


def split_at_sentences(segments: Iterable[TranscriptSegment]) -> tuple[TranscriptSegment, ...]:
    """Whisper segments cut at sentence ends, using word times; renumbered in order.

    Batched decoding gives one segment per VAD chunk (up to 30 s, several speakers'
    sentences); the segmenter and the review read sentences, so long segments are cut
    where a word ends a sentence. Segments without word times are kept whole.
    """
    result: list[TranscriptSegment] = []
    for segment in segments:
        pieces: list[list[Word]] = [[]]
        for word in segment.words:
            pieces[-1].append(word)
            if _ends_sentence(word.text) and len(pieces[-1]) >= MIN_SENTENCE_WORDS:
                pieces.append([])
        pieces = [piece for piece in pieces if piece]
        if len(pieces) > 1 and not _ends_sentence(pieces[-1][-1].text):
            if len(pieces[-1]) < MIN_SENTENCE_WORDS:  # a short tail joins the sentence before
                pieces[-2].extend(pieces.pop())
        if len(pieces) <= 1:
            result.append(replace(segment, index=len(result)))
            continue
        for piece in pieces:
            result.append(
                TranscriptSegment(
                    index=len(result),
                    start=piece[0].start,
                    end=piece[-1].end,
                    text=" ".join(word.text for word in piece),
                    words=tuple(piece),
                    speaker=segment.speaker,
                )
            )
    return tuple(result)
