"""Stage 1, for Zoom cloud transcripts: a WebVTT file instead of audio.

Zoom's cloud recording writes ``<...>.transcript.vtt`` whose cues read
``Display Name: what they said``. Each cue becomes one transcript segment with
its speaker (through the name map), so nothing is transcribed. Cues in WebVTT's
own voice spans (``<v Name>text``) are read the same way; a cue with neither
keeps an empty speaker. Parsing is webvtt-py's.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from pipeline.artifacts import TranscriptSegment
from pipeline.errors import InputError
from pipeline.names import NameMap
from pipeline.transcript_json import TranscriptInput

VTT_SUFFIX = ".vtt"
VTT_ENGINE = "Zoom transcript (WebVTT)"
# "Name: text". A name is short and has no sentence punctuation, so "Note: ..." style
# prose with a long lead-in is not taken for a speaker.
_SPEAKER_PREFIX = re.compile(r"^(?P<name>[^:.!?\n]{1,60}?):\s+(?P<text>.+)$", re.DOTALL)


def speaker_and_text(cue_text: str) -> tuple[str, str]:
    """``"Dana: So the first card"`` -> ``("Dana", "So the first card")``."""
    text = " ".join(cue_text.split())
    match = _SPEAKER_PREFIX.match(text)
    if not match:
        return "", text
    return match["name"].strip(), match["text"].strip()


def load_vtt(path: Path, names: NameMap | None = None, language: str = "en") -> TranscriptInput:
    """The WebVTT transcript at ``path`` as a ``Transcript``, cue i being segment i.

    WebVTT does not say which language it is in: ``language`` (LANGUAGE) does.
    """
    names = names or NameMap()
    try:
        captions = webvtt.read(str(path), strict=True)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected a WebVTT transcript)") from None
    except MalformedFileError:
        raise InputError(f"{path}: not a WebVTT file (it must start with 'WEBVTT')") from None
    except MalformedCaptionError as exc:
        raise InputError(f"{path}: malformed WebVTT cue ({_first_line(exc)})") from None

    segments = []
    for caption in captions:
        cue_text = html.unescape(caption.text)  # cue text is markup: "R&amp;D" is "R&D"
        if caption.voice:
            speaker, text = caption.voice, " ".join(cue_text.split())
        else:
            speaker, text = speaker_and_text(cue_text)
        if not text:
            continue
        # start_in_seconds drops the milliseconds: read them from the timestamps.
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        if end < start:
            raise InputError(f"{path}: cue at {caption.start} ends before it starts")
        segments.append(
            TranscriptSegment(
                index=len(segments),
                start=start,
                end=end,
                text=text,
                speaker=names(speaker) if speaker else "",
            )
        )
    if not segments:
        raise InputError(f"{path}: the WebVTT transcript has no cues with text")

    return TranscriptInput.read_from(
        path, segments, file_format="vtt", language=language, engine=VTT_ENGINE
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__
