"""Optional LLM mode: an OpenAI-compatible chat endpoint rewrites the notes.

Off unless configured by environment variables (see :meth:`LLMSettings.from_env`):

    LEANCOFFEE_LLM_BASE_URL   e.g. http://localhost:11434/v1 (Ollama), http://localhost:8080/v1
                              (llama.cpp server) or https://api.openai.com/v1
    LEANCOFFEE_LLM_MODEL      the model name the endpoint knows, e.g. llama3.1:8b
    LEANCOFFEE_LLM_API_KEY    sent as a bearer token; optional for local servers
    LEANCOFFEE_LLM_TIMEOUT    seconds per request (default 120)

The offline notes (``pipeline.extract``) are always made first. For each topic, and
then for the overview, one chat request is sent: the instructions come from the
Jinja2 templates ``prompts/llm_topic.j2`` and ``prompts/llm_overview.j2``; the
transcript goes in as data between ``<transcript>`` tags, with anything that looks
like those tags in the spoken text neutralised, so text said in the meeting cannot
close the data block and pose as instructions. The reply must be a JSON object that
validates against :class:`TopicReply` (or :class:`OverviewReply`): bounded list
lengths and string sizes, no other keys. Key phrases must occur in the topic's
transcript, as offline ones do; others are dropped.

Any failure (connection refused, timeout, HTTP error, a reply that is not JSON or
breaks the schema) keeps the offline result for that part and logs one warning line;
after a connection failure the remaining parts are not tried. The result records
which parts the LLM wrote (:class:`~pipeline.artifacts.LLMProvenance`), for the
summary to say so. Redaction runs afterwards on everything, LLM text included.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import httpx
import jinja2
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from pipeline.artifacts import (
    ActionItem,
    LLMProvenance,
    MeetingNotes,
    TopicNotes,
    TopicSegment,
    TranscriptSegment,
)
from pipeline.errors import SettingsError

log = logging.getLogger(__name__)

TOPIC_TEMPLATE = "llm_topic.j2"
OVERVIEW_TEMPLATE = "llm_overview.j2"
ENV_PREFIX = "LEANCOFFEE_LLM_"


@dataclass(frozen=True)
class LLMSettings:
    """Where the OpenAI-compatible endpoint is and how long to wait for it."""

    base_url: str  # up to and including /v1
    model: str
    api_key: str = ""  # empty: no Authorization header (local servers)
    timeout_s: float = 120.0  # per request
    max_transcript_chars: int = 30_000  # per request; longer topics are cut (about 8k tokens)
    temperature: float = 0.2

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LLMSettings | None:
        """The settings from ``LEANCOFFEE_LLM_*``; None when no base URL is set (off)."""
        base_url = env.get(ENV_PREFIX + "BASE_URL", "").strip()
        if not base_url:
            return None
        model = env.get(ENV_PREFIX + "MODEL", "").strip()
        if not model:
            raise SettingsError(
                f"{ENV_PREFIX}BASE_URL is set but {ENV_PREFIX}MODEL is not; "
                "set the model name the endpoint serves (e.g. llama3.1:8b)"
            )
        if not re.match(r"https?://", base_url):
            raise SettingsError(f"{ENV_PREFIX}BASE_URL '{base_url}' is not an http(s) URL")
        timeout = env.get(ENV_PREFIX + "TIMEOUT", "").strip()
        try:
            timeout_s = float(timeout) if timeout else cls.timeout_s
        except ValueError:
            raise SettingsError(f"{ENV_PREFIX}TIMEOUT '{timeout}' is not a number") from None
        if timeout_s <= 0:
            raise SettingsError(f"{ENV_PREFIX}TIMEOUT '{timeout}' must be above 0 seconds")
        return cls(
            base_url=base_url.rstrip("/"),
            model=model,
            api_key=env.get(ENV_PREFIX + "API_KEY", "").strip(),
            timeout_s=timeout_s,
        )


# --- the reply schemas: bounded, so a runaway reply cannot flood the summary ---------------

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=400)]


class TopicReply(BaseModel):
    """What the LLM returns for one topic."""

    model_config = ConfigDict(extra="forbid")

    keyphrases: list[Phrase] = Field(min_length=1, max_length=8)
    takeaways: list[Line] = Field(min_length=1, max_length=5)
    action_items: list[Line] = Field(default_factory=list, max_length=5)
    resources: list[Phrase] = Field(default_factory=list, max_length=6)


class OverviewReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overview: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=20, max_length=1500)
    ]


class LLMFailure(Exception):
    """One request failed; the offline result stays."""

    def __init__(self, reason: str, unreachable: bool = False):
        super().__init__(reason)
        self.unreachable = unreachable  # no point trying the next topic


# --- the data block ----------------------------------------------------------------------

# "<transcript>", "</ transcript >", "&lt;/transcript&gt;": anything that could pass for
# the delimiters. Angle brackets are rare in speech, so all of them are replaced.
_ENTITY_BRACKETS = re.compile(r"(?i)&(?:lt|gt|#0*60|#0*62|#x0*3c|#x0*3e);")


def neutralise(text: str) -> str:
    """Transcript text that cannot open or close a ``<transcript>`` block."""
    text = _ENTITY_BRACKETS.sub(" ", text)
    return text.replace("<", "‹").replace(">", "›")


def _turn_lines(units: Sequence[TranscriptSegment], first: int, last: int, limit: int) -> str:
    lines: list[str] = []
    size = 0
    for unit in units[max(0, first) : last + 1]:
        text = " ".join(unit.text.split())
        if not text:
            continue
        line = neutralise(f"{unit.speaker}: {text}" if unit.speaker else text)
        if size + len(line) > limit:
            lines.append("[... the rest of this topic is left out for length ...]")
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


# --- the client --------------------------------------------------------------------------


class ChatClient:
    """One OpenAI-compatible ``/chat/completions`` endpoint, over httpx."""

    def __init__(self, settings: LLMSettings):
        self.settings = settings
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self.http = httpx.Client(
            base_url=settings.base_url, headers=headers, timeout=settings.timeout_s
        )

    def close(self) -> None:
        self.http.close()

    def complete_json(self, system: str, user: str) -> dict:
        """The reply's message content, parsed as a JSON object."""
        body = {
            "model": self.settings.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": self.settings.temperature,
            "response_format": {"type": "json_object"},
        }
        try:
            response = self.http.post("/chat/completions", json=body)
            response.raise_for_status()
        except httpx.TimeoutException:
            raise LLMFailure(f"no reply within {self.settings.timeout_s:g} s") from None
        except httpx.HTTPStatusError as exc:
            raise LLMFailure(f"HTTP {exc.response.status_code}") from None
        except httpx.TransportError as exc:
            raise LLMFailure(f"cannot reach {self.settings.base_url} ({exc})", True) from None
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMFailure("the reply is not an OpenAI chat completion") from None
        return _parse_json_object(content)


_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def _parse_json_object(content: object) -> dict:
    if not isinstance(content, str):
        raise LLMFailure("the reply has no text")
    fenced = _FENCE_RE.match(content)  # some local models wrap JSON in a code fence
    try:
        data = json.loads(fenced.group(1) if fenced else content)
    except json.JSONDecodeError:
        raise LLMFailure("the reply is not valid JSON") from None
    if not isinstance(data, dict):
        raise LLMFailure("the reply is JSON but not an object")
    return data


def _schema_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "reply"
    return f"the reply breaks the schema ({where}: {first['msg']})"


# --- the stage ---------------------------------------------------------------------------


def _occurs(phrase: str, text_lower: str) -> bool:
    words = [w for w in re.split(r"[\s-]+", phrase.lower()) if w]
    pattern = r"(?<!\w)" + r"[\s-]+".join(re.escape(w) for w in words) + r"(?!\w)"
    return bool(words) and re.search(pattern, text_lower) is not None


def _dedupe(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(i.split()) for i in items))


def rewrite_notes(
    units: Sequence[TranscriptSegment],
    segments: Sequence[TopicSegment],
    notes: MeetingNotes,
    settings: LLMSettings,
    prompts_dir: Path,
    meeting_title: str = "",
) -> MeetingNotes:
    """The offline ``notes`` with each topic and the overview rewritten by the LLM where
    it answered well; every other part stays as it was. Never raises for the endpoint's
    failures: each is one warning and the offline result."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(prompts_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    topic_template = env.get_template(TOPIC_TEMPLATE)
    overview_template = env.get_template(OVERVIEW_TEMPLATE)
    client = ChatClient(settings)
    topics = list(notes.topics)
    written: list[int] = []
    unreachable = False
    try:
        for si, segment in enumerate(segments):
            if segment.kind != "topic" or unreachable:
                continue
            label = f"topic {si + 1} '{segment.title}'"
            text = _turn_lines(
                units, segment.first_turn, segment.last_turn, settings.max_transcript_chars
            )
            if not text:
                continue
            prompt = topic_template.render(
                title=neutralise(segment.title), meeting_title=neutralise(meeting_title)
            )
            try:
                data = client.complete_json(prompt, _data_block(text))
                reply = TopicReply.model_validate(data)
            except LLMFailure as exc:
                log.warning("LLM: %s: %s; kept the offline notes", label, exc)
                unreachable = exc.unreachable
                continue
            except ValidationError as exc:
                log.warning("LLM: %s: %s; kept the offline notes", label, _schema_error(exc))
                continue
            spoken = " ".join(
                u.text for u in units[segment.first_turn : segment.last_turn + 1]
            ).lower()
            phrases = _dedupe([p for p in reply.keyphrases if _occurs(p, spoken)])
            topics[si] = TopicNotes(
                keyphrases=phrases or notes.topics[si].keyphrases,
                takeaways=_dedupe(reply.takeaways),
                # The LLM's commitments are rephrased: who said them is not known.
                action_items=tuple(ActionItem(a) for a in _dedupe(reply.action_items)),
                resources=_dedupe(reply.resources),
            )
            written.append(si)

        overview, overview_written = notes.overview, False
        if not unreachable and any(s.kind == "topic" for s in segments):
            summaries = [
                {
                    "title": neutralise(segments[si].title),
                    "takeaways": [neutralise(t) for t in topics[si].takeaways],
                }
                for si, s in enumerate(segments)
                if s.kind == "topic"
            ]
            prompt = overview_template.render(meeting_title=neutralise(meeting_title))
            data_text = "\n".join(
                f"Topic: {t['title']}\n" + "\n".join(f"- {line}" for line in t["takeaways"])
                for t in summaries
            )
            try:
                reply = OverviewReply.model_validate(
                    client.complete_json(prompt, _data_block(data_text, tag="notes"))
                )
                overview, overview_written = " ".join(reply.overview.split()), True
            except LLMFailure as exc:
                log.warning("LLM: overview: %s; kept the offline overview", exc)
            except ValidationError as exc:
                log.warning("LLM: overview: %s; kept the offline overview", _schema_error(exc))
    finally:
        client.close()
    provenance = LLMProvenance(
        model=settings.model, topics=tuple(written), overview=overview_written
    )
    return replace(notes, overview=overview, topics=tuple(topics), llm=provenance)


def _data_block(text: str, tag: str = "transcript") -> str:
    """The user message: data only, between tags the data itself can no longer contain."""
    return f"<{tag}>\n{text}\n</{tag}>"
