"""The name map: Zoom's display names to the names (or roles) the summary should use.

Zoom records whatever a participant's display name was: a dial-in's phone number,
"iPhone", a renamed user. The organizer fixes these once in a YAML mapping::

    "+1 555 010 0199": Dana Lee
    JohnSmith: Mark          # a track file name works as well as the display name
    Dana Lee: facilitator    # a role: kept even when names are redacted

Keys match ignoring case, spaces and punctuation, so ``John Smith``, ``JohnSmith``
and ``john.smith`` are one key. Names not in the map are kept as Zoom wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.errors import InputError

NAME_MAP_FILES = ("names.yaml", "names.yml")
_NOT_A_KEY_CHAR = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """What two spellings of one display name have in common."""
    return _NOT_A_KEY_CHAR.sub("", name).casefold()


@dataclass(frozen=True)
class NameMap:
    preferred: Mapping[str, str] = field(default_factory=dict)  # name_key -> preferred name
    source: str = ""

    def __call__(self, display_name: str) -> str:
        """The preferred name for ``display_name``; the name itself when not mapped."""
        display_name = " ".join(display_name.split())
        return self.preferred.get(name_key(display_name), display_name)


def find_name_map_beside(folder: Path) -> Path | None:
    for name in NAME_MAP_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_name_map(path: Path) -> NameMap:
    """Read a YAML mapping of display name to preferred name; one clear line on errors."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: name map not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected a YAML name map)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InputError(f"{path}: malformed YAML{where} in the name map") from None
    if not isinstance(data, dict) or not data:
        raise InputError(
            f"{path}: not a name map (expected lines like 'Display Name: Preferred Name')"
        )
    preferred = {}
    for display, wanted in data.items():
        if isinstance(wanted, bool) or not isinstance(wanted, str | int) or not str(wanted).strip():
            raise InputError(f"{path}: '{display}' maps to {wanted!r}; expected a name or a role")
        if not name_key(str(display)):
            raise InputError(f"{path}: '{display}' is not a display name")
        preferred[name_key(str(display))] = " ".join(str(wanted).split())
    return NameMap(preferred, str(path))
