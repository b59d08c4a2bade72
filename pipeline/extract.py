"""Content extraction: key phrases, takeaways, action items, resources and an overview.

Given the transcript's units (turns or ASR segments) and the topic segments that
cover them, :func:`extract_notes` returns :class:`MeetingNotes`: per topic the key
phrases, a few takeaways, action items and resources (books, tools, companies,
links), and for the whole meeting its key phrases and a short overview paragraph.

Everything is extractive and runs offline on CPU:

- spaCy (``en_core_web_sm``) parses the lightly cleaned text once, in one
  ``nlp.pipe`` pass: sentences, noun chunks, lemmas and named entities.
- Key phrases are KeyBERT over spaCy noun chunks: the chunks (and their
  head-final sub-phrases, "remote control" in "new remote control") are the
  candidates, free of fillers, pronouns, generic nouns and names (speakers and
  PERSON entities), merged by lemma; each is embedded with KeyBERT's MiniLM backend
  and scored by cosine similarity to the topic plus a frequency prior (raised for
  phrases said as the topic opens, where a card is named); Maximal Marginal
  Relevance picks a diverse set. MiniLM reads only 256 word pieces, so a topic is
  the centroid of its sentence embeddings, never one embedding of its whole text.
- Takeaways and the overview are cleaned transcript sentences (no fillers, stutters,
  false starts or leading "so,"/"yeah"), ranked by similarity to the topic centroid
  and title and by cue words ("what worked", "I'd recommend", "we switched",
  "never", imperatives, ...), with questions, fragments and near-duplicates dropped.
- Action items are sentences with a commitment ("I'll send", "let's ask", "action
  item"); resources are links, "a book/tool called X", and ORG/PRODUCT/WORK_OF_ART
  entities that are not common words or names.

Measured with ``bench/score_keyphrases.py`` on reference segments and the ordered
agenda: key-phrase/title match val 0.759 with card-title seeding (0.611 unseeded;
TF-IDF top-5 0.120), train (every 3rd meeting) 0.734 (0.609 unseeded); overview
ROUGE-1 F val 0.355, train 0.381. Topic distinctiveness (c-TF-IDF style) and a
topic vector from the most central sentences were tried and did not help (val
0.546-0.565 and 0.602-0.611 unseeded); they stay as options, off.

The function is pure: it reads no file, and never any reference annotation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from pipeline.artifacts import (
    ActionItem,
    MeetingNotes,
    TopicNotes,
    TopicSegment,
    TranscriptSegment,
)
from pipeline.cues import is_facilitation


@dataclass(frozen=True)
class ExtractOptions:
    """Every tuned constant of the extraction (tuned on the bench's train split)."""

    # --- key phrases -------------------------------------------------------------------
    min_keyphrases: int = 5  # per topic, when the topic has that many candidates
    max_keyphrases: int = 8
    words_per_extra_keyphrase: int = 600  # topic words that earn one phrase above the minimum
    meeting_keyphrases: int = 8  # for the whole meeting
    max_phrase_tokens: int = 4  # longer noun chunks keep their last (head-final) tokens
    keyphrase_pool: int = 100  # candidates per topic that get embedded (best by prior)
    # prior = (1 + log count) * idf ** power: 0 = frequency in the topic; 1 = TF-IDF of the
    # topic against the meeting's other segments (train title match 0.49 vs 0.44)
    keyphrase_idf_power: float = 0.0
    keyphrase_subset_dedupe: bool = True  # no "control" next to "remote control"
    # a topic is named as it opens ("the next card is ..."): phrases first said in the
    # first keyphrase_early_share of the segment get their prior raised by this factor
    keyphrase_position_weight: float = 1.0
    keyphrase_early_share: float = 0.15
    skip_meta_chunks: bool = False  # True: no candidates from facilitation sentences
    # KeyBERT's guided mode (seed_keywords) with the agenda card's title as the seed: the
    # topic vector becomes (1 - w) * centroid + w * title; 0 = unseeded. 0.25 is KeyBERT's
    # own seed weight, not tuned here. The card is a real input (the organizer wrote it), and
    # candidates still come only from the topic's transcript; what seeding changes is which
    # of the said phrases rank first. Title match on reference segments, ordered agenda:
    # val 0.611 -> 0.759, train (every 3rd) 0.609 -> see docs/EVALUATION.md. It is circular
    # there (the bench's card titles are the reference titles); the `none` condition has no
    # cards and shows the unseeded figure.
    keyphrase_title_seed_weight: float = 0.25
    # the topic vector: the centroid of the topic's keyphrase_central_sentences sentences
    # most similar to the centroid of all of them (0 = all: the plain centroid)
    keyphrase_central_sentences: int = 0
    # c-TF-IDF-style distinctiveness: the share of the phrase's mentions in the meeting
    # that fall in this topic, times this weight, is added to its score
    keyphrase_distinct_weight: float = 0.0
    keyphrase_sim_weight: float = 1.0  # KeyBERT relevance: cosine(candidate, topic centroid)
    keyphrase_tfidf_weight: float = 0.5  # the prior, scaled to [0, 1] per topic
    keyphrase_multiword_bonus: float = 0.05  # prefer "remote control" to "control"
    keyphrase_diversity: float = 0.2  # MMR trade-off: 0 = relevance only, 1 = diversity only
    meeting_spread_weight: float = 0.3  # meeting phrases: share of topics that mention it

    # --- sentences (takeaways, action items, overview) ---------------------------------
    sentence_min_words: int = 6  # shorter cleaned sentences are not embedded or used
    sentence_max_words: int = 40  # longer ones read as rambling
    ideal_min_words: int = 10  # below this, a small penalty (fragments)
    takeaway_centroid_weight: float = 1.0  # cosine(sentence, topic centroid)
    takeaway_title_weight: float = 0.5  # cosine(sentence, topic title)
    takeaway_cue_weight: float = 0.25  # per cue hit, capped at cue_cap hits
    imperative_cue: float = 1.0  # an imperative ("Never compare teams.") counts as a cue
    cue_cap: float = 2.0
    takeaway_content_weight: float = 0.15  # content lemmas (up to 8): says something concrete
    takeaway_keyphrase_weight: float = 0.05  # per key-phrase lemma the sentence holds (cap 3)
    short_penalty: float = 0.15  # at 0 words; falls linearly to 0 at ideal_min_words
    disfluency_penalty: float = 0.5  # times the share of the turn's tokens cleaned away
    pronoun_start_penalty: float = 0.05  # "It ...", "That ...": less self-contained
    vague_penalty: float = 0.1  # "we fixed it": a pronoun as subject or object
    min_takeaways: int = 2
    max_takeaways: int = 5
    words_per_extra_takeaway: int = 100  # topic words that earn one takeaway above the minimum
    near_duplicate_cosine: float = 0.8  # two sentences this similar say the same thing
    near_duplicate_jaccard: float = 0.6  # ... or share this share of content lemmas
    max_closing_takeaways: int = 6  # a closing round: one takeaway per person
    max_action_items: int = 3
    max_action_disfluency: float = 0.3  # a commitment this garbled is not worth publishing
    max_resources: int = 6

    # --- overview ----------------------------------------------------------------------
    overview_min_words: int = 60
    overview_max_words: int = 120
    overview_words_per_meeting_word: float = 0.006  # 10,000 words -> 60 + 60 words
    overview_sentence_max_words: int = 30
    overview_title_weight: float = 0.5
    overview_cue_weight: float = 0.1
    overview_content_weight: float = 0.15  # content lemmas (up to 8)
    overview_use_keyphrases: bool = True  # credit sentences holding the topic's key phrases
    # "per_topic": each topic's most central sentences, longest topics first;
    # "lexrank": the sentences most similar to the whole meeting (degree centrality)
    overview_selection: str = "per_topic"  # train ROUGE-1: per_topic 0.379, lexrank 0.357
    # "plain": sentences only; "intro": "The group discussed three topics: A; B; and C."
    # then the sentences;
    # "template": "On A: <sentence>" per topic.
    overview_style: str = "intro"  # val ROUGE-1: intro 0.35, template 0.33, plain 0.28

    # --- batching ----------------------------------------------------------------------
    spacy_batch_size: int = 64


EMPTY_NOTES = TopicNotes((), (), (), ())

# ---------------------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------------------

_FILLER_RE = re.compile(
    r"(?i)(?<![\w'-])(?:u+m+|u+h+m*|e+r+m+|e+r|a+h+|h+m+|m+h*m+|mm-h+m+|uh-huh|uh-hum|um-hum"
    r"|huh|eh)(?![\w'-])[,.]?"
)
# Lower-case one- or two-letter tokens that are not words: cut-off words ("th", "w", "i").
_SHORT_WORDS = (
    "a|an|as|at|be|by|do|go|he|if|in|is|it|me|my|no|of|oh|ok|on|or|so|to|up|us|we|am|hi|ex"
    "|pm|vs|ie|eg|ad|ai|ml|ui|ux|qa|hr|ci|cd|os|db|id|tv|pr|km|kg|mb|gb|ms"
)
_FRAGMENT_RE = re.compile(rf"(?<![\w'’-])(?!(?:{_SHORT_WORDS})(?![\w'’-]))[a-z]{{1,2}}(?![\w'’-])")
# "uh-uh-uh", "Ms-uh": fillers glued on with hyphens
_HYPHEN_FILLER_RE = re.compile(
    r"(?i)(?:\b(?:u+h+|u+m+)(?:-(?:u+h+|u+m+))+\b|(?<=\w)-(?:u+h+|u+m+)\b)"
)
_STRAY_SYMBOL_RE = re.compile(r"(?<!\S)[@#*~^|_=+<>]+(?!\S)")
_REPEAT_WORD_RE = re.compile(r"(?i)\b(\w+(?:['’]\w+)?)(?:[\s,]+\1\b)+")
_REPEAT_BIGRAM_RE = re.compile(r"(?i)\b(\w+(?:['’]\w+)? \w+(?:['’]\w+)?)(?:[\s,]+\1\b)+")
_SPACE_PUNCT_RE = re.compile(r"\s+([,.;:!?])")
_MULTI_PUNCT_RE = re.compile(r"([,;:])(?:\s*[,;:])+")
_LEADING_PUNCT_RE = re.compile(r"^[\s,.;:!?-]+")

_LEADING_MARKER_RE = re.compile(
    r"(?i)^(?:(?:so|and|but|or|yeah|yes|yep|okay|ok|oh|alright|all right|anyway|then|now|well"
    r"|actually|basically|i mean|you know|i guess|i think that|i think|i believe)\b[\s,.!-]*"
    r"|(?:right|like|sure|exactly|good|great|cool|thanks|thank you|i agree|agreed|true|no)"
    r"\s*[,.!-]+\s*)+"
)
# A sentence that ends on one of these was cut off ("... and we could use the").
_DANGLING = frozenset(
    """the a an and or but to of with for from by as at in on into than because if so my your
    our their his her its this these those is are was were be i we they he she like just very
    really kind sort gonna can could would should will what which who when where how whether
    also then not""".split()
)
_INNER_HEDGE_RE = re.compile(r"(?i)(?:,\s*(?:you know|i mean)\b\s*,?|\b(?:you know|i mean)\s*,)")
_KIND_OF_RE = re.compile(
    r"(?i)(?<!\bwhat )(?<!\bthis )(?<!\bthat )(?<!\bany )(?<!\bsome )(?<!\bthe )(?<!\ba )"
    r"(?<!\bone )(?<!\bsame )(?<!\bwhich )\b(?:sort|kind) of\s+(?=\w)"
)
_TRAILING_HEDGE_RE = re.compile(
    r"(?i)(?:[\s,]+(?:yeah|yes|right|okay|ok|you know|i mean|i guess|i think|or something"
    r"(?: like that)?|and stuff|and everything|and things like that|or whatever|anyway))+"
    r"[.!]*$"
)
_TAKEAWAY_PREFIX_RE = re.compile(
    r"(?i)^(?:my|one|the|our|a)\s+(?:key\s+|main\s+|big\s+|biggest\s+)?take\s?aways?\s+"
    r"(?:is|was|would be|for me is)\s*(?:that\s+)?[:,]?\s*"
)


def clean_disfluencies(text: str) -> str:
    """Fillers, cut-off words and stutters removed: the text spaCy parses."""
    text = _STRAY_SYMBOL_RE.sub(" ", text.replace("’", "'"))
    text = _HYPHEN_FILLER_RE.sub(" ", text)
    text = _FILLER_RE.sub(" ", text)
    text = _FRAGMENT_RE.sub(" ", text)
    text = _REPEAT_BIGRAM_RE.sub(r"\1", text)
    text = _REPEAT_WORD_RE.sub(r"\1", text)
    text = " ".join(text.split())
    text = _SPACE_PUNCT_RE.sub(r"\1", text)
    text = _MULTI_PUNCT_RE.sub(r"\1", text)
    text = re.sub(r"([.!?])[,;:]", r"\1", text)
    text = re.sub(r"(^|[.!?]\s+)[,;:]\s*", r"\1", text)
    return _LEADING_PUNCT_RE.sub("", text).strip()


_RESTART_WORDS = frozenset(
    """The We It This That So And But You They There What How If When Well Our My He She
    Let's Maybe Now Then Is Are Do Does Yeah Okay OK Oh Or Because We'll We're We've We'd
    It's That's There's You're They're""".split()
)
_I_FORMS = frozenset({"I", "I'm", "I'd", "I'll", "I've", "We", "We're", "We'll", "You"})
MAX_RESTART_PREFIX = 6  # a false start longer than this is left alone


_NOT_RESTART_HEADS = frozenset("a an the and or of to in on for with at by".split())


def _bare(word: str) -> str:
    return word.strip("\"',.;:!?").lower()


def fix_restarts(text: str) -> tuple[str, int]:
    """Drop false starts ("I'll give I'll read ...", "It I don't know", "... have to We
    should"); return the text and how many restarts were left in it (mid-sentence)."""
    words = text.split()
    changed = True
    while changed and len(words) > 2:
        changed = False
        # the sentence starts again with the same first words
        for k in (3, 2, 1):
            head = [_bare(w) for w in words[:k]]
            if k == 1 and head[0] in _NOT_RESTART_HEADS:
                continue
            for j in range(k, min(len(words) - k, MAX_RESTART_PREFIX if k > 1 else 4) + 1):
                if [_bare(w) for w in words[j : j + k]] == head:
                    words, changed = words[j:], True
                    break
            if changed:
                break
        if changed:
            continue
        # "It I don't know": a pronoun abandoned for another subject
        if (
            words[0] in ("It", "This", "That", "The", "They", "There", "What")
            and words[1].strip(",") in _I_FORMS
        ):
            words, changed = words[1:], True
            continue
        # a capitalised function word after a lower-case word: a new start
        for i in range(1, min(len(words), MAX_RESTART_PREFIX + 1)):
            w, prev = words[i].strip('",'), words[i - 1]
            if w in _RESTART_WORDS and prev[-1:].isalnum() and not prev[:1].isupper():
                words, changed = words[i:], True
                break
    left = sum(
        1
        for i in range(1, len(words))
        if words[i].strip('",') in _RESTART_WORDS and words[i - 1][-1:].isalnum()
    )
    return " ".join(words), left


def polish_sentence(text: str) -> str:
    """A sentence as published: no leading "so,"/"yeah"/"I mean", capitalised, a full stop."""
    text = clean_disfluencies(text)
    text = _INNER_HEDGE_RE.sub(" ", text)
    text = _KIND_OF_RE.sub("", text)
    text = _TAKEAWAY_PREFIX_RE.sub("", text)
    prev = None
    while prev != text:  # "So, yeah, I mean, ..." peels one marker at a time
        prev = text
        text = _LEADING_MARKER_RE.sub("", text).lstrip(" ,.;:!-")
        text = fix_restarts(text)[0]
    text = " ".join(text.split())
    text = _SPACE_PUNCT_RE.sub(r"\1", text)
    text = _MULTI_PUNCT_RE.sub(r"\1", text)
    text = text.strip(" ,;:-\"'")
    text = _TRAILING_HEDGE_RE.sub("", text).strip(" ,;:-\"'")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    text = re.sub(r"[\s,;:.-]+$", "", text)
    if not text.endswith(("!", "?", ".")):
        text += "."
    return text


def _word_count(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


# ---------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------

FILLER_WORDS = frozenset(
    "um uh uhm erm er ah hmm hm mm mmm yeah yes yep okay ok oh well right like "
    "gonna wanna gotta huh alright".split()
)
# Head nouns that never make a key phrase on their own or as the head of a chunk.
GENERIC_NOUNS = frozenset(
    """thing things stuff lot lots bit bits kind kinds sort sorts way ways something
    anything everything nothing someone anyone everyone somebody anybody everybody one ones
    guy guys bunch couple whatever sense fact case part moment minute minutes second seconds
    time times point points question questions idea ideas number example problem issue
    today yesterday tomorrow week weeks day days year years month months hour hours
    people person folks mind deal matter end start beginning reason reasons word words
    term terms side sides place places area level levels step steps type types aspect
    aspects stage version versions others other
    half piece pieces job work hand hands shot talk chance topic topics card cards vote votes
    item items takeaway takeaways thanks thank""".split()
)
# Nouns inside an idiom, after its first word: "of course" is no talk about courses,
# nor "per cent" about cents ("course" was a key phrase of TS3009c).
IDIOM_NOUNS = frozenset(
    {("of", "course"), ("per", "cent"), ("for", "instance"), ("in", "addition")}
)
# Nouns too common in these meetings to be a key phrase alone (fine as a head).
SOLO_GENERIC_NOUNS = frozenset("team company manager engineer organisation organization".split())
_BAD_POS_EDGE = frozenset(
    {
        "DET",
        "PRON",
        "NUM",
        "PUNCT",
        "CCONJ",
        "ADP",
        "PART",
        "INTJ",
        "ADV",
        "AUX",
        "SCONJ",
        "SYM",
        "X",
        "SPACE",
    }
)
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"})

# Cue words of takeaways: what worked, what did not, advice, decisions.
_CUES = [
    (re.compile(p, re.I), w)
    for p, w in [
        (r"\bwhat (?:really )?(?:worked|helped|works|helps)\b", 1.0),
        (r"\b(?:worked|works) (?:well|for us|really well|better)\b", 1.0),
        (r"\b(?:did ?n[o']t|does ?n[o']t|never) work", 1.0),
        (r"\bthe (?:key )?lesson\b|\blessons? learn", 1.0),
        (r"\b(?:i'?d|i would|we'?d|we would|i) (?:strongly )?recommend", 1.0),
        (r"\b(?:i'?d|i would) (?:also |always |definitely )?(?!say\b|like\b|think\b)\w+", 0.5),
        (r"\brecommend", 0.5),
        (r"\bwe (?:stopped|switched|decided|moved|changed|started|fixed|learned|dropped)\b", 1.0),
        (r"\b(?:decided|decision|agreed)\b", 0.5),
        (r"\bthe (?:key|trick|secret|answer) is\b", 1.0),
        (r"\bmy (?:advice|take ?away)\b|\btakeaways?\b|\b(?:one|a|the|key|main) take away\b", 1.0),
        (r"\b(?:never|always|instead|make sure|do ?n[o']t)\b", 0.5),
        (r"\b(?:should|must|need to|have to)\b", 0.3),
        (r"\b(?:important|crucial|essential|biggest|the problem (?:is|was))\b", 0.4),
        (r"\b(?:rule|fix|fixed|solved|turned out|helped|helps)\b", 0.3),
        (r"\bbecause\b", 0.2),
    ]
]
# Sentences with commitments: someone will do something, or an explicit action item.
_ACTION_VERBS = (
    # "get" only as a delivery: "we'll get more data", "you'll get a notice" are forecasts
    r"send|share|write|set up|look|check|ask|talk|follow|find|prepare|put|make|do|try|email"
    r"|get back|get in touch|get (?:it|them|that|this|those) (?:to|over to)"
    r"|mail|circulate|update|draft|review|schedule|book|organi[sz]e|create|build|test|bring|read"
    r"|finish|start|contact|meet|work|add|fix|note|post|upload|sort out|figure out|present"
    r"|investigate|implement|run|collect|call|reach out|introduce|invite|document|compile"
    r"|summari[sz]e|report|forward|distribute|think about|decide|come up|save"
    # a roundtable's own commitments: "I'll take that back to my team", "I'll connect
    # you with our head of SRE", "I'm going to steal that idea"
    r"|take (?:\w+ )?back|connect|loop in|ping|steal|borrow|adopt|pilot|propose"
)
# The apostrophes are required: "were going to", "well, look" and "ill" are no promise.
# A promise inside a question or a condition ("how we're going to get", "if we'll
# add") is not one either, unless it is a plan's opening ("what we'll do is").
_ACTION_RE = re.compile(
    r"(?i)(?<!\bhow )(?<!\bwhat )(?<!\bwhether )(?<!\bif )(?<!\bwhy )(?<!\bwhere )"
    r"\b(?:(?:i['’]ll|i will|we['’]ll|we will|i(?:['’]m| am) (?:going to|gonna)"
    r"|we(?:['’]re| are) (?:going to|gonna)|let['’]?s|let us|i can"
    r"|(?:you|he|she|they) (?:will|['’]ll))\s+"
    r"(?:\w+ly\s+|also\s+|just\s+|then\s+|all\s+)?(?:" + _ACTION_VERBS + r")\b"
    # "what we'll do is send ...", "what I'm gonna try to do is ...": a plan, not an aim
    r"|\bwhat (?:i|we)(?:['’]ll| will|['’]m going to|['’]m gonna|['’]re going to"
    r"|['’]re gonna| am going to| are going to)(?: \w+ to)? do is\b"
    r"|\baction items?\b|\bfollow[- ]up\b|\bnext steps?\b|\bto-?dos?\b|\bhomework\b"
    r"|\bby next (?:week|meeting|month|time)\b)"
)
_ACTION_CUE_WORDS = frozenset(
    "ll will going let us action item items follow up send share todo next step steps "
    "homework".split()
)
_NOT_ACTION_RE = re.compile(
    r"(?i)\blet'?s (?:see|say|just see|move on|go|start|get started|vote|hear|give it|wrap up"
    r"|begin|have a look|take a look|talk about|look at|discuss|finish|get to|go (?:through|over))"
    r"\b|\bwe'?ll see\b|\bi'?ll (?:note|write) (?:that|it|this)\b"
    # a deferral, not a task: "we'll get to that later", "we'll talk about them later"
    r"|\b(?:get to|come back to|return to|talk about|discuss|deal with|worry about)"
    r"\s+(?:that|this|it|them|those|these)\s+later\b"
    # running the meeting, not a task after it: "I'll start with the agenda", "we'll
    # look at your presentations", "I'll get to that", "firstly I'll show you the notes"
    r"|\b(?:i|we)(?:'ll| will|'m going to|'m gonna|'re going to|'re gonna| am going to"
    r"| are going to)\s+(?:just\s+|now\s+|then\s+|first\s+)?(?:start (?:just )?(?:with|again"
    r"|off|by)|finish (?:up|this|off)|talk about|look at|get to|go (?:through|over)|show you"
    r"|do (?:the|a quick) (?:opening|introduction|round))\b"
)
# Steering the talk: "let's have a look at the decisions", "let's talk about the interface
# concept", "let's go back to the slide of data" (AMI, ICSI). No takeaway, but it names
# the topic: it stays in the topic's centroid and key-phrase candidates (title match on
# val ordered fell 0.740 -> 0.726 without it).
_STEERING_RE = re.compile(
    r"(?i)\blet['’]?s (?:(?:now|just|first|then) )?(?:talk about|(?:have|take) a (?:quick )?look"
    r"|look at|start with|begin with|go back to|go through|go over|turn to|discuss)\b"
)
# A question the transcript wrote without its "?" ("What are your experiences with
# remote controls."): a question word or an auxiliary, then its subject. Not a pseudo-
# cleft ("What we need is ...") or "What is important is ...".
_UNMARKED_QUESTION_RE = re.compile(
    r"(?i)^(?:(?:so|and|but|okay|ok|well|um|uh)[,.]?\s+)*"
    r"(?:(?:what|how|why|where|when|who|which)\s+)?"
    r"(?:are|is|do|does|did|can|could|would|should|shall|will|was|were|have|has)\s+"
    r"(?:you|we|they|i|he|she|it|there|your|our|their|anyone|anybody|everyone|somebody)\b"
)
_PRONOUN_START_RE = re.compile(r"(?i)^(?:it|that|this|those|these|they|he|she|them)\b")

_URL_RE = re.compile(
    r"(?i)\b(?:https?://[^\s<>\"]+|www\.[^\s<>\"]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*"
    r"\.(?:com|io|org|dev|net|ai|co|app)(?:/[^\s<>\"]*)?)"
)
_JOINER_WORDS = frozenset(
    "of on the and for to in a an de this that these those our my your their".split()
)
# Not the pronoun: "the book called Accelerate and I recommend it" names "Accelerate".
_TITLE_WORDS = r"(?!I(?:['’](?:d|m|ve|ll))?\b)[A-Z0-9][\w+#&'’-]*(?:\.\w+)*"
_JOINER = r"\s+(?:(?:of|on|the|and|for|to|in|a|&)\s+)?"
_NAMED_BODY = rf"\"[^\"]{{2,60}}\"|{_TITLE_WORDS}(?:{_JOINER}{_TITLE_WORDS})*"
_NAMED = rf"({_NAMED_BODY})"
# "the Google book on site reliability engineering": speech leaves the subject in lower
# case; it runs until a word that starts a new clause.
_LOWER_SUBJECT = (
    r"[a-z][a-z-]*(?:\s+(?!(?:which|that|who|is|was|and|but|so|because|if|when|for|to|by"
    r"|from|with|it|they|we|you|i)\b)[a-z][a-z-]*){0,5}"
)
_RESOURCE_PATTERNS = [
    re.compile(
        # an owner, not a capitalised first word: "the Google book", "Google's book"
        r"(?:(?i:\bthe)\s+|\b(?=[A-Z][\w&-]*['’]s\s))"
        r"([A-Z][\w&-]*(?:['’]s)?\s+book\s+(?:on|about)\s+"
        rf"(?:{_NAMED_BODY}|{_LOWER_SUBJECT}))"
    ),
    re.compile(
        r"\b(?:book|tool|app|paper|article|blog|podcast|talk|course|framework|library"
        rf"|service|product|site|website|newsletter|platform)\s+(?:called|named|titled)\s+{_NAMED}"
    ),
    re.compile(rf"\bcalled\s+{_NAMED}"),
    re.compile(rf"(?i:\bthe book)\s+{_NAMED}"),
    re.compile(rf"(?i:\bbook on)\s+{_NAMED}"),
]
_RESOURCE_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART"})
# Money, fillers, and courtesies a transcriber capitalises mid-sentence ("we discussed an
# Excuse me", which spaCy reads as a firm).
_NOT_RESOURCES = frozenset(
    """euro euros dollar dollars pound pounds cent cents yen okay ok mm hmm uh um
    excuse sorry pardon please thanks hello hi bye goodbye""".split()
)


# ---------------------------------------------------------------------------------------
# Internal records
# ---------------------------------------------------------------------------------------


@dataclass
class _Sentence:
    seg: int  # index into segments
    unit: int  # position in units (of the block's first unit)
    order: int  # position in the meeting
    text: str  # polished, as published
    words: int
    lemmas: frozenset[str]  # content lemmas
    question: bool
    meta: bool  # facilitation ("time's up", "next card"): no note, no key phrase
    cue: float
    disfluency: float  # share of the turn's tokens that cleaning removed
    dangling: bool  # ends on "the", "and", "to": cut off
    vague: bool  # a pronoun argument ("we fixed it"): leans on what was said before
    fragment: bool  # no verb, or only a subordinate clause ("If we had normal buttons.")
    steering: bool  # "let's talk about X": no takeaway, but it says what the topic is
    task_named: bool  # a thing is named after its first commitment ("send the slides")
    vec: np.ndarray | None = None


@dataclass
class _Candidate:
    key: tuple[str, ...]  # lemmas
    surfaces: Counter
    count: int = 0
    first: float = 1.0  # where it is first said, as a share of its segment (0 = the start)


class _Embedder:
    """KeyBERT's sentence-embedding backend, with a per-call cache (unit vectors)."""

    def __init__(self, keybert):
        self.model = keybert.model
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            vecs = self.model.embed(missing)  # one batched call per stage
            vecs = np.asarray(vecs, dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = vecs / np.maximum(norms, 1e-9)
            self.cache.update(zip(missing, vecs, strict=True))
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


def _unit_vector(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def _cue_score(text: str) -> float:
    return sum(w for rx, w in _CUES if rx.search(text))


_VAGUE_PRONOUNS = frozenset({"it", "this", "that", "them", "those", "these"})
_ARG_DEPS = frozenset({"dobj", "nsubj", "nsubjpass", "pobj", "attr"})


def _is_fragment(sent) -> bool:
    if not any(t.pos_ in ("VERB", "AUX") for t in sent):
        return True
    return any(c.dep_ == "mark" for c in sent.root.children)


def _is_imperative(sent) -> bool:
    """ "Never compare teams.", "Keep six people in the rotation.": advice."""
    root = sent.root
    if root.tag_ != "VB" or root.lower_ in ("see", "thank", "welcome", "go"):
        return False
    if root.lower_ == "let" and any(c.lower_ in ("'s", "us") for c in root.children):
        return False  # "let's": the facilitator, or a proposal, not advice
    if any(c.dep_ in ("nsubj", "nsubjpass", "expl", "aux") for c in root.children):
        return False
    return not sent.text.rstrip().endswith("?")


# A sentence opening on one of these leans on the one before it ("Instead, compare each
# team with itself"): fine among its topic's takeaways, out of place alone in the overview.
_LEANS_ON_PREVIOUS_RE = re.compile(
    r"(?i)^(?:instead|however|otherwise|also|plus|besides|still|that'?s why|this is why"
    r"|which|in that case|on the other hand)\b"
)


def _names_a_task(sent) -> bool:
    """Whether a thing is named after the sentence's first commitment cue: "I'll send the
    slides" names its task, "I'll think about it", "we'll get it to hear that" (AMI
    TS3009c) and "if we make it work" after "next step" name none. True without a cue."""
    cue = _ACTION_RE.search(sent.text)
    if cue is None:
        return True
    return any(
        t.idx - sent.start_char >= cue.end()
        and t.pos_ in ("NOUN", "PROPN")
        and t.lemma_.lower() not in GENERIC_NOUNS
        and t.lower_ not in FILLER_WORDS
        for t in sent
    )


def _is_dangling(text: str) -> bool:
    words = re.findall(r"[\w'’]+", text.lower())
    return bool(words) and words[-1] in _DANGLING


def _norm_ws(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _occurs(phrase: str, haystack_lower: str) -> bool:
    """Whether the phrase occurs in the text; words may be joined by spaces or hyphens."""
    words = [w for w in re.split(r"[\s-]+", phrase.lower()) if w]
    if not words:
        return False
    pattern = r"(?<!\w)" + r"[\s-]+".join(re.escape(w) for w in words) + r"(?!\w)"
    return re.search(pattern, haystack_lower) is not None


# ---------------------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------------------


def extract_notes(
    units: Sequence[TranscriptSegment],
    segments: Sequence[TopicSegment],
    nlp,
    keybert,
    options: ExtractOptions = ExtractOptions(),  # noqa: B008  (frozen, so shared safely)
) -> MeetingNotes:
    """Notes for each segment and the meeting: key phrases, takeaways, actions, resources.

    ``units`` are the transcript segments (turns); ``segments[i].first_turn`` and
    ``last_turn`` are inclusive positions in ``units``. ``nlp`` is spaCy's English
    pipeline (tagger, parser, lemmatizer, ner); ``keybert`` a KeyBERT model whose
    ``.model.embed`` gives sentence embeddings. ``topics`` of the result is aligned
    1:1 with ``segments``; segments of kind opening/other get empty notes, a closing
    segment gets the takeaways said in it.
    """
    opts = options
    embed = _Embedder(keybert)
    n_units = len(units)
    seg_of_unit = [-1] * n_units
    for si, seg in enumerate(segments):
        for u in range(max(0, seg.first_turn), min(n_units - 1, seg.last_turn) + 1):
            seg_of_unit[u] = si

    # --- blocks: a turn, or ASR segments that one speaker's sentence runs across ---
    blocks: list[list[int]] = []  # unit positions
    for ui, u in enumerate(units):
        if seg_of_unit[ui] < 0 or not (u.text or "").strip():
            continue
        if blocks:
            prev = blocks[-1][-1]
            if (
                seg_of_unit[prev] == seg_of_unit[ui]
                and units[prev].speaker == u.speaker
                and not units[prev].text.rstrip().endswith((".", "?", "!"))
            ):
                blocks[-1].append(ui)
                continue
        blocks.append([ui])
    cleaned: list[str] = []
    disfluency: list[float] = []
    for block in blocks:
        raw = " ".join(units[ui].text.strip() for ui in block)
        c = clean_disfluencies(raw)
        cleaned.append(c)
        n_raw = max(1, len(raw.split()))
        disfluency.append(max(0.0, (n_raw - len(c.split())) / n_raw))
    todo = [bi for bi in range(len(blocks)) if cleaned[bi]]
    # --- one spaCy pass over the cleaned text ---
    docs: dict[int, object] = dict(
        zip(
            todo,
            nlp.pipe([cleaned[bi] for bi in todo], batch_size=opts.spacy_batch_size),
            strict=True,
        )
    )

    # --- names: speakers and PERSON entities ---
    banned_phrases: set[str] = set()
    name_tokens: set[str] = set()
    for u in units:
        if u.speaker:
            banned_phrases.add(_norm_ws(u.speaker))
            name_tokens.update(w for w in _norm_ws(u.speaker).split() if len(w) > 1)
    for doc in docs.values():
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                banned_phrases.add(_norm_ws(ent.text))
                name_tokens.update(
                    t.lower_
                    for t in ent
                    if len(t.text) > 1 and (t.pos_ == "PROPN" or t.text[:1].isupper())
                )

    # words that also occur in lower case are common words, not names ("Front", "Fairly")
    lower_vocab = {t.text for doc in docs.values() for t in doc if t.text.islower()}

    # --- sentences and key-phrase candidates per segment ---
    n_seg = len(segments)
    sentences: list[_Sentence] = []
    cands: list[dict[tuple[str, ...], _Candidate]] = [{} for _ in range(n_seg)]
    resources_found: list[Counter] = [Counter() for _ in range(n_seg)]
    resource_surface: dict[str, str] = {}
    order = 0
    for bi in todo:
        doc = docs[bi]
        ui = blocks[bi][0]
        si = seg_of_unit[ui]
        for sent in doc.sents:
            text = polish_sentence(sent.text)
            if not text:
                continue
            n_words = _word_count(text)
            raw_words = max(1, _word_count(sent.text))
            # words polishing removed, beyond a leading "And"/"So, yeah,"
            cut = max(0.0, (raw_words - n_words - 2) / raw_words)
            restarts_left = fix_restarts(text)[1]
            lemmas = frozenset(
                t.lemma_.lower()
                for t in sent
                if t.pos_ in _CONTENT_POS
                and not t.is_stop
                and t.is_alpha
                and t.lower_ not in FILLER_WORDS
            )
            sentences.append(
                _Sentence(
                    seg=si,
                    unit=ui,
                    order=order,
                    text=text,
                    words=n_words,
                    lemmas=lemmas,
                    question=text.endswith("?")
                    or sent.text.rstrip(" \"'").endswith("?")
                    or bool(_UNMARKED_QUESTION_RE.match(text)),
                    meta=is_facilitation(sent.text),
                    steering=bool(_STEERING_RE.search(sent.text)),
                    cue=_cue_score(text) + opts.imperative_cue * _is_imperative(sent),
                    disfluency=max(disfluency[bi], cut) + 0.1 * restarts_left,
                    dangling=_is_dangling(text),
                    vague=any(t.lower_ in _VAGUE_PRONOUNS and t.dep_ in _ARG_DEPS for t in sent),
                    fragment=_is_fragment(sent),
                    task_named=_names_a_task(sent),
                )
            )
            order += 1
        seg = segments[si]
        position = (ui - seg.first_turn) / max(1, seg.last_turn - seg.first_turn + 1)
        for chunk in doc.noun_chunks:
            if opts.skip_meta_chunks and is_facilitation(chunk.sent.text):
                continue  # "time's up for this card": facilitation, not content
            for key, surface in _chunk_candidates(chunk, opts, banned_phrases, name_tokens):
                cand = cands[si].get(key)
                if cand is None:
                    cand = cands[si][key] = _Candidate(key, Counter(), first=position)
                cand.count += 1
                cand.surfaces[surface] += 1
        for name, weight in _resources_in(
            doc, cleaned[bi], banned_phrases, name_tokens, lower_vocab
        ):
            k = name.lower()
            resources_found[si][k] += weight
            resource_surface.setdefault(k, name)

    raw_text = [
        _norm_ws(
            " ".join(
                units[u].text
                for u in range(max(0, s.first_turn), min(n_units - 1, s.last_turn) + 1)
            )
        )
        for s in segments
    ]
    seg_words = [_word_count(t) for t in raw_text]

    # --- embed the usable sentences, in one batched call ---
    usable = [
        s
        for s in sentences
        if not s.question
        and not s.meta
        and not s.dangling
        and not s.fragment
        and opts.sentence_min_words <= s.words <= opts.sentence_max_words
        and len(s.lemmas) >= 2
    ]
    if usable:
        vecs = embed([s.text for s in usable])
        for s, v in zip(usable, vecs, strict=True):
            s.vec = v
    by_seg: list[list[_Sentence]] = [[] for _ in range(n_seg)]
    for s in usable:
        by_seg[s.seg].append(s)

    # --- topic representations: centroid of sentence embeddings, and the title ---
    centroids: list[np.ndarray | None] = []
    for si in range(n_seg):
        if by_seg[si]:
            vecs = np.stack([s.vec for s in by_seg[si]])
            c = _unit_vector(vecs.mean(axis=0))
            centroids.append(c)
        elif raw_text[si].strip():
            centroids.append(embed([" ".join(raw_text[si].split()[:200])])[0])
        else:
            centroids.append(None)
    titles = [s.title.strip() if s.title else "" for s in segments]
    title_vecs = dict(
        zip(
            [t for t in dict.fromkeys(titles) if t],
            embed([t for t in dict.fromkeys(titles) if t]),
            strict=True,
        )
    )

    # --- key phrases ---
    df = Counter(k for c in cands for k in c)
    meeting_counts = Counter()
    for c in cands:
        for k, cand in c.items():
            meeting_counts[k] += cand.count
    idf = {k: math.log((1 + n_seg) / (1 + n)) + 1.0 for k, n in df.items()}
    is_topic = [s.kind == "topic" for s in segments]
    if not any(is_topic):  # nothing labelled a topic: treat every non-opening part as one
        is_topic = [s.kind != "opening" for s in segments]
    seg_phrases: list[tuple[str, ...]] = [() for _ in range(n_seg)]
    phrase_lemmas: list[set[str]] = [set() for _ in range(n_seg)]
    for si in range(n_seg):
        if not is_topic[si] or centroids[si] is None:
            continue
        n = min(
            opts.max_keyphrases,
            opts.min_keyphrases + seg_words[si] // max(1, opts.words_per_extra_keyphrase),
        )
        topic_vec = centroids[si]
        k_central = opts.keyphrase_central_sentences
        if k_central and len(by_seg[si]) > k_central:
            vecs = np.stack([s.vec for s in by_seg[si]])
            central = np.argsort(-(vecs @ topic_vec), kind="stable")[:k_central]
            topic_vec = _unit_vector(vecs[central].mean(axis=0))
        if titles[si] and opts.keyphrase_title_seed_weight > 0:
            w = opts.keyphrase_title_seed_weight
            topic_vec = _unit_vector((1 - w) * topic_vec + w * title_vecs[titles[si]])
        ranked_phrases = _rank_phrases(
            cands[si],
            {
                k: (1 + math.log(c.count))
                * idf[k] ** opts.keyphrase_idf_power
                * (1 + opts.keyphrase_position_weight * (c.first < opts.keyphrase_early_share))
                for k, c in cands[si].items()
            },
            topic_vec,
            raw_text[si],
            n,
            embed,
            opts,
            {k: c.count / (meeting_counts[k] + 1) for k, c in cands[si].items()},
        )
        seg_phrases[si] = tuple(surface for surface, _ in ranked_phrases)
        phrase_lemmas[si] = {lemma for _, key in ranked_phrases for lemma in key}

    # meeting-level phrases: pooled over the topics
    pooled: dict[tuple[str, ...], _Candidate] = {}
    spread: Counter = Counter()
    for si in range(n_seg):
        if not is_topic[si]:
            continue
        for k, c in cands[si].items():
            p = pooled.get(k)
            if p is None:
                p = pooled[k] = _Candidate(k, Counter())
            p.count += c.count
            p.surfaces.update(c.surfaces)
            spread[k] += 1
    n_topics = max(1, sum(is_topic))
    topic_cents = [
        centroids[si] for si in range(n_seg) if is_topic[si] and centroids[si] is not None
    ]
    meeting_phrases: tuple[str, ...] = ()
    if pooled and topic_cents:
        meeting_cent = _unit_vector(np.mean(topic_cents, axis=0))
        prior = {
            k: (1 + math.log(c.count)) * (1 + opts.meeting_spread_weight * spread[k] / n_topics)
            for k, c in pooled.items()
        }
        meeting_text = " ".join(raw_text[si] for si in range(n_seg) if is_topic[si])
        meeting_phrases = tuple(
            surface
            for surface, _ in _rank_phrases(
                pooled, prior, meeting_cent, meeting_text, opts.meeting_keyphrases, embed, opts
            )
        )

    # --- takeaways, action items, resources ---
    notes: list[TopicNotes] = []
    for si, seg in enumerate(segments):
        if seg.kind == "closing":
            notes.append(TopicNotes((), _closing_takeaways(sentences, si, opts), (), ()))
            continue
        if not is_topic[si]:
            notes.append(EMPTY_NOTES)
            continue
        chosen_actions = _action_items(
            sentences, si, centroids[si], banned_phrases, name_tokens, opts
        )
        actions = tuple(
            ActionItem(s.text, _owner(s.text, units[s.unit].speaker), units[s.unit].start)
            for s in chosen_actions
        )
        action_texts = {a.text for a in actions}
        scored = _score_sentences(
            [s for s in by_seg[si] if s.text not in action_texts and not s.steering],
            centroids[si],
            title_vecs.get(titles[si]),
            phrase_lemmas[si],
            opts,
        )
        n_take = min(
            opts.max_takeaways,
            opts.min_takeaways + seg_words[si] // max(1, opts.words_per_extra_takeaway),
        )
        takeaways = _select_diverse(scored, n_take, opts)
        res = [(resource_surface[k], w) for k, w in resources_found[si].most_common()]
        notes.append(
            TopicNotes(
                keyphrases=seg_phrases[si],
                takeaways=tuple(s.text for s in sorted(takeaways, key=lambda s: s.order)),
                action_items=actions,
                resources=tuple(_dedupe_resources(res)[: opts.max_resources]),
            )
        )

    overview = _overview(
        segments,
        is_topic,
        by_seg,
        centroids,
        titles,
        title_vecs,
        phrase_lemmas,
        sum(seg_words),
        opts,
        shown_titles=[s.title for s in retitled(segments, seg_phrases)],
    )
    return MeetingNotes(overview=overview, keyphrases=meeting_phrases, topics=tuple(notes))


def retitled(
    segments: Sequence[TopicSegment], keyphrases: Sequence[Sequence[str]]
) -> tuple[TopicSegment, ...]:
    """Topics not on the agenda titled by their first three key phrases.

    The segmenter's own titles are its most distinctive words, often adverbs and
    verbs ("May, sometimes, enter"); the key phrases are noun phrases chosen to
    represent the topic ("Intentions, context, building"). On the val meetings
    without an agenda they come nearer the human topic titles (MiniLM cosine 0.30
    against 0.21). Agenda cards, topics titled as the facilitator announced them, and
    topics without key phrases keep their titles.
    """
    out: list[TopicSegment] = []
    taken: set[str] = {s.title for s in segments if s.agenda_index is not None}
    for segment, phrases in zip(segments, keyphrases, strict=True):
        if (
            segment.kind != "topic"
            or segment.agenda_index is not None
            or segment.title_said
            or not phrases
        ):
            out.append(segment)
            continue
        title = ", ".join(phrases[:3])
        title = title[:1].upper() + title[1:]
        if title in taken:
            title = f"{title} (turns {segment.first_turn + 1}-{segment.last_turn + 1})"
        taken.add(title)
        out.append(replace(segment, title=title))
    return tuple(out)


# ---------------------------------------------------------------------------------------
# Key phrases
# ---------------------------------------------------------------------------------------


def _word_groups(toks) -> list[list]:
    """Tokens grouped into words: "on-call" (on, -, call) is one group."""
    groups: list[list] = []
    for t in toks:
        prev = groups[-1][-1] if groups else None
        if prev is not None and prev.whitespace_ == "" and (t.text == "-" or prev.text == "-"):
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups


def _chunk_candidates(chunk, opts: ExtractOptions, banned_phrases: set[str], name_tokens: set[str]):
    """(lemma key, surface) for a noun chunk and its head-final sub-phrases."""
    toks = list(chunk)
    # a possessive ("Google's book") keeps only what follows it
    for i in range(len(toks) - 1, -1, -1):
        if toks[i].tag_ == "POS":
            toks = toks[i + 1 :]
            break

    def weak(group) -> bool:  # a one-token word that cannot start or end a phrase
        t = group[0]
        return len(group) == 1 and (
            t.pos_ in _BAD_POS_EDGE or t.is_stop or t.lower_ in FILLER_WORDS
        )

    groups = _word_groups(toks)
    groups = groups[-opts.max_phrase_tokens :]
    while groups and weak(groups[0]):
        groups = groups[1:]
    while groups and weak(groups[-1]):
        groups = groups[:-1]
    if not groups or groups[-1][-1].pos_ not in ("NOUN", "PROPN"):
        return []
    out = []
    for k in range(len(groups)):
        first = groups[k][0]
        if (
            k > 0
            and len(groups[k]) == 1
            and (first.pos_ not in ("NOUN", "PROPN", "ADJ") or first.is_stop)
        ):
            continue
        cand = _make_candidate([t for g in groups[k:] for t in g], banned_phrases, name_tokens)
        if cand is not None:
            out.append(cand)
    return out


def _make_candidate(toks, banned_phrases: set[str], name_tokens: set[str]):
    for t in toks:
        if t.text == "-":
            continue
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9'’-]*", t.text):
            return None
        if t.lower_ in FILLER_WORDS or t.ent_type_ == "PERSON":
            return None
        if t.lower_ in name_tokens and (t.pos_ == "PROPN" or t.text[:1].isupper()):
            return None
    if all(t.is_stop or t.text == "-" for t in toks):
        return None
    head = toks[-1]
    if head.lemma_.lower() in GENERIC_NOUNS or head.lower_ in GENERIC_NOUNS:
        return None
    if head.i > 0 and (head.doc[head.i - 1].lower_, head.lower_) in IDIOM_NOUNS:
        return None
    if len([t for t in toks if t.text != "-"]) == 1 and head.lemma_.lower() in SOLO_GENERIC_NOUNS:
        return None  # "team" says nothing; "platform team" does
    if any(t.pos_ == "PRON" for t in toks):
        return None
    parts = []
    for t in toks:
        keep_case = t.pos_ == "PROPN" or (t.text.isupper() and len(t.text) > 1)
        parts.append((t.text if keep_case else t.lower_) + t.whitespace_)
    surface = "".join(parts).strip()
    if len(surface) < 3 or _norm_ws(surface) in banned_phrases:
        return None
    key = tuple(t.lemma_.lower() for t in toks if t.text != "-")
    return key, surface


def _rank_phrases(
    cands: dict,
    prior: dict,
    centroid: np.ndarray,
    text_lower: str,
    n: int,
    embed,
    opts: ExtractOptions,
    distinct: dict | None = None,
) -> list[tuple[str, tuple[str, ...]]]:
    """KeyBERT relevance + a frequency prior, then MMR; surfaces that occur in the text."""
    if not cands or n <= 0:
        return []

    def pool_rank(k):
        return prior[k] * (1.0 + 0.5 * (len(k) > 1))

    # a sub-phrase never said on its own ("Reliability Engineering" only inside "Site
    # Reliability Engineering") gives way to the full phrase
    longer: dict[tuple[str, ...], int] = {}
    for k, c in cands.items():
        for i in range(1, len(k)):
            longer[k[i:]] = max(longer.get(k[i:], 0), c.count)
    keys = [k for k, c in cands.items() if longer.get(k, 0) < c.count]
    pool = sorted(keys, key=pool_rank, reverse=True)[: opts.keyphrase_pool]
    surfaces = {}
    for k in pool:
        for surf, _ in cands[k].surfaces.most_common():
            if _occurs(surf, text_lower):
                surfaces[k] = surf
                break
    pool = [k for k in pool if k in surfaces]
    if not pool:
        return []
    vecs = embed([surfaces[k] for k in pool])
    rel = vecs @ centroid
    top_prior = max(prior[k] for k in pool) or 1.0
    score = (
        opts.keyphrase_sim_weight * rel
        + opts.keyphrase_tfidf_weight * np.array([prior[k] / top_prior for k in pool])
        + opts.keyphrase_multiword_bonus * np.array([len(k) > 1 for k in pool], dtype=float)
    )
    if distinct and opts.keyphrase_distinct_weight:
        score = score + opts.keyphrase_distinct_weight * np.array([distinct[k] for k in pool])
    sims = vecs @ vecs.T
    chosen: list[int] = []
    chosen_lemmas: list[set[str]] = []
    remaining = list(range(len(pool)))
    lam = opts.keyphrase_diversity
    while remaining and len(chosen) < n:
        if chosen:
            redundancy = sims[np.ix_(remaining, chosen)].max(axis=1)
        else:
            redundancy = np.zeros(len(remaining))
        mmr = (1 - lam) * score[remaining] - lam * redundancy
        best = remaining[int(np.argmax(mmr))]
        remaining.remove(best)
        lem = set(pool[best])
        if opts.keyphrase_subset_dedupe and any(lem <= c or c <= lem for c in chosen_lemmas):
            continue  # "control" after "remote control", or the reverse
        chosen.append(best)
        chosen_lemmas.append(lem)
    return [(surfaces[pool[i]], pool[i]) for i in chosen]


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------


def _score_sentences(
    sents: list[_Sentence],
    centroid,
    title_vec,
    phrase_lemmas: set[str],
    opts: ExtractOptions,
    title_weight: float | None = None,
    cue_weight: float | None = None,
    content_weight: float | None = None,
) -> list[tuple[float, _Sentence]]:
    if not sents or centroid is None:
        return []
    tw = opts.takeaway_title_weight if title_weight is None else title_weight
    cw = opts.takeaway_cue_weight if cue_weight is None else cue_weight
    nw = opts.takeaway_content_weight if content_weight is None else content_weight
    vecs = np.stack([s.vec for s in sents])
    score = opts.takeaway_centroid_weight * (vecs @ centroid)
    if title_vec is not None:
        score = score + tw * (vecs @ title_vec)
    out = []
    for s, base in zip(sents, score, strict=True):
        v = float(base)
        v += cw * min(opts.cue_cap, s.cue)
        v += nw * min(len(s.lemmas), 8) / 8
        v += opts.takeaway_keyphrase_weight * min(3, len(s.lemmas & phrase_lemmas))
        if s.words < opts.ideal_min_words:
            v -= opts.short_penalty * (opts.ideal_min_words - s.words) / opts.ideal_min_words
        v -= opts.disfluency_penalty * s.disfluency
        if _PRONOUN_START_RE.match(s.text):
            v -= opts.pronoun_start_penalty
        if s.vague:
            v -= opts.vague_penalty
        out.append((v, s))
    out.sort(key=lambda p: (-p[0], p[1].order))
    return out


def _is_duplicate(s: _Sentence, chosen: list[_Sentence], opts: ExtractOptions) -> bool:
    for c in chosen:
        if (
            s.vec is not None
            and c.vec is not None
            and float(s.vec @ c.vec) > opts.near_duplicate_cosine
        ):
            return True
        union = s.lemmas | c.lemmas
        if union and len(s.lemmas & c.lemmas) / len(union) > opts.near_duplicate_jaccard:
            return True
    return False


def _select_diverse(
    scored: list[tuple[float, _Sentence]], n: int, opts: ExtractOptions
) -> list[_Sentence]:
    chosen: list[_Sentence] = []
    for _, s in scored:
        if len(chosen) >= n:
            break
        if not _is_duplicate(s, chosen, opts):
            chosen.append(s)
    return chosen


def _closing_takeaways(
    sentences: list[_Sentence], si: int, opts: ExtractOptions
) -> tuple[str, ...]:
    """A closing round: each person's takeaway, in the order said."""
    chosen: list[_Sentence] = []
    for s in sentences:
        if s.seg != si or s.question or s.meta or s.steering or s.dangling or s.words < 4:
            continue
        if len(s.lemmas) < 2 or s.words > opts.sentence_max_words or _is_duplicate(s, chosen, opts):
            continue
        chosen.append(s)
    # prefer the sentences that name a takeaway when there are too many
    if len(chosen) > opts.max_closing_takeaways:
        ranked = sorted(chosen, key=lambda s: (-s.cue, s.order))[: opts.max_closing_takeaways]
        chosen = sorted(ranked, key=lambda s: s.order)
    return tuple(s.text for s in chosen)


# "Let's ..." is a task only when it reaches past the meeting ("let's all bring one story
# to the next meeting", "let's share the rubric after the call"); otherwise the group is
# deciding there and then ("let's do a single curve", "let's read digits and go": AMI
# ES2009d, ICSI Bmr012).
_GROUP_RE = re.compile(r"(?i)let['’]?s\b|let us\b")
_AFTER_THE_MEETING_RE = re.compile(
    r"(?i)\b(?:next (?:meeting|time|week|month|session|call|board|lean coffee)"
    r"|by (?:monday|tuesday|wednesday|thursday|friday|tomorrow|the end of)"
    r"|after (?:the|this|today'?s) (?:call|meeting|session)|tomorrow|offline|off-line"
    r"|this week|later today|before (?:the|our) next"
    r"|send|share|e-?mail|circulate|schedule|write (?:it |that |this )?up|follow up)\b"
)


def commitment_cues(sentence: str) -> list[str]:
    """The words that make ``sentence`` an action item ("I'll send", "next steps"), if any."""
    if _NOT_ACTION_RE.search(sentence.replace("’", "'")):
        return []
    # Inside a quotation ("it says: 'OK, I'm gonna try the greeting'") nobody promises.
    return [
        m.group(0)
        for m in _ACTION_RE.finditer(sentence)
        if len(re.findall(r'["“”]', sentence[: m.start()])) % 2 == 0
    ]


def _action_items(
    sentences: list[_Sentence],
    si: int,
    centroid,
    banned_phrases: set[str],
    name_tokens: set[str],
    opts: ExtractOptions,
) -> list[_Sentence]:
    found: list[tuple[float, _Sentence]] = []
    for s in sentences:
        if (
            s.seg != si
            or s.question
            or s.meta
            or s.dangling
            or s.words < 5
            or s.words > opts.sentence_max_words
            or s.disfluency > opts.max_action_disfluency
        ):
            continue
        hits = commitment_cues(s.text)
        if not hits or not s.task_named:
            continue
        if _GROUP_RE.match(hits[0]) and not _AFTER_THE_MEETING_RE.search(s.text):
            continue  # "let's do a single curve": decided in the meeting, not a task after it
        content = {w for w in s.lemmas if w not in _ACTION_CUE_WORDS and w not in name_tokens}
        if len(content) < 2:
            continue
        salience = float(s.vec @ centroid) if (s.vec is not None and centroid is not None) else 0
        found.append((len(hits) + salience, s))
    found.sort(key=lambda p: (-p[0], p[1].order))
    chosen: list[_Sentence] = []
    promised: set[str] = set()
    for _, s in found:
        if len(chosen) >= opts.max_action_items:
            break
        # The same promise said twice ("I'm gonna save a copy ...") is one item.
        promise = _promise(s.text)
        if promise not in promised and not _is_duplicate(s, chosen, opts):
            chosen.append(s)
            promised.add(promise)
    return sorted(chosen, key=lambda s: s.order)


# A commitment the speaker takes on: "I'll send", "we're going to try", "what we'll do
# is". Not "let's" (the whole group), "you'll" (someone else) or "next steps".
_OWN_COMMITMENT_RE = re.compile(r"(?i)^(?:what\s+)?(?:i|we)\b")


def _owner(sentence: str, speaker: str | None) -> str | None:
    """Who took the sentence's commitment on: its speaker, when they promised it."""
    cues = commitment_cues(sentence)
    if not speaker or not cues or not _OWN_COMMITMENT_RE.match(cues[0]):
        return None
    return speaker


def _promise(sentence: str) -> str:
    """A sentence's first commitment and the three words after it, in lower case."""
    match = _ACTION_RE.search(sentence)
    if match is None:
        return sentence.lower()
    after = re.findall(r"[\w']+", sentence[match.end() :])[:3]
    return " ".join([match.group(0).lower(), *(w.lower() for w in after)])


# ---------------------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------------------


def _clean_resource(name: str) -> str:
    name = name.strip(" \"'“”‘’.,;:!?()")
    name = re.sub(r"(?i)^(?:the|a|an|this|that|these|those|our|my|your|their)\s+", "", name)
    name = re.sub(r"['’]s$", "", name)
    return " ".join(name.split())


def named_resources(text: str) -> list[str]:
    """Resources a text names outright: "a tool called DX", "the book Accelerate".

    A match inside a longer one is part of it: "Site Reliability Engineering" in
    "Google book on Site Reliability Engineering".
    """
    spans = [m.span(1) for rx in _RESOURCE_PATTERNS for m in rx.finditer(text)]

    def inside_another(a: int, b: int) -> bool:
        return any(c <= a and b <= d and (c, d) != (a, b) for c, d in spans)

    outer = [(a, b) for a, b in spans if not inside_another(a, b)]
    return [_clean_resource(text[a:b]) for a, b in dict.fromkeys(sorted(outer))]


def _resources_in(
    doc, text: str, banned_phrases: set[str], name_tokens: set[str], lower_vocab: set[str]
) -> list[tuple[str, float]]:
    """(name, weight): links and "a book called X" count more than a bare entity."""
    found: list[tuple[str, float]] = []
    for m in _URL_RE.finditer(text):
        found.append((m.group(0).rstrip(".,;:!?)"), 3.0))
    found += [(name, 3.0) for name in named_resources(text)]
    for ent in doc.ents:
        if ent.label_ not in _RESOURCE_LABELS:
            continue
        words = [t for t in ent if t.is_alpha]
        if not words or any(t.ent_type_ == "PERSON" for t in ent):
            continue
        if all(len(t.text) == 1 for t in words if t.pos_ != "DET"):
            continue  # "the M L": letters spelled out, not a name
        # "F first": a stutter; a name's words are capitalised ("Switchboard-two" is one)
        if any(t.is_lower and t.text not in _JOINER_WORDS and _stands_alone(t) for t in words):
            continue
        if len(words) == 1:
            w = words[0].text
            if w.isupper() and len(w) <= 2:
                continue  # "TH", "WH": letters spelled out, not names
            if not w.isupper() and (w.lower() in lower_vocab or ent.start == ent.sent.start):
                continue  # a common word capitalised by position
        found.append((_clean_resource(ent.text), 1.0))
    out = []
    for name, weight in found:
        low = _norm_ws(name)
        words = low.split()
        if not words or len(words) > 6 or len(low) < 2:
            continue
        if not any(ch.isupper() for ch in name) and "." not in name:
            continue  # lower-case "entities" in speech transcripts are noise
        if low in banned_phrases or any(w in name_tokens for w in words):
            continue
        if all(w in FILLER_WORDS or w in GENERIC_NOUNS for w in words):
            continue
        if re.fullmatch(r"[\d\s.,%$€£-]+", name) or low in _NOT_RESOURCES:
            continue
        out.append((name, weight))
    return out


def _stands_alone(token) -> bool:
    """Not the tail of a hyphenated word ("Switchboard-two")."""
    return token.i == 0 or token.doc[token.i - 1].whitespace_ != ""


def _dedupe_resources(ranked: list[tuple[str, float]]) -> list[str]:
    """Names in weight order, each resource once.

    A bare entity inside a resource named outright is part of it ("Google" in
    "Google book on ..."); otherwise the shorter name of two wins ("DX" in "a tool
    called DX").
    """
    kept: dict[str, float] = {}  # name: weight, in order
    for name, weight in ranked:
        if any(_contains(name, k) or (_contains(k, name) and w > weight) for k, w in kept.items()):
            continue  # kept already, or a shorter name of it, or a stronger one around it
        kept = {k: w for k, w in kept.items() if not _contains(k, name)}
        kept[name] = weight
    return list(kept)


def _contains(outer: str, inner: str) -> bool:
    """``inner`` occurs in ``outer`` as whole words, case aside."""
    return re.search(rf"(?<!\w){re.escape(inner.lower())}(?!\w)", outer.lower()) is not None


# ---------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first in ("I", "I'm", "I've", "I'd", "I'll") or first[:2].isupper():
        return text
    return text[0].lower() + text[1:]


_NUMBER_WORDS = "zero one two three four five six seven eight nine ten".split()


def _intro(titles: list[str]) -> str:
    """ "The group discussed three topics: A; B; and C." (titles keep their case)."""
    titles = [t.rstrip(" .;:") for t in titles]
    n = len(titles)
    count = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    listed = titles[0] if n == 1 else "; ".join(titles[:-1]) + "; and " + titles[-1]
    return f"The group discussed {count} topic{'s' if n > 1 else ''}: {listed}."


def _overview(
    segments,
    is_topic,
    by_seg,
    centroids,
    titles,
    title_vecs,
    phrase_lemmas,
    total_words,
    opts: ExtractOptions,
    shown_titles: Sequence[str],
) -> str:
    """The overview; ``shown_titles`` are the titles the summary will show (for the intro)."""
    target = int(
        min(
            opts.overview_max_words,
            opts.overview_min_words + opts.overview_words_per_meeting_word * total_words,
        )
    )
    topic_ids = [si for si in range(len(segments)) if is_topic[si] and centroids[si] is not None]
    if not topic_ids:
        return ""
    ranked: dict[int, list[_Sentence]] = {}
    for si in topic_ids:
        scored = _score_sentences(
            [
                s
                for s in by_seg[si]
                if s.words <= opts.overview_sentence_max_words
                and not s.steering
                and not _LEANS_ON_PREVIOUS_RE.match(s.text)
            ],
            centroids[si],
            title_vecs.get(titles[si]),
            set(phrase_lemmas[si]) if opts.overview_use_keyphrases else set(),
            opts,
            title_weight=opts.overview_title_weight,
            cue_weight=opts.overview_cue_weight,
            content_weight=opts.overview_content_weight,
        )
        ranked[si] = [s for _, s in scored]
    unique_titles = list(dict.fromkeys(shown_titles[si] for si in topic_ids if shown_titles[si]))
    intro = ""
    if opts.overview_style == "intro" and unique_titles:
        intro = _intro(unique_titles)
    used = _word_count(intro)
    # round robin, longest topics first, until the word budget is spent
    size_order = sorted(topic_ids, key=lambda si: -sum(s.words for s in by_seg[si]))
    if opts.overview_selection == "lexrank":
        pool = [s for si in topic_ids for s in ranked[si]]
        if pool:
            vecs = np.stack([s.vec for s in pool])
            centrality = (vecs @ vecs.T).mean(axis=1)
            bonus = [opts.overview_content_weight * min(len(s.lemmas), 8) / 8 for s in pool]
            order = np.argsort(-(centrality + np.array(bonus)), kind="stable")
            ranked[-1] = [pool[i] for i in order]
        else:
            ranked[-1] = []
        size_order = [-1]
    picked: dict[int, list[_Sentence]] = {si: [] for si in [*topic_ids, -1]}
    all_picked: list[_Sentence] = []
    progress = True
    while progress and used < target:
        progress = False
        for si in size_order:
            for s in ranked[si]:
                if s in picked[si] or _is_duplicate(s, all_picked, opts):
                    continue
                extra = s.words + (
                    _word_count(titles[si]) + 2
                    if opts.overview_style == "template" and not picked[si]
                    else 0
                )
                if used + extra > target + 10:
                    continue
                picked[si].append(s)
                all_picked.append(s)
                used += extra
                progress = True
                break
            if used >= target:
                break
    parts = [intro] if intro else []
    if picked[-1]:  # global selection: sentences in time order, under their topics
        for s in picked[-1]:
            picked[s.seg].append(s)
    for si in topic_ids:  # time order
        sents = sorted(picked[si], key=lambda s: s.order)
        if not sents:
            continue
        body = " ".join(s.text for s in sents)
        if opts.overview_style == "template" and titles[si]:
            body = f"On {titles[si].rstrip(' .;:')}: {_lower_first(body)}"
        parts.append(body)
    return " ".join(parts)
