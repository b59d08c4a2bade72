"""Stage 2: speech to text with Whisper, behind a one-method engine contract.

Two engines, chosen by name: ``faster-whisper`` (CTranslate2, int8 on CPU; the
default) and ``openai-whisper`` (PyTorch). Both skip silence with Silero VAD and
decode each window without the previous window's text as a prompt, the two
known cures for Whisper's repetition loops.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
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
    cpu_threads: int = 0  # 0: all cores

    def decoding_settings(self) -> dict:
        """The settings that change the transcript (the cache key), not how fast it is made."""
        settings = asdict(self)
        settings.pop("cpu_threads")
        if self.engine != "faster-whisper":
            settings.pop("compute_type")
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

    def transcribe(
        self, samples: np.ndarray, options: TranscribeOptions, progress: ProgressCallback
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        raw_segments, info = self._model.transcribe(
            samples,
            language=options.language,
            beam_size=options.beam_size,
            vad_filter=options.vad_filter,
            condition_on_previous_text=options.condition_on_previous_text,
            word_timestamps=options.word_timestamps,
        )

        def stream() -> Iterator[TranscriptSegment]:
            for i, seg in enumerate(raw_segments):
                progress(seg.end)
                words = tuple(
                    Word(round(w.start, 3), round(w.end, 3), w.word.strip(), round(w.probability, 4))
                    for w in (seg.words or ())
                )
                yield TranscriptSegment(i, round(seg.start, 3), round(seg.end, 3), seg.text.strip(), words)

        return info.language, stream()


# Speech regions closer than this are decoded as one clip: fewer, fuller windows.
_OPENAI_CLIP_MERGE_GAP_S = 2.0


class OpenAIWhisperEngine:
    def __init__(self, options: TranscribeOptions, models_dir: Path) -> None:
        import torch

        torch.set_num_threads(options.threads())
        self.resolved = models.resolve_openai_model(options.model, models_dir)
        self._model = models.load_openai_whisper(self.resolved)

    def _speech_clips(self, samples: np.ndarray) -> list[float]:
        """VAD speech regions as whisper's clip_timestamps: start, end, start, end, ..."""
        from faster_whisper.vad import get_speech_timestamps

        regions = get_speech_timestamps(samples)
        clips: list[list[float]] = []
        for region in regions:
            start, end = region["start"] / SAMPLE_RATE_HZ, region["end"] / SAMPLE_RATE_HZ
            if clips and start - clips[-1][1] < _OPENAI_CLIP_MERGE_GAP_S:
                clips[-1][1] = end
            else:
                clips.append([start, end])
        return [round(t, 3) for clip in clips for t in clip]

    def transcribe(
        self, samples: np.ndarray, options: TranscribeOptions, progress: ProgressCallback
    ) -> tuple[str, Iterator[TranscriptSegment]]:
        import whisper

        clip_timestamps: list[float] | str = "0"
        if options.vad_filter:
            clip_timestamps = self._speech_clips(samples)
            if not clip_timestamps:
                return options.language or "en", iter(())
        language = options.language
        if language is None and not self._model.is_multilingual:
            language = "en"
        with _whisper_progress_in_seconds(progress):
            result = whisper.transcribe(
                self._model,
                samples,
                language=language,
                beam_size=options.beam_size,
                best_of=5,
                fp16=False,
                condition_on_previous_text=options.condition_on_previous_text,
                word_timestamps=options.word_timestamps,
                clip_timestamps=clip_timestamps,
                verbose=False,  # False (not None) makes whisper report progress
            )

        def stream() -> Iterator[TranscriptSegment]:
            for i, seg in enumerate(result["segments"]):
                words = tuple(
                    Word(round(w["start"], 3), round(w["end"], 3), w["word"].strip(),
                         round(w["probability"], 4))
                    for w in seg.get("words", ())
                )  # fmt: skip
                yield TranscriptSegment(
                    i, round(seg["start"], 3), round(seg["end"], 3), seg["text"].strip(), words
                )

        return result["language"], stream()


@contextmanager
def _whisper_progress_in_seconds(progress: ProgressCallback) -> Iterator[None]:
    """Route openai-whisper's progress (mel frames, via tqdm) to our callback.

    whisper.transcribe only reports progress through ``tqdm.tqdm``; swapping that
    name for the duration of the call turns its frame counts into audio seconds.
    """
    import whisper.transcribe as whisper_transcribe
    from whisper.audio import FRAMES_PER_SECOND

    class FrameCounter:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.frames = 0

        def __enter__(self) -> FrameCounter:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def update(self, frames: int) -> None:
            self.frames += frames
            progress(self.frames / FRAMES_PER_SECOND)

    original = whisper_transcribe.tqdm
    whisper_transcribe.tqdm = SimpleNamespace(tqdm=FrameCounter)
    try:
        yield
    finally:
        whisper_transcribe.tqdm = original


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
    return engine_class(options, models_dir)


def transcribe(
    audio: DecodedAudio,
    engine: SpeechEngine,
    options: TranscribeOptions,
    progress: ProgressCallback = lambda _: None,
) -> Transcript:
    """Transcribe ``audio``; segments are in time order, loops flagged for review."""
    language, stream = engine.transcribe(audio.samples, options, progress)
    segments = tuple(seg for seg in stream if seg.text)
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
