from pathlib import Path

import pytest

from pipeline.fileio import write_all_atomically


def test_writing_several_files_fails_whole_and_takes_back_the_folders_it_made(tmp_path: Path):
    kept = tmp_path / "summary.md"
    kept.write_text("the earlier summary", encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder would go", encoding="utf-8")
    files = {
        kept: "a new summary",
        tmp_path / "meetings" / "2026" / "new.md": "a new page",
        blocker / "index.md": "cannot be written",
    }
    with pytest.raises(NotADirectoryError):
        write_all_atomically(files)
    assert kept.read_text(encoding="utf-8") == "the earlier summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder", "summary.md"]


def test_writing_several_files_writes_them_all(tmp_path: Path):
    files = {tmp_path / "a.md": "A", tmp_path / "deep" / "b.json": "{}"}
    write_all_atomically(files)
    assert {p: p.read_text(encoding="utf-8") for p in files} == files
    assert not list(tmp_path.rglob("*.tmp"))
