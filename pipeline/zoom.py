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

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.artifacts import Recording, Transcript, TranscriptSegment
from pipeline.chat import find_chat_beside
from pipeline.errors import InputError
from pipeline.names import NameMap, find_name_map_beside
from pipeline.repetition import find_repetition_loops

TRACKS_SUBFOLDER = "Audio Record"
TRACKS_FORMAT = "zoom tracks"
# Words further apart than this belong to different turns (VAD keeps 2 s of silence apart).
MAX_PAUSE_IN_SEGMENT_S = 1.0
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


def split_at_pauses(
    segment: TranscriptSegment, max_pause_s: float = MAX_PAUSE_IN_SEGMENT_S
) -> list[TranscriptSegment]:
    """The segment cut wherever its words pause longer than ``max_pause_s``.

    On a track that is silent between its person's turns, faster-whisper's VAD joins
    the turns before decoding, and one segment can then run from one turn into the
    next, a minute later: its start and end would claim the silence between them.
    The words keep their true times, so the cut is made there.
    """
    words = segment.words
    cuts = [i for i in range(1, len(words)) if words[i].start - words[i - 1].end > max_pause_s]
    if not cuts:
        return [segment]
    pieces = []
    for first, last in zip([0, *cuts], [*cuts, len(words)], strict=True):
        group = words[first:last]
        text = " ".join(w.text for w in group)
        pieces.append(
            replace(segment, start=group[0].start, end=group[-1].end, text=text, words=group)
        )
    return pieces


def merge_tracks(
    folder: Path, parts: Sequence[tuple[str, Recording, Transcript]]
) -> tuple[Recording, Transcript]:
    """One time-ordered transcript from each track's (speaker, recording, transcript).

    Tracks all start at the meeting's start, so their times are already on one
    timeline; overlapping speech stays as separate segments, in order of start.
    Segments that span a pause are cut there first (``split_at_pauses``).
    """
    tagged = [
        replace(piece, speaker=speaker)
        for speaker, _, transcript in parts
        for segment in transcript.segments
        for piece in split_at_pauses(segment)
    ]
    tagged.sort(key=lambda s: (s.start, s.end, s.speaker))
    segments = tuple(replace(s, index=i) for i, s in enumerate(tagged))
    duration = max(recording.duration_s for _, recording, _ in parts)
    combined = hashlib.sha256("".join(r.sha256 for _, r, _ in parts).encode()).hexdigest()
    first = parts[0][2]
    recording = Recording(
        path=str(folder),
        sha256=combined,
        size_bytes=sum(r.size_bytes for _, r, _ in parts),
        duration_s=duration,
        format=TRACKS_FORMAT,
    )
    transcript = Transcript(
        segments=segments,
        language=first.language,
        duration_s=duration,
        engine=first.engine,
        model=first.model,
        options={**first.options, "tracks": [speaker for speaker, _, _ in parts]},
        repetition_loops=find_repetition_loops(segments),
    )
    return recording, transcript
