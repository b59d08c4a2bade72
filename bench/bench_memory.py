"""Memory benchmark: peak RSS of ``python -m pipeline summarize`` on a 20-minute and a
3-hour recording, to show that long meetings are decoded and transcribed as a stream.

    make bench-memory [HOURS="0.33 3"]

The recordings are made on demand (gitignored, in bench/recordings/) by looping the
committed demo meeting with the imageio-ffmpeg binary, stream-copied (no re-encoding).
Each run is a separate process with an empty transcript cache; its peak resident set
(of the run and the ffmpeg decoder it waits for) is read from the kernel when it exits.
Writes the table to the "Memory" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "samples" / "demo-meeting.m4a"
RECORDINGS = ROOT / "bench" / "recordings"
REPORT = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Memory: long recordings"
ALLOWED_GROWTH = 1.5  # peak RSS on 3 h may be at most this times that on 20 min


def looped_recording(hours: float) -> Path:
    """The demo meeting looped to ``hours`` long, made once."""
    seconds = round(hours * 3600)
    target = RECORDINGS / f"demo-looped-{seconds}s.m4a"
    if not target.exists():
        RECORDINGS.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial.m4a")
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-stream_loop",
                "-1",
                "-i",
                str(DEMO),
                "-t",
                str(seconds),
                "-map",
                "0:a:0",
                "-c",
                "copy",
                str(partial),
            ],  # fmt: skip
            check=True,
        )
        partial.replace(target)
    return target


def measure(recording: Path, workdir: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and the stage-timings line of one cold run."""
    command = [
        sys.executable, "-m", "pipeline", "summarize", str(recording),
        "--outputs", str(workdir / "outputs"), "--cache", str(workdir / "cache"),
        "--date", "2026-11-12", "--no-progress",
    ]  # fmt: skip
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        # wait4 gives the child's own rusage; ru_maxrss is in KiB on Linux.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{recording.name}: the run failed:\n{stderr[-2000:]}")
    timings = next((ln for ln in stderr.splitlines() if ln.startswith("Stage timings")), "")
    return wall, usage.ru_maxrss / 1024, timings


def write_report(rows: list[tuple[str, float, float, float, str]]) -> str:
    baseline = rows[0][3]
    lines = [
        SECTION,
        "",
        f"Made by `make bench-memory` (bench/bench_memory.py) on "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work, so wall times are noisy. "
        "The demo meeting looped to each length; default settings (tiny.en, "
        "15-minute chunks); cold transcript cache; one process per run.",
        "",
        "| recording | length | wall time (s) | peak RSS (MB) | ratio to the first |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, hours, wall, rss, _ in rows:
        lines.append(f"| `{name}` | {hours * 60:.0f} min | {wall:.0f} | {rss:.0f} | "
                     f"{rss / baseline:.2f} |")  # fmt: skip
    lines += ["", "Stage timings:", ""]
    lines += [f"- `{name}`: {timings}" for name, _, _, _, timings in rows]
    worst = max(rss for *_, rss, _ in rows) / baseline
    verdict = "within" if worst <= ALLOWED_GROWTH else "OVER"
    lines += ["", f"Largest ratio {worst:.2f}: {verdict} the {ALLOWED_GROWTH}x bound.", ""]
    section = "\n".join(lines)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    text = re.sub(rf"\n{re.escape(SECTION)}\n.*?(?=\n## |\Z)", "", text, flags=re.S)
    REPORT.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--hours", type=float, nargs="+", default=[1 / 3, 3.0], help="lengths to measure"
    )
    args = parser.parse_args()
    rows = []
    for hours in args.hours:
        recording = looped_recording(hours)
        with tempfile.TemporaryDirectory() as workdir:
            wall, rss, timings = measure(recording, Path(workdir))
        print(f"{recording.name}: {wall:.0f} s, peak RSS {rss:.0f} MB", flush=True)
        rows.append((recording.name, hours, wall, rss, timings))
    print(write_report(rows))


if __name__ == "__main__":
    main()
