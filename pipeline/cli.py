"""The command line: parse arguments, call the runner, turn errors into one line.

    python -m pipeline summarize samples/demo-meeting.m4a --agenda samples/agenda.md

Exit codes: 0 success, 1 unexpected error, 2 bad option, 3 bad recording,
4 bad agenda, 5 model not found, 6 cannot write results, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.transcribe import ENGINES, TranscribeOptions

log = logging.getLogger("pipeline")
EXIT_INTERRUPTED = 130
EXIT_UNEXPECTED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leancoffee", description=__doc__.split("\n")[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    commands = parser.add_subparsers(dest="command", required=True)

    defaults = TranscribeOptions()
    run = commands.add_parser(
        "summarize",
        help="transcribe a recording and write a draft summary into outputs/",
        description="Example: python -m pipeline summarize meeting.m4a --agenda agenda.md",
    )
    run.add_argument(
        "recording",
        type=Path,
        help="the recording (.m4a, .mp4, .wav, ...), a Zoom recording folder, "
        "a Zoom transcript (.vtt) or a transcript .json",
    )
    run.add_argument("--agenda", type=Path, help="the board: a markdown list of cards")
    run.add_argument("--engine", default=defaults.engine, choices=sorted(ENGINES))
    run.add_argument(
        "--model", default=defaults.model, help="tiny.en, base, a model name or a local path"
    )
    run.add_argument("--language", default=None, help="e.g. en; default: detect")
    run.add_argument("--title", help="meeting title (default: from the file name)")
    run.add_argument("--date", help="meeting date, YYYY-MM-DD (default: from the path or file)")
    run.add_argument("--outputs", type=Path, default=Path("outputs"), help="where to write")
    run.add_argument("--cache", type=Path, default=Path(".cache"), help="transcript cache")
    run.add_argument("--models", type=Path, default=Path("models"), help="converted models")
    run.add_argument("--force", action="store_true", help="overwrite an edited draft")
    run.add_argument(
        "--attribute", action="store_true", help="keep participants' names (default: redact)"
    )
    run.add_argument("--timebox", type=float, default=8.0, help="minutes per card (default 8)")
    run.add_argument(
        "--batch-size",
        type=int,
        default=defaults.batch_size,
        help=f"faster-whisper: speech chunks decoded at once (default {defaults.batch_size}; "
        "1 = one after another)",
    )
    run.add_argument("--names", type=Path, help="YAML map of Zoom display names to names or roles")
    run.add_argument("--chat", type=Path, help="the Zoom chat (default: chat.txt beside)")
    run.add_argument(
        "--chat-start",
        default="0",
        help="the chat's clock time when the recording began, e.g. 10:00:00, for chat "
        "files that show the time of day (default: chat times count from the start)",
    )
    run.add_argument(
        "--chunk-minutes",
        type=float,
        default=defaults.chunk_s / 60,
        help="decode and transcribe in pieces of about this length, each cached as it "
        f"finishes (default {defaults.chunk_s / 60:.0f})",
    )
    run.add_argument(
        "--export",
        default="",
        help="also write the transcript beside the summary, any of txt,srt,vtt (for the "
        "organizer: they keep every name), chapters (the topics as WebVTT chapters), and "
        "actions (the action items with their owners' names)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")

    publish = commands.add_parser(
        "publish",
        help="add a reviewed summary to the archive",
        description="Example: python -m pipeline publish outputs/2026-11-12-x.md",
    )
    publish.add_argument("summary", type=Path, help="the reviewed summary (.md in outputs/)")
    publish.add_argument("--archive", type=Path, default=Path("archive"), help="archive folder")
    publish.add_argument("--force", action="store_true", help="publish even a draft")

    search = commands.add_parser(
        "search",
        help="find takeaways across the archive",
        description='Example: python -m pipeline search "how do you measure engineering teams"',
    )
    search.add_argument("query", help="words or a question")
    search.add_argument("--archive", type=Path, default=Path("archive"), help="archive folder")
    search.add_argument("--limit", type=int, default=5, help="how many takeaways (default 5)")
    search.add_argument("--cache", type=Path, default=Path(".cache"), help="embedding cache")
    return parser


def _configure_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO, format="%(message)s", stream=sys.stderr
    )
    if not debug:  # libraries' info logs are noise for the organizer
        for name in (
            "faster_whisper",
            "httpx",
            "huggingface_hub",
            "filelock",
            "sentence_transformers",
        ):
            logging.getLogger(name).setLevel(logging.WARNING)


def _summarize(args: argparse.Namespace) -> int:
    from pipeline.chat import parse_chat_start
    from pipeline.export import parse_formats
    from pipeline.llm import LLMSettings
    from pipeline.runner import RunSettings, summarize

    settings = RunSettings(
        recording=args.recording,
        agenda=args.agenda,
        title=args.title,
        date=args.date,
        transcribe=TranscribeOptions(
            engine=args.engine,
            model=args.model,
            language=args.language,
            batch_size=args.batch_size,
            chunk_s=args.chunk_minutes * 60,
        ),
        outputs_dir=args.outputs,
        cache_dir=args.cache,
        models_dir=args.models,
        force=args.force,
        attribute=args.attribute,
        timebox_minutes=args.timebox,
        names=args.names,
        chat=args.chat,
        chat_start_s=parse_chat_start(args.chat_start),
        exports=parse_formats(args.export),
        progress=not args.no_progress,
        llm=LLMSettings.from_env(),  # off unless LEANCOFFEE_LLM_BASE_URL is set
    )
    result = summarize(settings)
    print(f"Wrote {result.markdown_path} and {result.sidecar_path}")
    return 0


def _interrupt_on_sigterm() -> None:
    """A kill (SIGTERM) stops the run the way Ctrl-C does: temporary files removed,
    ffmpeg stopped, finished chunks kept for the next run."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _publish(args: argparse.Namespace) -> int:
    from pipeline import archive, models, publish
    from pipeline.render import PROMPTS_DIR

    meeting = publish.read_summary(args.summary, force=args.force)
    normalize = archive.lemma_normalizer(models.load_spacy())
    result = archive.publish_meeting(meeting, args.archive, PROMPTS_DIR, normalize)
    verb = "Replaced" if result.replaced else "Added"
    print(
        f"{verb} {meeting.title} ({meeting.date}) in {args.archive}: {result.meeting_file}; "
        f"{result.meetings} meeting(s) in the archive"
    )
    return 0


def _search(args: argparse.Namespace) -> int:
    from pipeline import archive, models, search
    from pipeline.errors import ArchiveError, SettingsError

    if args.limit < 1:
        raise SettingsError(f"--limit {args.limit}: give at least 1")
    entries = archive.load_catalog(args.archive)
    if not entries:
        raise ArchiveError(
            f"{args.archive}: no published meetings yet; publish one with "
            "make publish SUMMARY=outputs/<file>.md"
        )
    hits = search.search_takeaways(
        entries, args.query, models.sentence_embedder(), args.limit, args.cache / "search"
    )
    if not hits:
        print(f"No takeaway in {args.archive} matches '{args.query}'.")
    for number, hit in enumerate(hits, 1):
        print(f"{number}. {hit.takeaway}")
        print(
            f"   {hit.meeting_title} · {hit.date} · {hit.topic} "
            f"({args.archive / hit.file}, score {hit.score:.2f})"
        )
    return 0


COMMANDS = {"summarize": _summarize, "publish": _publish, "search": _search}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args.debug)
    from pipeline.models import go_offline_if_hub_unreachable

    go_offline_if_hub_unreachable()
    _interrupt_on_sigterm()
    try:
        return COMMANDS[args.command](args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "interrupted: no summary was written; the next run resumes from what was cached",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"unexpected error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED
