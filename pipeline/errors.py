"""One error hierarchy. Each error carries the exit code the CLI returns for it.

Messages are written for the organizer: they name the file and say what is wrong
and, where it helps, what to do.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: an expected failure that the CLI reports in one line."""

    exit_code = 1


class InputError(PipelineError):
    """The recording (or transcript) given is missing, unreadable or unusable."""

    exit_code = 3


class AgendaError(PipelineError):
    """The agenda file is missing or cannot be parsed."""

    exit_code = 4


class ModelNotFoundError(PipelineError):
    """A model could be found neither locally, nor online, nor in an offline package."""

    exit_code = 5


class OutputError(PipelineError):
    """Results could not be written (folder not writable, disk full)."""

    exit_code = 6


class SettingsError(PipelineError):
    """An option has a value the pipeline does not know."""

    exit_code = 2


class SummaryError(PipelineError):
    """A summary cannot be published: still a draft, or its markdown is malformed."""

    exit_code = 7


class ArchiveError(PipelineError):
    """The archive is unreadable (a damaged catalog) or has nothing to search yet."""

    exit_code = 8
