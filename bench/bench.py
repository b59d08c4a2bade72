"""Benchmark: this pipeline end to end against bare Whisper, in one run.

    make bench [REC=recording.m4a REF=reference.txt] [IDEAS=1]

Runs, one after the other on the same recording: bare faster-whisper (a minimal
script: load the model, transcribe sequentially with the pipeline's options, nothing
else), then ``make summarize`` cold (empty transcript cache) and warm (second run),
then bare openai-whisper on the same weights (its own ``transcribe`` on the whole
file) and ``make summarize ENGINE=openai-whisper`` cold. IDEAS=1 adds the pipeline
with sequential decoding (BATCH=1), to show what batching wins.
Each run is a separate process, timed from start to exit, its peak memory (RSS)
read from the kernel. Word error rate is computed against the reference text
when there is one. Prints a table (times, ratios to bare faster-whisper, per-stage
times) and writes it to docs/BENCHMARKS.md with the machine's description.

Without REC it speaks a 17-minute meeting from the shared bench transcripts
(AMI ES2006a) with ../shared/bench/synth_meeting.py, once, into bench/recordings/.

    make bench-tracks [REC=recording.m4a TIMING=recording.timing.json]

``--tracks``: Zoom per-participant tracks against the mixed recording. Cuts one
track per speaker from a recording with known timing (bench/zoom_tracks.py; by
default the demo meeting), then runs the pipeline cold on the mixed recording and
on the Zoom folder of tracks, alternately, ``--rounds`` times, and compares the
transcription stages (decode, model load, transcribe, from the sidecar) and the
whole run. Appends the table to docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
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


# The bare openai-whisper run: its own transcribe() on the whole file, same weights and options.
BARE_OPENAI_WHISPER = """
import json, os, sys, tempfile, time
import imageio_ffmpeg
# whisper.load_audio runs `ffmpeg` from PATH; this machine has only imageio-ffmpeg's copy.
tools = tempfile.mkdtemp()
os.symlink(imageio_ffmpeg.get_ffmpeg_exe(), os.path.join(tools, "ffmpeg"))
os.environ["PATH"] = tools + os.pathsep + os.environ["PATH"]
import torch, whisper
checkpoint, recording, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
start = time.perf_counter()
torch.set_num_threads(options["cpu_threads"])
model = whisper.load_model(checkpoint, device="cpu")
result = whisper.transcribe(
    model, recording, language=options["language"], beam_size=options["beam_size"],
    best_of=5, fp16=False, word_timestamps=options["word_timestamps"],
    condition_on_previous_text=options["condition_on_previous_text"], verbose=None)
print(json.dumps({"text": result["text"], "seconds": time.perf_counter() - start}))
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
        print(f"  {name}: {wall:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB", flush=True)
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


TRACKS_SECTION = "## Per-participant tracks"
TRANSCRIPTION_STAGES = ("decode", "load model", "transcribe")


def _pipeline_run(name: str, recording: Path, tmp: Path, model: str) -> tuple[Measured, dict]:
    """One cold pipeline run (its own empty cache) and its sidecar."""
    out, cache = tmp / f"out-{name}", tmp / f"cache-{name}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    command = [
        sys.executable, "-m", "pipeline", "summarize", str(recording), "--model", model,
        "--outputs", str(out), "--cache", str(cache), "--title", "bench",
        "--date", "2000-01-01", "--no-progress", "--force",
    ]  # fmt: skip
    measured, _ = run_measured(name, command)
    return measured, json.loads((out / "2000-01-01-bench.json").read_text())


def bench_tracks(args: argparse.Namespace) -> None:
    """Per-participant tracks against the mixed recording (see the module docstring)."""
    from zoom_tracks import make_tracks

    recording = (args.recording or ROOT / "samples" / "demo-meeting.m4a").resolve()
    timing = (args.timing or recording.with_suffix(".timing.json")).resolve()
    turns = json.loads(timing.read_text())["turns"]
    reference = " ".join(t["text"] for t in turns)
    rows: dict[str, list[tuple[float, float, float | None]]] = {"mixed": [], "tracks": []}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "zoom"
        tracks = make_tracks(recording, timing, folder)
        inputs = {"mixed": recording, "tracks": folder}
        for round_ in range(args.rounds):
            # Alternate the order so a slow spell on the shared machine hits both.
            order = ("mixed", "tracks") if round_ % 2 == 0 else ("tracks", "mixed")
            for name in order:
                measured, sidecar = _pipeline_run(name, inputs[name], tmp, args.model)
                stages = sum(sidecar["stage_seconds"].get(s, 0.0) for s in TRANSCRIPTION_STAGES)
                text = " ".join(s["text"] for s in sidecar["transcript"]["segments"])
                rows[name].append((stages, measured.wall_s, wer(reference, text)))
                print(f"round {round_ + 1}, {name}: transcription {stages:.1f} s, "
                      f"whole run {measured.wall_s:.1f} s")  # fmt: skip

    best = {name: (min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2])
            for name, runs in rows.items()}  # fmt: skip
    duration_s = turns[-1]["end"]
    lines = [
        f"Recording: `{recording.name}`, {duration_s / 60:.1f} min, {len(tracks)} speakers; "
        f"tracks cut from it with bench/zoom_tracks.py (each the whole meeting long, one "
        f"speaker's turns, silence elsewhere). Model {args.model}; cold cache; best of "
        f"{args.rounds} alternating runs each.",
        "",
        "| input | transcription (decode + model load + transcribe, s) | ratio | "
        "whole run (s) | ratio | WER |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, label in (("mixed", "mixed recording"), ("tracks", f"{len(tracks)} tracks")):
        stages, wall, error = best[name]
        lines.append(
            f"| {label} | {stages:.1f} | {stages / best['mixed'][0]:.2f} | {wall:.1f} | "
            f"{wall / best['mixed'][1]:.2f} | {'' if error is None else f'{error:.1%}'} |"
        )
    table = "\n".join(lines)
    print(table)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    report = args.report.read_text() if args.report.exists() else "# Benchmarks\n"
    args.report.write_text(
        report.rstrip("\n") + f"\n\n{TRACKS_SECTION} ({stamp})\n\nMade by `make bench-tracks` "
        f"(`bench/bench.py --tracks`). Machine: {machine_description()}\n\n{table}\n"
    )
    print(f"\nAppended to {args.report}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recording", type=Path)
    parser.add_argument("--reference", type=Path, help="reference text for the word error rate")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument(
        "--ideas", action="store_true", help="also run the pipeline with sequential decoding"
    )
    parser.add_argument("--skip-openai", action="store_true", help="no openai-whisper runs")
    parser.add_argument(
        "--tracks", action="store_true", help="per-participant tracks against the mixed recording"
    )
    parser.add_argument("--timing", type=Path, help="--tracks: who speaks when (timing JSON)")
    parser.add_argument("--rounds", type=int, default=2, help="--tracks: runs of each input")
    args = parser.parse_args()
    if args.tracks:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        bench_tracks(args)
        return

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.models import resolve_ct2_model, resolve_openai_model
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
    stages: dict[str, dict[str, float]] = {}
    bare, out = run_measured(
        "bare faster-whisper",
        [sys.executable, "-c", BARE_FASTER_WHISPER, model_path, str(recording),
         json.dumps(bare_options)],
    )  # fmt: skip
    bare_result = json.loads(out)
    bare.wer = wer(reference, bare_result["text"])
    bare.note = f"sequential, transcription alone {bare_result['seconds']:.1f} s"
    results.append(bare)

    def summarize_runs(runs: list[tuple[str, list[str]]]) -> None:
        """``make summarize`` runs in order, sharing one output folder and cache."""
        with tempfile.TemporaryDirectory() as tmp:
            for name, extra in runs:
                make_args = [
                    "make", "--no-print-directory", "summarize", f"REC={recording}",
                    f"MODEL={args.model}", f"OUT={tmp}/outputs", f"CACHE={tmp}/cache",
                    "TITLE=bench", "DATE=2000-01-01", "FORCE=1", *extra,
                ]  # fmt: skip
                measured, _ = run_measured(name, make_args)
                sidecar = json.loads((Path(tmp) / "outputs" / "2000-01-01-bench.json").read_text())
                text = " ".join(s["text"] for s in sidecar["transcript"]["segments"])
                measured.wer = wer(reference, text)
                stages[name] = sidecar["stage_seconds"]
                results.append(measured)

    summarize_runs([("make summarize, cold cache", []), ("make summarize, warm cache", [])])
    if args.ideas:
        summarize_runs([("make summarize BATCH=1 (sequential), cold", ["BATCH=1"])])
    if not args.skip_openai:
        checkpoint = resolve_openai_model(args.model, ROOT / "models").location
        bare_openai, out = run_measured(
            "bare openai-whisper",
            [sys.executable, "-c", BARE_OPENAI_WHISPER, checkpoint, str(recording),
             json.dumps(bare_options)],
        )  # fmt: skip
        openai_result = json.loads(out)
        bare_openai.wer = wer(reference, openai_result["text"])
        bare_openai.note = f"whole file, transcription alone {openai_result['seconds']:.1f} s"
        results.append(bare_openai)
        summarize_runs([("make summarize ENGINE=openai-whisper, cold", ["ENGINE=openai-whisper"])])
        results[-1].note = f"{results[-1].wall_s / bare_openai.wall_s:.2f}x bare openai-whisper"

    lines = [
        f"Recording: `{recording.name}`, {duration_s / 60:.1f} min; model {args.model}, "
        f"int8 (openai-whisper: float32), beam {options.beam_size}, VAD, word timestamps, "
        f"pipeline batch size {options.batch_size}, "
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
    stage_names = list(dict.fromkeys(name for times in stages.values() for name in times))
    lines += [
        "",
        "Stage times of the pipeline runs (s, from each run's sidecar `stage_seconds`):",
        "",
        "| run | " + " | ".join(stage_names) + " |",
        "|---|" + "---:|" * len(stage_names),
    ]
    for name, times in stages.items():
        cells = " | ".join(f"{times[n]:.1f}" if n in times else "" for n in stage_names)
        lines.append(f"| {name} | {cells} |")
    table = "\n".join(lines)
    print(table)

    machine = machine_description()
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    # The sections of make bench-memory, bench-tracks and bench-text are kept below this run's.
    earlier = args.report.read_text() if args.report.exists() else ""
    markers = ("## Memory: long recordings", TRACKS_SECTION, "<!-- bench-text -->")
    starts = [earlier.index(m) for m in markers if m in earlier]
    kept = earlier[min(starts) :] if starts else ""
    args.report.write_text(
        "# Benchmarks\n\n"
        "Made by `make bench` (bench/bench.py): every run is a separate process on the same "
        "recording, timed from start to exit, one after the other in one invocation; ratios "
        "are what to compare, since this machine is shared and noisy. Peak RSS is the "
        "largest resident set of the run's processes.\n\n"
        f"## Latest run ({stamp})\n\nMachine: {machine}\n\n{table}\n"
        + (f"\n{kept}" if kept else "")
    )
    print(f"\nWrote {args.report}")


if __name__ == "__main__":
    main()
