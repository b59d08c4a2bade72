"""How long segmentation and extraction take on long meetings (the text stages alone).

    make bench-text [RUNS=3]

Loads MiniLM, spaCy and KeyBERT once, warms them up, then times
``segment.segment_transcript`` and ``extract.extract_notes`` (key phrases, takeaways,
action items, resources, overview) on two bench meetings with their ordered agenda:
the val meeting nearest 10,000 words and the longest one. Each is timed RUNS times
(with the extractor's per-call embedding cache starting empty each time); the table
shows the median and the fastest. The target: a 10,000-word meeting's key phrases
and takeaways in at most 15 s on this 2-core machine.

The table goes into docs/BENCHMARKS.md, in its own section (between the
``bench-text`` markers), so ``make bench``'s section is kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED_BENCH = ROOT.parent / "shared" / "bench"
REPORT = ROOT / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- bench-text -->", "<!-- /bench-text -->"
TARGET_WORDS = 10_000
TARGET_SECONDS = 15.0


def pick_meetings(folder: Path) -> list[tuple[Path, int]]:
    """The meeting nearest TARGET_WORDS words and the longest, with their word counts."""
    sizes = []
    for path in sorted(folder.glob("*.json")):
        turns = json.loads(path.read_text())["turns"]
        sizes.append((path, sum(len(t["text"].split()) for t in turns)))
    nearest = min(sizes, key=lambda p: abs(p[1] - TARGET_WORDS))
    longest = max(sizes, key=lambda p: p[1])
    return [nearest] if nearest == longest else [nearest, longest]


def write_section(report: Path, section: str) -> None:
    """Put ``section`` between the markers in ``report``, replacing an older one."""
    text = report.read_text() if report.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED_BENCH / "meetings" / "val")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from pipeline import extract, models, segment
    from pipeline.models import sentence_embedder
    from pipeline.transcript_json import load_transcript_json

    start = time.perf_counter()
    embed = sentence_embedder()
    nlp, keybert = models.load_spacy(), models.load_keybert()
    nlp("Warm up the parser.")
    embed(["Warm up the embedder."])
    load_s = time.perf_counter() - start
    print(f"models loaded in {load_s:.1f} s", flush=True)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, str(SHARED_BENCH / "variants.py"), str(args.data), tmp],
            check=True, capture_output=True,
        )  # fmt: skip
        for source, words in pick_meetings(args.data):
            given = load_transcript_json(Path(tmp) / "ordered" / source.name)
            units = given.transcript.segments
            seg_times, ext_times, ext_cpu = [], [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                topics = segment.segment_transcript(units, given.agenda, embed)
                t1, c1 = time.perf_counter(), time.process_time()
                extract.extract_notes(units, topics, nlp, keybert)
                t2, c2 = time.perf_counter(), time.process_time()
                seg_times.append(t1 - t0)
                ext_times.append(t2 - t1)
                ext_cpu.append(c2 - c1)
            totals = [a + b for a, b in zip(seg_times, ext_times, strict=True)]
            row = (
                f"| {source.stem} | {words:,} | {len(units):,} | "
                f"{statistics.median(seg_times):.1f} ({min(seg_times):.1f}) | "
                f"{statistics.median(ext_times):.1f} ({min(ext_times):.1f}) | "
                f"{statistics.median(totals):.1f} ({min(totals):.1f}) | "
                f"{statistics.median(ext_cpu):.1f} |"
            )
            print(row, flush=True)
            rows.append(row)

    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    load = os.getloadavg()[0]
    section = "\n".join(
        [
            "## Text stages: segmentation and extraction",
            "",
            f"Made by `make bench-text` (bench/bench_text.py) on {stamp}: the bench val "
            "meeting nearest 10,000 words and the longest, with their ordered agenda, models "
            f"loaded once beforehand ({load_s:.1f} s). Seconds, median of {args.runs} runs "
            f"(fastest in brackets). Target: key phrases and takeaways of a 10,000-word "
            f"meeting in at most {TARGET_SECONDS:.0f} s. Machine: {machine}, Python "
            f"{platform.python_version()}; load average {load:.1f} when it ended (the "
            "machine is shared, so wall times are noisy; the extract stage's CPU time, all "
            "its threads together, is steadier under load).",
            "",
            "| meeting | words | turns | segment (s) | extract (s) | both (s) | extract CPU (s) |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    write_section(args.report, section)
    print(f"Wrote {args.report}")


if __name__ == "__main__":
    main()
