"""Safe file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO]:
    """A temporary file beside ``path``, renamed into place only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    with atomic_open(path) as f:
        f.write(text)


def write_all_atomically(files: dict[Path, str]) -> None:
    """Write every file in full to a temporary name first, then rename them all into place.

    A failure while writing (disk full, no permission) leaves every earlier file as it
    was, never a new sidecar beside an old markdown, and takes back the folders it made;
    the renames need no space. Files are renamed in the order given.
    """
    temporary: list[tuple[Path, Path]] = []
    created: list[Path] = []
    try:
        for path, text in files.items():
            for folder in reversed([path.parent, *path.parent.parents]):
                if not folder.exists():
                    with contextlib.suppress(FileExistsError):  # made meanwhile by another run
                        folder.mkdir()
                        created.append(folder)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temporary.append((Path(tmp_name), path))
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        for tmp, path in temporary:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temporary:
            tmp.unlink(missing_ok=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):  # not empty: a file was renamed into it
                folder.rmdir()
        raise


def check_writable(folder: Path) -> OSError | None:
    """Make ``folder`` if needed and try a file in it; the error, or None if writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return exc
    return None
