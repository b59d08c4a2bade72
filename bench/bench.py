"""Benchmark: this pipeline end to end against bare faster-whisper, in one run.

    make bench [REC=recording.m4a REF=reference.txt]

Runs, one after the other on the same recording: bare faster-whisper (a minimal
script: load the model, transcribe with the pipeline's options, nothing else),
then ``make summarize`` cold (empty transcript cache) and warm (second run).
Each run is a separate process, timed from start to exit, its peak memory (RSS)
read from the kernel. Word error rate is computed against the reference text
when there is one. Prints a table and writes it to docs/BENCHMARKS.md with the
machine's description.

Without REC it speaks a 17-minute meeting from the shared bench transcripts
(AMI ES2006a) with ../shared/bench/synth_meeting.py, once, into bench/recordings/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import jiwer

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
DEFAULT_MEETING = "ES2006a"
RECORDINGS = ROOT / "bench" / "recordings"
REPORT = ROOT / "docs" / "BENCHMARKS.md"

NORMALIZE = jiwer.Compose(
    [jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(), jiwer.Strip()]
)

# The bare run: nothing but faster-whisper, with the options the pipeline uses.
BARE_FASTER_WHISPER = """
import json, sys, time
from faster_whisper import WhisperModel
model_path, recording, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
start = time.perf_counter()
model = WhisperModel(model_path, device="cpu", compute_type=options["compute_type"],
                     cpu_threads=options["cpu_threads"])
segments, info = model.transcribe(
    recording, language=options["language"], beam_size=options["beam_size"],
    vad_filter=options["vad_filter"], word_timestamps=options["word_timestamps"],
    condition_on_previous_text=options["condition_on_previous_text"])
text = " ".join(s.text.strip() for s in segments)
print(json.dumps({"text": text, "seconds": time.perf_counter() - start}))
"""


@dataclass
class Measured:
    name: str
    wall_s: float
    peak_rss_mb: float
    wer: float | None = None
    note: str = ""


def run_measured(name: str, command: list[str]) -> tuple[Measured, str]:
    """Run ``command``; wall time, peak RSS of it and its descendants, and its stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, text=True)
        # wait4 gives this child's own rusage: its maxrss covers the descendants it waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: {name} failed:\n{err.read()[-2000:]}")
        return Measured(name, wall, usage.ru_maxrss / 1024), out.read()


def make_default_recording() -> tuple[Path, str]:
    recording = RECORDINGS / f"{DEFAULT_MEETING}.m4a"
    timing = RECORDINGS / f"{DEFAULT_MEETING}.timing.json"
    if not recording.exists():
        synth = SHARED_BENCH / "synth_meeting.py"
        meeting = SHARED_BENCH / "meetings" / "val" / f"{DEFAULT_MEETING}.json"
        print(f"Speaking {meeting.name} into {recording} (once; needs espeak-ng) ...")
        RECORDINGS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(synth), str(meeting), str(recording.with_suffix(""))], check=True
        )
    turns = json.loads(timing.read_text())["turns"]
    return recording, " ".join(t["text"] for t in turns)


def wer(reference: str | None, hypothesis: str) -> float | None:
    if not reference:
        return None
    return jiwer.wer(NORMALIZE(reference), NORMALIZE(hypothesis))


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{pkg} {metadata.version(pkg)}"
        for pkg in ("faster-whisper", "ctranslate2", "openai-whisper", "torch", "numpy")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {versions}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recording", type=Path)
    parser.add_argument("--reference", type=Path, help="reference text for the word error rate")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.models import resolve_ct2_model
    from pipeline.transcribe import TranscribeOptions

    if args.recording:
        recording = args.recording.resolve()
        reference = args.reference.read_text() if args.reference else None
    else:
        recording, reference = make_default_recording()

    options = TranscribeOptions(model=args.model)
    bare_options = {
        **options.decoding_settings(),
        "cpu_threads": options.threads(),
    }
    model_path = resolve_ct2_model(args.model, ROOT / "models").location
    from pipeline.ingest import load_recording

    duration_s = load_recording(recording).recording.duration_s

    results: list[Measured] = []
    bare, out = run_measured(
        "bare faster-whisper",
        [sys.executable, "-c", BARE_FASTER_WHISPER, model_path, str(recording),
         json.dumps(bare_options)],
    )  # fmt: skip
    bare_result = json.loads(out)
    bare.wer = wer(reference, bare_result["text"])
    bare.note = f"transcription alone {bare_result['seconds']:.1f} s"
    results.append(bare)

    with tempfile.TemporaryDirectory() as tmp:
        make_args = [
            "make", "--no-print-directory", "summarize", f"REC={recording}",
            f"MODEL={args.model}", f"OUT={tmp}/outputs", f"CACHE={tmp}/cache",
            "TITLE=bench", "DATE=2000-01-01",
        ]  # fmt: skip
        for name in ("make summarize, cold cache", "make summarize, warm cache"):
            measured, _ = run_measured(name, make_args)
            sidecar = json.loads((Path(tmp) / "outputs" / "2000-01-01-bench.json").read_text())
            text = " ".join(s["text"] for s in sidecar["transcript"]["segments"])
            measured.wer = wer(reference, text)
            results.append(measured)

    lines = [
        f"Recording: `{recording.name}`, {duration_s / 60:.1f} min; model {args.model}, "
        f"int8, beam {options.beam_size}, VAD, word timestamps, "
        f"condition_on_previous_text={options.condition_on_previous_text}.",
        "",
        "| run | wall time (s) | ratio to bare faster-whisper | x real time | peak RSS (MB) "
        "| WER | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in results:
        lines.append(
            f"| {m.name} | {m.wall_s:.1f} | {m.wall_s / bare.wall_s:.2f} | "
            f"{m.wall_s / duration_s:.3f} | {m.peak_rss_mb:.0f} | "
            f"{'' if m.wer is None else f'{m.wer:.1%}'} | {m.note} |"
        )
    table = "\n".join(lines)
    print(table)

    machine = machine_description()
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    # make bench-text's section (between its markers) is kept
    kept = ""
    if args.report.exists() and "<!-- bench-text -->" in args.report.read_text():
        kept = "\n<!-- bench-text -->" + args.report.read_text().split("<!-- bench-text -->", 1)[1]
    args.report.write_text(
        "# Benchmarks\n\n"
        "Made by `make bench` (bench/bench.py): every run is a separate process on the same "
        "recording, timed from start to exit, one after the other in one invocation; ratios "
        "are what to compare, since this machine is shared and noisy. Peak RSS is the "
        "largest resident set of the run's processes.\n\n"
        f"## Latest run ({stamp})\n\nMachine: {machine}\n\n{table}\n{kept}"
    )
    print(f"\nWrote {args.report}")


if __name__ == "__main__":
    main()
