"""Privacy by default: the Chatham House rule for everything that gets published.

Participants are senior people speaking candidly, so published text says what
was said, not who said it: person names (the participants' own, and any that
spaCy recognises) become "a participant", e-mail addresses and phone numbers
are removed. ``keep_names`` (``ATTRIBUTE=1``) keeps names, never contact details.
Every change is recorded for the reviewer, who sees them in the sidecar and in
the summary's checklist, and never published.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.artifacts import MeetingNotes, ParkedCard, Redaction, TopicNotes, TopicSegment

PARTICIPANT = "a participant"
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Eight or more digits with the usual separators: phone numbers, not years or counts.
PHONE = re.compile(r"(?<!\w)\+?\d(?:[\s().-]*\d){7,}(?!\w)")
# Speaker labels that name a role, not a person (AMI's "Project Manager", Zoom's "Host").
ROLE_WORDS = {
    "manager", "facilitator", "designer", "expert", "interface", "marketing", "engineer",
    "speaker", "participant", "host", "moderator", "organizer", "guest", "unknown",
}  # fmt: skip


def participant_names(speakers: Sequence[str]) -> tuple[str, ...]:
    """Speaker labels that are people's names, and their first names."""
    names: set[str] = set()
    for label in speakers:
        label = label.strip()
        if not label or set(label.lower().split()) & ROLE_WORDS or not label[0].isupper():
            continue
        names.add(label)
        names.add(label.split()[0])
    return tuple(sorted(names, key=len, reverse=True))  # longest first: "Dana Lee" before "Dana"


# "My name's Cat", "my name is Priya Nair": how people introduce themselves at a
# roundtable. The name is capitalised, as Whisper and human transcribers write one.
# ("Call me ..." is left out: "call me Monday" names no one.)
_INTRODUCTION = re.compile(
    r"(?i:\bmy name(?:['’]s| is))\s+([A-Z][\w'’-]+(?:\s+(?!I['’])[A-Z][\w'’-]+)?)"
)


def introduced_names(texts: Sequence[str]) -> tuple[str, ...]:
    """Names people give themselves in ``texts`` ("my name is Gaurav"), each once."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _INTRODUCTION.finditer(text):
            name = match.group(1)
            if not set(name.lower().split()) & ROLE_WORDS:
                found[name] = None
    return tuple(found)


def _replace(pattern: re.Pattern, text: str, kind: str, with_: str, log: list[Redaction]) -> str:
    def sub(match: re.Match) -> str:
        log.append(Redaction(match.group(0), with_, kind))
        return with_

    return pattern.sub(sub, text)


def redact_texts(
    texts: Sequence[str],
    participants: Sequence[str],
    nlp: Any,
    keep_names: bool = False,
    bare: Sequence[bool] = (),
    not_names: Sequence[str] = (),
) -> tuple[list[str], list[Redaction]]:
    """Each text with contact details (and, unless ``keep_names``, names) replaced.

    Names are the ``participants`` and the people spaCy finds in each text. A text
    marked ``bare`` (a resource, a key phrase: a few words with no sentence around
    them) also loses every name found in any other text: alone, "Gaurav" looks like
    an organisation. Words of ``not_names`` (the topics' titles: the organizer's cards,
    or key phrases already kept clear of names) are never taken from spaCy for names.
    """
    log: list[Redaction] = []
    cleaned = [
        _replace(PHONE, _replace(EMAIL, text, "email", "[e-mail removed]", log), "phone",
                 "[phone removed]", log)
        for text in texts
    ]  # fmt: skip
    if keep_names:
        return cleaned, log

    known = set(participant_names(participants))
    organizers_words = {w for title in not_names for w in re.findall(r"\w+", title.lower())}
    first_names = FirstNames()
    found: list[set[str]] = []
    for k, doc in enumerate(nlp.pipe(cleaned, disable=["lemmatizer"])):
        people = {ent.text for ent in doc.ents if ent.label_ == "PERSON"}
        people |= first_names.in_doc(doc)
        if k < len(bare) and bare[k] and first_names.is_name(doc.text):
            people.add(doc.text)  # a resource "Thilo": no sentence to tell, so the list does
        found.append(
            {p for p in people if not set(re.findall(r"\w+", p.lower())) <= organizers_words}
        )
    everyone = known.union(*found)
    result = []
    for k, text in enumerate(cleaned):
        names = everyone if k < len(bare) and bare[k] else known | found[k]
        for name in sorted(names, key=len, reverse=True):
            pattern = re.compile(rf"\b{re.escape(name)}\b")
            if pattern.search(text):
                text = _replace(pattern, text, "name", PARTICIPANT, log)
        result.append(_fix_articles(text))
    return result, log


_NOT_FIRST_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


_NOT_PEOPLE = frozenset({"NORP", "LANGUAGE", "DATE", "TIME"})


class FirstNames:
    """People spaCy's small model takes for places or firms ("check with Stephane",
    "I gave Thilo ten gigs"): a capitalised proper noun standing alone in mid-sentence
    that is a known first name (gender-guesser's list, some 60,000 names, accents
    ignored). Not the first word of a sentence, a month or a day, a word also written
    in lower case in the same text ("go", "will"), nor part of a longer name ("Lean
    Coffee", "Ruby on Rails")."""

    def __init__(self) -> None:
        import gender_guesser.detector

        names = gender_guesser.detector.Detector(case_sensitive=False).names
        self._names = {_plain(name) for name in names} - _NOT_FIRST_NAMES

    def is_name(self, word: str) -> bool:
        """A single capitalised word that is a known first name."""
        return word.istitle() and word.isalpha() and _plain(word) in self._names

    def in_doc(self, doc: Any) -> set[str]:
        lower = {t.text for t in doc if t.is_lower}
        return {
            token.text
            for token in doc
            if token.pos_ == "PROPN"
            and token.is_title
            and not token.is_sent_start
            and token.dep_ != "compound"
            and token.ent_type_ not in _NOT_PEOPLE  # "German" is a first name too
            and token.text.lower() not in lower
            and not _in_longer_name(token)
            and not _is_place(token)
            and self.is_name(token.text)
        }


def _plain(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


_PLACE_PREPOSITIONS = frozenset("in from to at near around across into outside".split())


def _is_place(token: Any) -> bool:
    """A place spaCy saw as one, said as one: "fashion from Paris and Milan"."""
    head = token
    while head.dep_ == "conj" and head.head is not head:
        head = head.head
    return (
        token.ent_type_ == "GPE" and head.dep_ == "pobj" and head.head.lower_ in _PLACE_PREPOSITIONS
    )


def _in_longer_name(token: Any) -> bool:
    """Beside another capitalised word ("Lean Coffee"), joined to one ("Ruby on Rails"),
    or part of a hyphenated word ("Kit-Kat")."""
    doc, i = token.doc, token.i
    if (i > 0 and doc[i - 1].text == "-" and doc[i - 1].whitespace_ == "") or (
        token.whitespace_ == "" and i + 1 < len(doc) and doc[i + 1].text == "-"
    ):
        return True
    after = doc[i + 1] if i + 1 < len(doc) else None
    if after is not None and (
        after.is_title
        or (after.lower_ in ("of", "on", "de") and i + 2 < len(doc) and doc[i + 2].is_title)
    ):
        return True
    before = doc[i - 1] if i > 0 else None
    # a capitalised first word is part of the name only if it is a proper noun ("San Diego")
    return (
        before is not None
        and before.is_title
        and (not before.is_sent_start or before.pos_ == "PROPN")
    )


def _fix_articles(text: str) -> str:
    """'a participant' after an article ("a Java applet") takes its place; at the start
    of a sentence it reads better capitalised."""
    text = re.sub(r"\b(?:a|an|the) a participant\b", PARTICIPANT, text, flags=re.IGNORECASE)
    return re.sub(r"(^|[.!?]\s+)a participant", r"\1A participant", text)


def redact_notes(
    notes: MeetingNotes,
    segments: Sequence[TopicSegment],
    speakers: Sequence[str],
    nlp: Any,
    keep_names: bool = False,
) -> tuple[MeetingNotes, tuple[TopicSegment, ...], tuple[Redaction, ...]]:
    """The notes and the topic titles made from the transcript's words, redacted.

    Agenda card titles are the organizer's own words and stay as they are; titles the
    facilitator announced are redacted as said; other titles lose the redacted parts of
    their comma-separated key phrases.
    """
    texts = [notes.overview, *notes.keyphrases]
    bare = [False] + [True] * len(notes.keyphrases)
    for topic in notes.topics:
        for field in _NOTE_FIELDS:
            texts.extend(_field_texts(topic, field))
            bare.extend([field in _BARE_FIELDS] * len(getattr(topic, field)))
    texts.extend(s.title for s in segments)
    bare.extend([True] * len(segments))
    # Titles are the organizer's cards, or key phrases that extraction already kept
    # clear of the people spaCy found in the transcript: capitalised, "Logo, slogan"
    # would look like a name. Known participants are still taken out of them. A title
    # the facilitator announced is what was said, and is redacted like it.
    titles = [s.title for s in segments if not s.title_said]
    cleaned, log = redact_texts(texts, speakers, nlp, keep_names, bare, not_names=titles)

    it = iter(cleaned)
    overview = next(it)
    keyphrases = tuple(next(it) for _ in notes.keyphrases)
    topics = tuple(
        replace(
            topic,
            **{
                f: _with_texts(topic, f, [next(it) for _ in getattr(topic, f)])
                for f in _NOTE_FIELDS
            },
        )
        for topic in notes.topics
    )
    titles = [next(it) for _ in segments]
    # A resource or key phrase that was a name ("Gaurav", "Kevin Murphy's paper") says
    # nothing once redacted.
    topics = tuple(
        replace(
            t,
            resources=tuple(r for r in t.resources if PARTICIPANT not in r.lower()),
            keyphrases=tuple(k for k in t.keyphrases if PARTICIPANT not in k.lower()),
        )
        for t in topics
    )
    keyphrases = tuple(k for k in keyphrases if PARTICIPANT not in k.lower())
    redacted_segments = tuple(
        s
        if s.agenda_index is not None
        else replace(s, title=_capitalised(title))
        if s.title_said
        else replace(s, title=_without_names(title))
        for s, title in zip(segments, titles, strict=True)
    )
    redacted = replace(notes, overview=overview, keyphrases=keyphrases, topics=topics)
    return redacted, redacted_segments, tuple(log)


def redact_parked(
    parked: Sequence[ParkedCard], speakers: Sequence[str], nlp: Any, keep_names: bool = False
) -> tuple[tuple[ParkedCard, ...], tuple[Redaction, ...]]:
    """The parking lot with the titles heard in the meeting redacted as said ("Dana's
    card on tooling"); a board card's title is the organizer's and stays."""
    heard = [p.title for p in parked if p.agenda_index is None]
    cleaned, log = redact_texts(heard, speakers, nlp, keep_names, bare=[True] * len(heard))
    titles = iter(cleaned)
    redacted = tuple(
        p if p.agenda_index is not None else replace(p, title=_capitalised(next(titles)))
        for p in parked
    )
    return redacted, tuple(log)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


_NOTE_FIELDS = ("keyphrases", "takeaways", "action_items", "resources", "questions")
_BARE_FIELDS = frozenset({"keyphrases", "resources"})  # a few words, no sentence around them


def _field_texts(topic: TopicNotes, field: str) -> list[str]:
    if field == "action_items":
        return [item.text for item in topic.action_items]
    return list(getattr(topic, field))


def _with_texts(topic: TopicNotes, field: str, texts: list[str]) -> tuple:
    """The field's items with these (redacted) texts. An action's owner stays: the
    summary shows it only when names are kept, and the sidecar is the organizer's."""
    if field == "action_items":
        return tuple(replace(a, text=t) for a, t in zip(topic.action_items, texts, strict=True))
    return tuple(texts)


def _without_names(title: str) -> str:
    """A title made of key phrases ("Gaurav, incident reviews") without the redacted ones."""
    parts = [p for p in title.split(", ") if PARTICIPANT not in p.lower()]
    title = ", ".join(parts) or "Discussion"
    return _capitalised(title)
