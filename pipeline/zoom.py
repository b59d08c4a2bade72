"""A Zoom recording folder as the input: what is in it, and per-participant tracks.

Zoom's local recording folder holds the mixed audio (``audio_only.m4a``,
``audio<digits>.m4a``, ``zoom_0.mp4``, ``video<digits>.mp4``) and the chat; with
"record a separate audio file for each participant" it adds one track per person,
``audio<DisplayName><digits>.m4a``, usually in an ``Audio Record`` subfolder. A cloud
recording adds ``<...>.transcript.vtt``. Every track spans the whole meeting and is
silent when its person is not speaking, so its times need no offset and its speaker
is its file name: real names with no diarization model.

What the folder is used for, best first: the cloud transcript (nothing to
transcribe), the participant tracks, the mixed audio.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from pipeline.artifacts import SAMPLE_RATE_HZ, Recording, Transcript, TranscriptSegment, Word
from pipeline.chat import find_chat_beside
from pipeline.errors import InputError
from pipeline.ingest import file_sha256, load_recording
from pipeline.names import NameMap, find_name_map_beside
from pipeline.repetition import find_repetition_loops
from pipeline.transcribe import WHISPER_WINDOW_S, words_text

TRACKS_SUBFOLDER = "Audio Record"
TRACKS_FORMAT = "zoom tracks"
# The meeting's mixed audio, in the order it is preferred (audio before video).
_MIXED_AUDIO = (
    re.compile(r"^audio_only\.m4a$", re.I),
    re.compile(r"^audio\d*\.m4a$", re.I),
    re.compile(r"^zoom_\d+\.mp4$", re.I),
    re.compile(r"^video\d*\.mp4$", re.I),
)
# audio<DisplayName><digits>.m4a: a name with at least one letter, then Zoom's number.
_TRACK = re.compile(r"^audio(?P<name>(?!_only\.)[^.]*?[^\W\d_][^.]*?)(?P<digits>\d*)\.m4a$", re.I)
# Zoom's local folder names: "<date> <time> <topic> <meeting id>".
_FOLDER_DATE_TIME = re.compile(r"^\s*\d{4}-\d{2}-\d{2}(?:[ _]\d{2}[.:]\d{2}[.:]\d{2})?\s*")
_MEETING_ID = re.compile(r"\s+\d{9,11}\s*$")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class ParticipantTrack:
    path: Path
    display_name: str  # as recovered from the file name, before the name map


@dataclass(frozen=True)
class ZoomFolder:
    """What a Zoom recording folder holds; any of it may be missing."""

    folder: Path
    mixed_audio: Path | None
    tracks: tuple[ParticipantTrack, ...]
    transcript_vtt: Path | None
    chat: Path | None
    name_map: Path | None


def track_display_name(path: Path) -> str | None:
    """``audioJohnSmith98796876.m4a`` -> ``"John Smith"``; None for other files.

    Zoom drops the spaces of the display name; they come back at case changes.
    """
    match = _TRACK.match(path.name)
    if not match:
        return None
    name = match["name"].replace("_", " ").strip()
    if " " not in name:
        name = _CAMEL_BOUNDARY.sub(" ", name)
    return " ".join(name.split())


def find_zoom_transcript_vtt(folder: Path) -> Path | None:
    """Zoom's cloud transcript, ``<...>.transcript.vtt``, in ``folder``."""
    made = sorted(p for p in folder.glob("*") if p.name.lower().endswith(".transcript.vtt"))
    return made[0] if made else None


def folder_title(folder: Path) -> str:
    """``2026-11-12 10.00.00 Lean Coffee 84938493847`` -> ``Lean Coffee``."""
    words = _FOLDER_DATE_TIME.sub("", folder.name)
    words = _MEETING_ID.sub("", words).replace("_", " ").strip()
    return words or "Lean Coffee roundtable"


def find_transcript_vtt(folder: Path) -> Path | None:
    """Zoom's ``*.transcript.vtt`` first, else the only other ``.vtt`` file."""
    vtts = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".vtt")
    zoom_made = [p for p in vtts if p.name.lower().endswith(".transcript.vtt")]
    if zoom_made:
        return zoom_made[0]
    return vtts[0] if len(vtts) == 1 else None


def discover(folder: Path) -> ZoomFolder:
    """Find the audio, tracks, transcript, chat and name map in a Zoom folder."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    mixed = next(
        (p for pattern in _MIXED_AUDIO for p in files if pattern.match(p.name)),
        None,
    )
    track_places = [folder, folder / TRACKS_SUBFOLDER]
    tracks = []
    for place in track_places:
        if not place.is_dir():
            continue
        for path in sorted(place.iterdir()):
            if path.is_file() and path != mixed and not _is_mixed(path):
                name = track_display_name(path)
                if name:
                    tracks.append(ParticipantTrack(path, name))
    found = ZoomFolder(
        folder=folder,
        mixed_audio=mixed,
        tracks=tuple(tracks),
        transcript_vtt=find_transcript_vtt(folder),
        chat=find_chat_beside(folder),
        name_map=find_name_map_beside(folder),
    )
    if not (found.transcript_vtt or found.tracks or found.mixed_audio):
        raise InputError(
            f"{folder}: is a directory with no Zoom recording in it (expected "
            "audio_only.m4a, audio<digits>.m4a, zoom_0.mp4, video<digits>.mp4, participant "
            f"tracks audio<Name><digits>.m4a (also in '{TRACKS_SUBFOLDER}/') or a .vtt "
            "transcript)"
        )
    return found


def _is_mixed(path: Path) -> bool:
    return any(pattern.match(path.name) for pattern in _MIXED_AUDIO)


def speaker_names(tracks: Sequence[ParticipantTrack], names: NameMap) -> list[str]:
    """Each track's speaker through the name map; two tracks of one name stay apart."""
    speakers: list[str] = []
    for track in tracks:
        name = names(track.display_name)
        if name in speakers:  # e.g. two dial-ins both mapped to "guest"
            name = f"{name} ({len([s for s in speakers if s.startswith(name)]) + 1})"
        speakers.append(name)
    return speakers


# Snippets of a track's speech are at most one Whisper window long, joined with a short
# pause (ES2006a's tracks, batched: WER 26.1% with 0.3 s, 27.6% with none, 26.7% with
# 0.6 s), and decoded in windows of whole snippets, as the mixed recording's batches are.
JOIN_PAUSE_S = 0.3
WINDOW_S = WHISPER_WINDOW_S


@dataclass(frozen=True)
class SpeechChunk:
    """A stretch of one participant's speech, as voice activity detection found it."""

    track: int  # index into the folder's tracks
    start: int  # samples from the meeting's start
    end: int


@dataclass(frozen=True)
class TracksSpeech:
    """Every track's speech, concatenated in meeting order: what gets transcribed.

    Transcribing the tracks' speech as one stream costs what the mixed recording
    costs (faster-whisper's VAD does the same to one file), where one Whisper call
    per track would pay a part-filled 30 s window and a start-up per participant.
    A short pause separates the snippets, so Whisper hears where one ends.
    """

    recording: Recording
    chunks: tuple[SpeechChunk, ...]  # in meeting order
    offsets: tuple[int, ...]  # where each chunk begins in ``samples``
    samples: np.ndarray = field(repr=False)

    def clips(self, window_s: float = WINDOW_S) -> tuple[tuple[float, float], ...]:
        """(start, end) seconds of ``samples`` to decode as one window each: snippets
        joined in order up to ``window_s``, so a window never cuts through a snippet
        (batched windows cut mid-sentence cost tiny.en 5 points of WER on the demo)."""
        limit = window_s * SAMPLE_RATE_HZ
        clips: list[tuple[int, int]] = []
        for chunk, offset in zip(self.chunks, self.offsets, strict=True):
            end = offset + chunk.end - chunk.start
            if clips and end - clips[-1][0] <= limit:
                clips[-1] = (clips[-1][0], end)
            else:
                clips.append((offset, end))
        return tuple((a / SAMPLE_RATE_HZ, b / SAMPLE_RATE_HZ) for a, b in clips)


def tracks_sha256(tracks: Sequence[ParticipantTrack]) -> str:
    """One digest for the set of tracks (their contents and their names)."""
    digest = hashlib.sha256()
    for track in tracks:
        digest.update(track.path.name.encode())
        digest.update(file_sha256(track.path).encode())
    return digest.hexdigest()


# A track is silent (or near it) while its person is not talking; Silero VAD need not
# look there. Below this level (-60 dBFS) nothing is speech Whisper could hear.
SILENCE_RMS = 0.001
_GATE_FRAME_S = 0.05
_GATE_PAD_S = 2.5  # more than VAD's 2 s minimum silence: it splits speech as without the gate


def sounding_regions(samples: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) sample ranges where the track is not silent, padded and merged.

    A cheap energy gate before VAD: on a meeting-long track that is silent most of
    the time, Silero then runs on minutes, not on the whole meeting.
    """
    frame = int(_GATE_FRAME_S * SAMPLE_RATE_HZ)
    n_frames = len(samples) // frame
    if n_frames == 0:
        return [(0, len(samples))] if len(samples) else []
    frames = samples[: n_frames * frame].reshape(n_frames, frame)
    loud = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) > SILENCE_RMS
    if len(samples) > n_frames * frame:  # the tail that does not fill a frame
        tail = samples[n_frames * frame :]
        loud = np.append(loud, np.sqrt(np.mean(tail.astype(np.float64) ** 2)) > SILENCE_RMS)
    pad = int(_GATE_PAD_S / _GATE_FRAME_S)
    regions: list[tuple[int, int]] = []
    for index in np.flatnonzero(loud):
        start, end = max(0, index - pad), index + pad + 1
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], end)
        else:
            regions.append((start, end))
    return [(s * frame, min(e * frame, len(samples))) for s, e in regions]


def load_tracks_speech(
    folder: Path, tracks: Sequence[ParticipantTrack], sha256: str, max_snippet_s: float = WINDOW_S
) -> TracksSpeech:
    """Decode each track, keep only its speech (Silero VAD, faster-whisper's defaults
    but snippets of at most ``max_snippet_s``, run only where the track is not silent:
    ``sounding_regions``).

    One track is decoded at a time and only its speech is kept, so memory stays at
    the size of the meeting's speech, not of every track.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(max_speech_duration_s=max_snippet_s)
    pieces: list[tuple[SpeechChunk, np.ndarray]] = []
    duration_s = 0.0
    for index, track in enumerate(tracks):
        samples = load_recording(track.path, sha256="-").samples
        duration_s = max(duration_s, len(samples) / SAMPLE_RATE_HZ)
        for first, last in sounding_regions(samples):
            for region in get_speech_timestamps(samples[first:last], vad):
                chunk = SpeechChunk(index, first + region["start"], first + region["end"])
                pieces.append((chunk, samples[chunk.start : chunk.end].copy()))
    pieces.sort(key=lambda piece: (piece[0].start, piece[0].track))
    pause = np.zeros(int(JOIN_PAUSE_S * SAMPLE_RATE_HZ), np.float32)
    joined = [part for _, audio in pieces for part in (audio, pause)][:-1]
    offsets = np.cumsum([0] + [len(a) + len(pause) for _, a in pieces[:-1]]) if pieces else []
    samples = np.concatenate(joined) if joined else np.zeros(0, np.float32)
    recording = Recording(
        path=str(folder),
        sha256=sha256,
        size_bytes=sum(t.path.stat().st_size for t in tracks),
        duration_s=round(duration_s, 3),
        format=TRACKS_FORMAT,
    )
    return TracksSpeech(
        recording, tuple(c for c, _ in pieces), tuple(int(o) for o in offsets), samples
    )


def _chunk_of(speech: TracksSpeech, seconds: float) -> int:
    """Index of the chunk that ``seconds`` of the concatenated speech falls in."""
    return max(0, bisect.bisect_right(speech.offsets, seconds * SAMPLE_RATE_HZ) - 1)


def _to_meeting_time(speech: TracksSpeech, chunk: int, seconds: float) -> float:
    c = speech.chunks[chunk]
    within = min(max(seconds * SAMPLE_RATE_HZ - speech.offsets[chunk], 0), c.end - c.start)
    return round((c.start + within) / SAMPLE_RATE_HZ, 3)


def restore_tracks(
    speech: TracksSpeech, transcript: Transcript, track_names: Sequence[str]
) -> Transcript:
    """The transcript of the concatenated speech back on the meeting's timeline.

    Each segment is cut where its words move to another chunk, so a piece belongs to
    one track: its speaker is that track's name (``track_names[i]``). Speech that
    overlaps in the meeting stays as separate segments, in order of start.
    """
    pieces: list[TranscriptSegment] = []
    for segment in transcript.segments:
        if not segment.words:  # no word times: place the segment by its middle
            chunk = _chunk_of(speech, (segment.start + segment.end) / 2)
            pieces.append(
                replace(
                    segment,
                    start=_to_meeting_time(speech, chunk, segment.start),
                    end=_to_meeting_time(speech, chunk, segment.end),
                    speaker=track_names[speech.chunks[chunk].track],
                )
            )
            continue
        groups: list[tuple[int, list[Word]]] = []
        for word in segment.words:
            chunk = _chunk_of(speech, (word.start + word.end) / 2)
            if not groups or groups[-1][0] != chunk:
                groups.append((chunk, []))
            groups[-1][1].append(
                replace(
                    word,
                    start=_to_meeting_time(speech, chunk, word.start),
                    end=_to_meeting_time(speech, chunk, word.end),
                )
            )
        first = 0
        for chunk, words in groups:
            last = first + len(words) - 1
            text = (
                segment.text
                if len(groups) == 1
                else words_text(segment.text, segment.words, first, last)
            )
            first = last + 1
            pieces.append(
                replace(
                    segment,
                    start=words[0].start,
                    end=words[-1].end,
                    text=text,
                    words=tuple(words),
                    speaker=track_names[speech.chunks[chunk].track],
                )
            )
    pieces.sort(key=lambda s: (s.start, s.end, s.speaker))
    segments = tuple(replace(s, index=i) for i, s in enumerate(pieces))
    return replace(
        transcript,
        segments=segments,
        duration_s=speech.recording.duration_s,
        options={**transcript.options, "vad_filter": True, "zoom_tracks": list(track_names)},
        repetition_loops=find_repetition_loops(segments),
    )


def rename_speakers(transcript: Transcript, names: dict[str, str]) -> Transcript:
    """The transcript with each speaker label replaced by ``names[label]``."""
    segments = tuple(
        replace(s, speaker=names.get(s.speaker, s.speaker)) for s in transcript.segments
    )
    return replace(transcript, segments=segments)
