"""Publishing reviewed summaries into the archive, and searching it, as the organizer does:
the real command line, real spaCy and MiniLM models."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import DATA, ROOT, SAMPLES, respect_permissions
from test_cli import assert_clean_failure

from pipeline import publish

SUMMARIES = DATA / "summaries"
SEPTEMBER = SUMMARIES / "2026-09-17-platform-and-people.md"
NOVEMBER = SUMMARIES / "2026-11-12-metrics-and-on-call.md"


def pipeline_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **kwargs.pop("env", {})}
    return subprocess.run(
        pipeline_command(*args),
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, **kwargs,
    )  # fmt: skip


def publish_summary(summary: Path, archive: Path, *extra: str, **kwargs):
    return run("publish", str(summary), "--archive", str(archive), *extra, **kwargs)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under ``folder`` with its bytes: "unchanged" means equal."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>")
        for p in sorted(folder.rglob("*"))
    }


def catalog(archive: Path) -> dict:
    return json.loads((archive / "catalog.json").read_text(encoding="utf-8"))


def as_draft(summary: Path, folder: Path) -> Path:
    draft = folder / summary.name
    draft.write_text(
        summary.read_text(encoding="utf-8").replace("status: reviewed", "status: draft"),
        encoding="utf-8",
    )
    return draft


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def test_a_draft_is_refused_and_nothing_is_written(tmp_path: Path, archive: Path) -> None:
    draft = as_draft(SEPTEMBER, tmp_path)
    result = publish_summary(draft, archive)
    assert_clean_failure(result, 7, str(draft), "status is still 'draft'", "status: reviewed")
    assert not archive.exists()

    forced = publish_summary(draft, archive, "--force")
    assert forced.returncode == 0, forced.stderr
    assert catalog(archive)["meetings"][0]["id"] == "2026-09-17-platform-and-people"


def test_a_reviewed_summary_is_published(archive: Path) -> None:
    result = publish_summary(SEPTEMBER, archive)
    assert result.returncode == 0, result.stderr
    assert "Added" in result.stdout

    page = archive / "meetings" / "2026-09-17-platform-and-people.md"
    text = page.read_text(encoding="utf-8")
    # Front matter that Jekyll, Hugo and MkDocs read: a YAML block first.
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "Engineering leaders Lean Coffee, September 2026"
    assert front["status"] == "reviewed" and str(front["date"]) == "2026-09-17"
    # What was only for the reviewer stays out of the public archive.
    assert "Review checklist" not in text and "Draft made from" not in text
    assert "We stopped estimating story points" in text

    meeting = catalog(archive)["meetings"][0]
    topics = {t["title"]: t for t in meeting["topics"]}
    assert list(topics) == [
        "Measuring developer productivity", "Remote onboarding", "A budget for tech debt",
    ]  # fmt: skip
    productivity = topics["Measuring developer productivity"]
    assert productivity["keyphrases"][:2] == ["engineering metrics", "story points"]
    assert len(productivity["takeaways"]) == 3
    assert productivity["action_items"] == [
        "Share the survey questions in the roundtable's repository."
    ]
    assert productivity["resources"] == ["Accelerate", "DX", "SPACE framework"]

    index = (archive / "index.md").read_text(encoding="utf-8")
    assert "[Engineering leaders Lean Coffee, September 2026](meetings/" in index
    assert "Remote onboarding" in index


def test_publishing_twice_keeps_one_entry_with_the_latest_text(
    tmp_path: Path, archive: Path
) -> None:
    assert publish_summary(SEPTEMBER, archive).returncode == 0
    edited = tmp_path / SEPTEMBER.name
    edited.write_text(
        SEPTEMBER.read_text(encoding="utf-8").replace(
            "in half.", "in half, from eight weeks to four."
        ),
        encoding="utf-8",
    )
    again = publish_summary(edited, archive)
    assert again.returncode == 0, again.stderr
    assert "Replaced" in again.stdout

    meetings = catalog(archive)["meetings"]
    assert [m["id"] for m in meetings] == ["2026-09-17-platform-and-people"]
    takeaways = [t for topic in meetings[0]["topics"] for t in topic["takeaways"]]
    assert any("from eight weeks to four" in t for t in takeaways)
    index = (archive / "index.md").read_text(encoding="utf-8")
    assert index.count("meetings/2026-09-17-platform-and-people.md") == 1
    assert len(list((archive / "meetings").glob("*.md"))) == 1


def test_the_index_is_newest_first_and_topics_group_across_meetings(archive: Path) -> None:
    for summary in (SEPTEMBER, NOVEMBER):
        assert publish_summary(summary, archive).returncode == 0
    index = (archive / "index.md").read_text(encoding="utf-8")
    assert index.index("November 2026") < index.index("September 2026")

    topics_page = (archive / "topics.md").read_text(encoding="utf-8")
    # "engineering metrics" (September) and "engineering metric" (November): one line.
    lines = [line for line in topics_page.splitlines() if "engineering metric" in line.lower()]
    grouped = [line for line in lines if "2026-09-17" in line and "2026-11-12" in line]
    assert len(grouped) == 1, lines


def test_two_concurrent_publishes_both_land(archive: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    processes = [
        subprocess.Popen(
            pipeline_command("publish", str(summary), "--archive", str(archive)),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for summary in (SEPTEMBER, NOVEMBER)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    ids = {m["id"] for m in catalog(archive)["meetings"]}
    assert ids == {"2026-09-17-platform-and-people", "2026-11-12-metrics-and-on-call"}
    index = (archive / "index.md").read_text(encoding="utf-8")
    assert "September 2026" in index and "November 2026" in index
    assert not list(archive.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("no-front-matter.md", "# Notes\n\n## Topics\n\n### One\n", "no front matter"),
        (
            "bad-yaml.md",
            "---\ntitle: [unclosed\ndate: 2026-11-12\nstatus: reviewed\n---\n## Topics\n",
            "not valid YAML at line",
        ),
        ("no-status.md", "---\ntitle: T\ndate: 2026-11-12\n---\n## Topics\n", "no 'status'"),
        (
            "bad-date.md",
            "---\ntitle: T\ndate: next Tuesday\nstatus: reviewed\n---\n## Topics\n### A\n",
            "'next Tuesday' is not a date",
        ),
        (
            "no-topics.md",
            "---\ntitle: T\ndate: 2026-11-12\nstatus: reviewed\n---\n# T\n\nSome text.\n",
            "needs a '## Topics' section",
        ),
    ],
)
def test_a_malformed_summary_leaves_the_archive_unchanged(
    tmp_path: Path, archive: Path, name: str, text: str, message: str
) -> None:
    assert publish_summary(SEPTEMBER, archive).returncode == 0
    before = snapshot(archive)
    summary = tmp_path / name
    summary.write_text(text, encoding="utf-8")
    result = publish_summary(summary, archive)
    assert_clean_failure(result, 7, str(summary), message)
    assert snapshot(archive) == before


def test_a_missing_summary_is_named(tmp_path: Path, archive: Path) -> None:
    missing = tmp_path / "nowhere.md"
    assert_clean_failure(publish_summary(missing, archive), 7, str(missing), "no such file")


def test_a_full_disk_leaves_the_archive_unchanged(archive: Path) -> None:
    assert publish_summary(SEPTEMBER, archive).returncode == 0
    before = snapshot(archive)

    def small_files_only() -> None:  # writes past 2 kB fail like a full disk (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    result = publish_summary(NOVEMBER, archive, preexec_fn=small_files_only)
    assert_clean_failure(result, 6, str(archive), "nothing was changed")
    assert snapshot(archive) == before


def test_a_read_only_archive_is_left_unchanged(tmp_path: Path, archive: Path) -> None:
    assert publish_summary(SEPTEMBER, archive).returncode == 0
    folders = [archive, *(p for p in archive.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    before = snapshot(archive)
    try:
        result = publish_summary(NOVEMBER, archive, preexec_fn=respect_permissions)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert_clean_failure(result, 6, str(archive), "cannot write to the archive")
    assert snapshot(archive) == before


def test_a_pipeline_summary_round_trips_into_the_archive(tmp_path: Path, archive: Path) -> None:
    """What `make summarize` writes is what `make publish` reads: same topics, same text."""
    outputs = tmp_path / "outputs"
    made = run(
        "summarize", str(SAMPLES / "demo-meeting.json"), "--outputs", str(outputs),
        "--cache", str(tmp_path / "cache"), "--no-progress",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    markdown = next(outputs.glob("*.md"))
    sidecar = json.loads(markdown.with_suffix(".json").read_text(encoding="utf-8"))
    reviewed = markdown.read_text(encoding="utf-8").replace("status: draft", "status: reviewed")
    markdown.write_text(reviewed, encoding="utf-8")

    result = publish_summary(markdown, archive)
    assert result.returncode == 0, result.stderr
    published = catalog(archive)["meetings"][0]
    assert published["id"] == sidecar["slug"]
    expected = [
        (s["title"], s["keyphrases"], s["takeaways"])
        for s in sidecar["segments"]
        if s["kind"] == "topic"
    ]
    # The round of takeaways that ends the meeting is what the archive collects most.
    (closing,) = [s for s in sidecar["segments"] if s["kind"] == "closing"]
    assert closing["takeaways"] == [
        "A mentor and a real first project for every new hire.",
        "Every alert that wakes someone up needs a ticket and a fix.",
        "Report metrics for the whole team, never for one person, and never compare teams.",
    ]
    expected.append(("Closing round", [], closing["takeaways"]))
    assert [(t["title"], t["keyphrases"], t["takeaways"]) for t in published["topics"]] == expected


def test_parse_topics_reads_labels_the_reviewer_reformatted() -> None:
    body = (
        "## Topics\n\n### 2) Hiring\n\n**Key phrases**: interview loop; take-home\n\n"
        "**Takeaways:** Pay candidates for take-home work.\n\n- Keep the loop under a week.\n"
    )
    (topic,) = publish.parse_topics(body)
    assert topic.title == "Hiring"
    assert topic.keyphrases == ("interview loop", "take-home")
    assert topic.takeaways == ("Pay candidates for take-home work.", "Keep the loop under a week.")


@pytest.fixture(scope="module")
def searchable_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("searchable") / "archive"
    for summary in (SEPTEMBER, NOVEMBER):
        assert publish_summary(summary, archive).returncode == 0
    return archive


def search(archive: Path, query: str, *extra: str) -> subprocess.CompletedProcess:
    return run("search", query, "--archive", str(archive), "--cache", str(archive.parent), *extra)


@pytest.mark.parametrize(
    ("paraphrase", "takeaway"),
    [
        (
            "dropping story point estimates in favour of measuring how long work takes",
            "We stopped estimating story points and now track cycle time per team instead.",
        ),
        (
            "give engineers a day off after a tough on-call week",
            "Give people the next day off after a hard week on call.",
        ),
        (
            "how should we interview senior technical candidates",
            "A written design exercise shows a staff candidate's judgement better than a "
            "whiteboard interview.",
        ),
    ],
)
def test_search_finds_a_takeaway_by_a_paraphrase(
    searchable_archive: Path, paraphrase: str, takeaway: str
) -> None:
    result = search(searchable_archive, paraphrase)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"1. {takeaway}"
    assert "Engineering leaders Lean Coffee" in lines[1] and "2026-" in lines[1]


def test_search_finds_a_name_by_its_word(searchable_archive: Path) -> None:
    result = search(searchable_archive, "DORA", "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. We switched to the four key metrics from DORA")
    assert "2026-11-12 · Engineering metrics that nobody can cheat" in result.stdout


def test_search_of_an_empty_archive_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "archive"
    assert_clean_failure(search(empty, "metrics"), 8, str(empty), "no published meetings")


def test_the_timeline_picture_travels_with_the_meeting(tmp_path: Path, archive: Path) -> None:
    picture = '<svg xmlns="http://www.w3.org/2000/svg"><title>minutes</title></svg>\n'
    (tmp_path / "2026-11-12-metrics-and-on-call.timeline.svg").write_text(picture)
    summary = tmp_path / NOVEMBER.name
    summary.write_text(
        NOVEMBER.read_text(encoding="utf-8").replace(
            "## Topics", "![Minutes per card](2026-11-12-metrics-and-on-call.timeline.svg)\n\n"
            "## Topics",
        ),
        encoding="utf-8",
    )  # fmt: skip
    assert publish_summary(summary, archive).returncode == 0
    meetings = archive / "meetings"
    assert (meetings / "2026-11-12-metrics-and-on-call.timeline.svg").read_text() == picture
    page = (meetings / "2026-11-12-metrics-and-on-call.md").read_text(encoding="utf-8")
    assert "![Minutes per card](2026-11-12-metrics-and-on-call.timeline.svg)" in page

    (tmp_path / "2026-11-12-metrics-and-on-call.timeline.svg").unlink()
    before = snapshot(archive)
    result = publish_summary(summary, archive)
    assert_clean_failure(result, 7, "timeline.svg", "not beside it")
    assert snapshot(archive) == before
