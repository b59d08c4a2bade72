"""What the facilitator says: the phrases that run a Lean Coffee, read from the words.

Cards read out ("the next card is X"), moving on ("let's move on", "let's talk about X"),
going back to a card, the parking lot, the Roman vote and its outcome, the dot votes
said, and the takeaway round called. The segmenter (`segment.py`) places topics with
them; the extraction keeps such sentences out of takeaways (`is_facilitation`). Every
function here reads text (or units of a transcript) only: no model, no blocks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.artifacts import AgendaCard, TranscriptSegment

# Facilitator phrases. A strong cue starts a card in the unit that says it.
_ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|last|final)"
_COUNT = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
# Said at the start of a sentence, where "next up" reads a card out ("next up is ..."),
# not within one ("whoever wants to get up next").
_LEADS = (
    r"(?:^|(?<=[.?!,;:])|(?<=[.?!,;:] ))"
    r"(?:(?:so|okay|ok|alright|right|and|now|well|good|great|then)\W+)*"
)
_STRONG_CUES = re.compile(
    rf"\b(?:next (?:topic|card|item|question)|{_ORDINAL} (?:card|topic)"
    rf"|(?:card|topic) (?:number )?{_COUNT}(?=:| is\b)"
    r"|(?:card|topic) with the (?:next )?(?:most|highest) votes|(?:card|topic) is (?:first|next)"
    r"|(?:first|next) is [\w-]+'s (?:card|topic)"
    r"|let'?s move on|moving on|move on to|on to the next|next on the (?:agenda|list)"
    r"|(?:time to|we should|we can|we could|shall we|ready to|we'?ll|we need to) move on)\b"
    rf"|{_LEADS}(?:(?:first|next) up|up next|(?:first|next),? we have(?! to\b))\b"
)
# A clause that a cue ends, opened by "before": "any questions before we go on to the next
# one?", "before moving on to the next card, ...": the talk has not moved on yet.
_BEFORE = re.compile(r"\bbefore\b[^.?!,;:]*$")
_FIRST_SENTENCE = re.compile(r"[^.?!]*[.?!]?")  # a unit's words up to its first sentence end
WEAK_CUES = re.compile(
    r"\b(?:time'?s up|agenda|next one|next point|presentation"
    r"|let'?s (?:talk|start|discuss|get started))\b"
)
_CLOSING_CUES = re.compile(
    r"\b(?:takeaways?|(?:my|one|a|your|main|key|biggest?) take aways?|take aways"
    r"|wrap(?:ping)? (?:it )?up|to wrap|closing round|parking lot"
    r"|out of time|that'?s all for today)\b"
)
# The facilitator calling the takeaway round ("one takeaway from each of you", "let's go
# around the room: what will you take away?", "to close, one learning from each of you",
# "let's do a final round"). Whisper often writes "take away", and a bare "take away" is
# usually the verb. "Before we go" is a closing only when not "before we go on to ...".
_EACH = r"(?:from each|each of (?:you|us)|each person|every ?(?:one|body)|round|all of you)"
_TAKEN = (
    r"(?:take ?aways?|take away|taking away|take back|taking back|learn(?:ed|ing|ings)?"
    r"|insights?|lessons?|reflections?|one thing|(?:closing|final) thoughts?)"
)
ROUND_CALL = re.compile(
    rf"\b(?:takeaways?|(?:one|a|your) take away)\b.*(?:\b{_EACH}\b|\beach\W*$)"
    r"|\b(?:closing|final) round\b|\bround of take ?aways\b"
    rf"|\b(?:closing|final) thoughts?\b[^.?!]*\b{_EACH}\b"
    r"|\b(?:every ?one|every ?body)'?s (?:key |main |biggest )?(?:learning|takeaway|insight)s?\b"
    rf"|\bgo(?:ing)? around\b[^.?!]*\b{_TAKEN}\b"
    r"|(?:^|[.?!,;:] *)(?:(?:so|and|now|okay|ok|well)\W+)*"
    r"(?:to close|let'?s close|as we close|in closing|to finish|let'?s finish"
    r"|before we (?:go|leave|finish|end|close|wrap up|hang up|drop off)"
    r"(?! (?:on|in|into|through|over|to|back|ahead|further|forward|any|with)\b))"
    rf"[^.?!]*\b(?:{_EACH}|each)\b"
)
# The facilitator naming the card that starts, in the ways facilitators read a card out:
# "the next card is X", "the third topic, from Dana, is X", "card two: X", "the
# card with the most votes is X", "next up is X", "next, we have X", "X is our next
# card". Whisper sometimes hears "is" as "in".
_CARD = r"(?:card|topic|item|question)"
_ANNOUNCED = (
    re.compile(
        rf"\b(?:(?:next|{_ORDINAL}) {_CARD}|(?:card|topic) (?:number )?{_COUNT}"
        r"|(?:card|topic) with the (?:next )?(?:most|highest) votes)"
        r"(?: on the (?:agenda|list|board))?(?:,? (?:from|by) [^.?!;,]{1,40},)?"
        r"(?:,? with (?:\w+ )?votes?,?)?"  # "our next card, with four votes, is X"
        r"(?: (?:is(?: going to be)?|in|was|will be|would be)|:)\s+(?P<title>[^.?!;]+)",
        re.IGNORECASE,
    ),
    re.compile(  # "Next topic, X", "moving on to the next card, X": the pointer opens it
        rf"{_LEADS}(?:(?:let'?s (?:start|begin) with|mov(?:e|ing) on to|on to) the )?"
        rf"(?:first|next) {_CARD},\s+(?P<title>[^.?!;]+)",
        re.IGNORECASE,
    ),
    re.compile(  # "Mark's card is next: X"
        rf"\b[\w-]+'s {_CARD} is (?:next|first|up next|up)(?::|,)?\s+(?P<title>[^.?!;]+)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"{_LEADS}(?:(?:first|next) up(?: is| in|:|,)?|up next(?: is| in|:|,)?"
        r"|(?:first|next),? we have"
        r"(?! to\b))"
        r"\s+(?P<title>[^.?!;]+)",
        re.IGNORECASE,
    ),
    re.compile(  # the proposer reading their own card: "my card is X", "the topic I put up was X"
        rf"{_LEADS}(?:(?:sure|yeah|yes|yep|thanks|thank you)\W+)*"
        r"(?:my (?:card|topic)|the (?:card|topic) i (?:put up|proposed|added|wrote|suggested"
        r"|brought(?: up)?))(?: (?:is|was)|:)\s+(?P<title>[^.?!;]+)",
        re.IGNORECASE,
    ),
    re.compile(  # the title first: the last clause before "is our next card"
        rf"(?:^|[.?!,;]\s*)(?P<title>[^.?!;,]+?) (?:is|will be) (?:our|the) (?:next|{_ORDINAL})"
        rf" {_CARD}\b",
        re.IGNORECASE,
    ),
)
# The facilitator handing the floor to a card's proposer without its title ("Next is
# Mark's card.", "Mark, it's your card."): the proposer reads it out ("My card is X.").
HANDOVER = re.compile(
    r"\b(?:(?:first|next)(?: up)?(?: is|:)|(?:first|next) (?:card|topic) is)"
    r" (?:[\w-]+'s (?:card|topic)|[\w-]+'s\b|mine|yours)"
    r"|\b[\w-]+'s (?:card|topic) is (?:next|first|up)\b"
    r"|\b(?:it'?s|this one is|that one is) yours\b|\byour (?:card|topic)\b"
    r"|\b(?:introduce|present) (?:it|your (?:card|topic)|yours)\b",
    re.IGNORECASE,
)
HANDOVER_UNITS = 2  # the proposer's reading comes within this many units of the handover
# "Let's move on to X", "let's start with X", "let's talk about X" (AMI's "Next. Let's talk
# about money." starts a topic): a facilitator reading a card out, or as
# often a participant moving the talk on within one ("let's move on to the budget
# question"). Read as cards, such asides became topics of their own at 40 of 112 places
# tried in the demo (2 otherwise), so they name no card as such; "move on to" is a strong
# cue. Without an agenda, and no card read out otherwise, those one speaker says are the
# cards (_moved_to_titles).
_MOVED_TO = re.compile(
    r"\b(?:mov(?:e|ing) on to|let'?s (?:start|begin|kick off) with|let'?s (?:talk about|discuss))\b"
)
_MOVED_TO_TITLE = re.compile(_MOVED_TO.pattern + r"\s+(?P<title>[^.?!;]+)", re.IGNORECASE)
# Moving on to something other than a card ("let's move on to the next point", "moving on
# to tooling"), rather than "let's move on" or "moving on to the next card".
TO_A_POINT = re.compile(
    r"\bmov(?:e|ing) on to (?!(?:the |a |our )?(?:next |last |final |other |another )?"
    r"(?:card|topic|item|sticky|one)\b)\w",
    re.IGNORECASE,
)
# "The next topic: the next one", "next up: something else", "the first item is the
# beginning": pointing on, naming nothing.
_NAMES_NO_CARD = re.compile(
    r"^(?:the |a |an )?(?:next|other|another|following|previous|same|something|that|this"
    r"|it|them|those|these|questions?|beginning|start|basics)\b"
    r"|^[\w-]+'s (?:card|topic|item|one)\W*$",  # "next up is Mark's card": whose, not what
    re.IGNORECASE,
)
# The facilitator taking the group back to a card discussed before ("let's go back to
# engineering metrics for a minute"): a card that comes back later.
_RETURN = re.compile(
    r"(?:\b(?:let'?s|let us|can we|could we|shall we)"
    r" (?:(?:go|come|get|circle) back to|revisit|return to)"
    rf"|{_LEADS}(?:going|coming) back to)"
    r"\s+(?P<title>[^.?!;]+)",
    re.IGNORECASE,
)
# The facilitator deferring a card to the parking lot, to carry it over to the next
# board: "let's put X in the parking lot", "let's park X", "the last card, X, goes to
# the parking lot".
_TO_PARKING_LOT = r"\s+(?:to|in|into|on|onto)\s+(?:the|our)\s+parking lot\b"
PARKED = (
    re.compile(
        r"\b(?:put|putting|move|moving|add|adding|send|sending|leave|leaving)\s+"
        rf"(?P<title>[^.?!;]+?){_TO_PARKING_LOT}",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:let'?s|let us|we'?ll|we will|we can|i'?ll)\s+park\s+"
        r"(?P<title>[^.?!;,]+?)(?=\s+(?:for|until|till|and|so)\b|[,.?!;]|$)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<title>[^.?!;]+?)\s+(?:goes|go|will go|is going|are going|can go|moves?|is moving"
        rf"|gets? parked|is parked){_TO_PARKING_LOT}",
        re.IGNORECASE,
    ),
)
# ... or to a later meeting ("we'll carry X over to next month", "let's save X for next
# time", "X will carry over to the next session"): said of other things too ("we'll push
# the launch to next month"), so a card of the board only.
_TO_LATER = (
    r"(?:\s+over)?\s+(?:to|for|until|till|on|onto)\s+(?:the |our )?"
    r"(?:next (?:month|time|meeting|session|board|round|one)|next month's \w+)\b"
)
PARKED_LATER = (
    re.compile(
        r"\b(?:put|move|moving|carry|carrying|save|saving|push|pushing|defer|deferring"
        rf"|keep|keeping|leave|leaving)\s+(?P<title>[^.?!;]+?){_TO_LATER}",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<title>[^.?!;]+?)\s+(?:will |can |could |should )?(?:carry|carries|go|goes"
        rf"|move|moves|is moving|gets? pushed|is pushed|is deferred)(?: over)?{_TO_LATER}",
        re.IGNORECASE,
    ),
)
# "So the last card, X": the words that point at a card rather than name it.
_POINTING = re.compile(
    r"^(?:(?:so|and|then|okay|ok|well|but|now)\b\W*)*(?:the |our )?"
    r"(?:(?:last|final|next|other|remaining) )?(?:card|topic|item)s?\b(?: (?:is|was))?\W*",
    re.IGNORECASE,
)
# "The rest goes to the parking lot": every card left, which is not a title.
_PARKED_VAGUE = frozenset("rest remaining remainder others everything all".split())
# "The next card is mine", "... a tricky one", "... from Dana": no title in it.
_VAGUE = frozenset(
    """mine yours his hers ours theirs one ones interesting tricky fun big hard easy short
    long quick important popular favourite favorite similar related another same""".split()
)
# "... from Priya", "... proposed by Mark Lee" at the end of a card read out.
_PROPOSER = re.compile(
    r"\s+(?:(?:proposed|suggested|submitted|raised|added|brought up)\s+)?(?:from|by)\s+"
    r"(?P<name>[\w'-]+(?:\s+[\w'-]+)?)\s*$",
    re.IGNORECASE,
)
# Who proposed it, before the title: "from Mark: X", "Mark's card on X".
_PROPOSED_FIRST = re.compile(
    r"^(?:(?:from|by) [^:]{1,40}:\s*|[\w-]+'s (?:card|topic|item)(?: (?:on|about|is))?\s+"
    r"|(?:mine|yours|ours|[\w-]+'s)\s*[:,]\s*)",  # "the next card is mine: X"
    re.IGNORECASE,
)
# A card named by its GitHub issue ("next up is issue 17", "issue number 17", "issue #17"),
# when the board came from `gh issue list`. "Card number two" is an order, not an issue.
ISSUE_SAID = re.compile(
    r"\b(?:github )?issue (?:number |no\.? )?#?(?P<number>\d{1,6})\b", re.IGNORECASE
)
# "Issue 17, on-call fatigue": the number before the title is no part of it.
_ISSUE_FIRST = re.compile(
    r"^(?:github )?issue (?:number |no\.? )?#?\d{1,6}\s*[,:-]\s*(?=\w)", re.IGNORECASE
)
# "Let's talk about X next": when, not what.
_THEN_NEXT = re.compile(r"\s+(?:next|now|first|then|today)\s*$", re.IGNORECASE)
# Talk going on after a pointer, not a title: "next topic, I think we should wait".
_TALK_ON = re.compile(
    r"(?:i|i'm|i'd|i'll|i've|we're|we'll|we'd|we've|let's|you know|yeah|yes|well)\b",
    re.IGNORECASE,
)
_FILLERS = re.compile(
    r"^(?:(?:um+|uh+|er+|erm|so|about|called|the|a|an|one (?:about|on))\b\W*)+", re.IGNORECASE
)
# "Six people voted for it", "it got 5 votes", "the most votes, six", "votes: five", "voted
# for by four of you": a card's dot votes, said as it starts.
_NUMBERS = {
    w: n
    for n, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen
        fourteen fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
}
_COUNT_SAID = rf"(?:\d{{1,2}}|{'|'.join(_NUMBERS)})"
VOTES_SAID = re.compile(
    rf"\b(?P<n>{_COUNT_SAID}) (?:people |of you |participants |folks )?(?:voted|votes|dots)\b"
    rf"|\b(?:votes|dots)(?: (?:on|for) (?:it|this(?: one)?))?(?:,|:) (?P<after>{_COUNT_SAID})\b"
    rf"|\bvoted for by (?P<by>{_COUNT_SAID})\b"
)
_VOTES_WITHIN_UNITS = 3  # the card's first units: announced, then its votes
# The group deciding to extend a card's timebox after the Roman vote ("mostly thumbs up,
# so let's give it two more minutes"). Calling the vote ("thumbs up if you want to keep
# going", "thumbs up to continue, thumbs down to move on") is not deciding, nor is a
# vote that went the other way ("mostly thumbs down").
_EXTENSION = re.compile(
    r"\b(?:(?:mostly|majority|all|lots of|more|many|see|that'?s|looks like)\W+(?:\w+\W+)?"
    r"thumbs?[- ]ups?|thumbs?[- ]ups? (?:it is|wins|has it)|keep going(?! back| through)"
    r"|(?:one|two|three|four|five|a few|a couple(?: of)?|\d+|some) (?:more|extra) minutes?"
    r"|another (?:(?:one|two|three|four|five|few|couple(?: of)?|\d+) )?minutes?"
    r"|extend(?:ed|ing)? (?:it|this|the (?:timebox|time|card|topic|discussion))"
    r"|extend(?:ed|ing)? (?:it |this )?(?:by|for) (?:another )?"
    r"(?:one|two|three|four|five|a few|a couple(?: of)?|\d+) (?:more )?minutes?)\b"
)
_VOTE_CALL = re.compile(
    r"\b(?:if|whether|(?:do|does|shall|should|would|will) (?:we|you|anyone|people)|who wants"
    r"|vote|voting)\b"
    r"|thumbs?[- ]ups? (?:to|for|means|if|is)\b|\?\s*$"
)
# The timebox running out or the Roman vote called: only after one does "two more minutes"
# or "keep going" extend the card. In talk they say other things ("we've got five more
# minutes", "we can just extend it to any device": the bench's meetings).
_TIMEBOX_CALLED = re.compile(
    r"\b(?:time'?s up|time is up|that'?s time|(?:we'?re|we are) (?:at|over|out of) time"
    r"|out of time|time ?box|timer|roman vote|thumbs?[- ](?:up|down|sideways)|thumbs"
    r"|(?:that'?s|it'?s been|we'?ve had) (?:\d+|five|six|seven|eight|nine|ten) minutes)\b"
)
_EXTENSION_AFTER_CALL = 6  # units: the call, a few thumbs said aloud, the outcome
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
# The facilitator running the meeting: timing, voting, handing over, welcoming.
_RUNNING_THE_MEETING = re.compile(
    r"\b(?:time'?s up|thumbs (?:up|down|sideways)|roman vote|next (?:card|topic)"
    r"|first card|last card|voted for|let'?s (?:get started|vote|move on|wrap up|hear|give it)"
    r"|move on to|parking lot|more minutes|go ahead|introduce (?:it|your)|your card"
    r"|(?:one|a) take ?away from|see you next|thanks,? everyone|welcome,? everyone|out of time"
    r"|this one is yours|what'?s next|my name(?:'s| is))\b"  # an introduction: who, not what
)

WORD = re.compile(r"[a-z][a-z'-]*")
_STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before
    being below between both but by can could did do does doing don't down during each few
    for from further get got had has have having he her here hers him his how i i'd i'll
    i'm i've if in into is it it's its itself just let's me more most my no nor not now of
    off on once only or other our out over own same she should so some such than that
    that's the their them then there there's these they they're this those through to too
    under until up very was we we'd we'll we're we've were what when where which while who
    whom why will with would you you'd you'll you're your yes yeah yep okay ok um uh hmm mm
    mm-hmm uh-huh oh ah like know think mean really right well gonna wanna kind sort thing
    things stuff actually probably maybe something anything guess go going one two three
    say said see way lot bit sure good thanks thank 'kay alright anyway quite still even
    much many make made need want use used gets getting look looks come take put little
    might must shall cause 'cause every whole different kinda somebody someone
    four five six seven eight nine ten hundred first second last next mmm huh
    write says tell told try trying start started basically exactly totally
    great nice fine cool true point idea ones bunch able else eleven twelve twenty thirty
    forty fifty talking talk ahead""".split()
)


def moves_on(normalized: str) -> bool:
    """A strong cue that moves the talk on now: not "any questions before we go on to the
    next one?" (AMI's ES2006b, between two presentations of one topic)."""
    return any(
        not _BEFORE.search(normalized, 0, cue.start()) for cue in _STRONG_CUES.finditer(normalized)
    )


def is_closing(normalized: str) -> bool:
    """The meeting winding down ("to wrap up", "parking lot"), or the takeaway round called."""
    return bool(_CLOSING_CUES.search(normalized) or ROUND_CALL.search(normalized))


def returns_to_cards(
    units: Sequence[TranscriptSegment], cards: Sequence[AgendaCard]
) -> dict[int, int]:
    """{unit: card} where the facilitator goes back to a card: half the words after
    "let's go back to" are in its title, and in no other as many ("let's go back to
    engineering metrics for a minute")."""
    titles = [title_stems(c.title) for c in cards]
    out: dict[int, int] = {}
    for k in range(len(units)):
        match = _RETURN.search(said_through(units, k).replace("\u2019", "'"))
        card = card_named(_announced_title(match["title"]), titles) if match else None
        if card is not None:
            out[k] = card
    return out


def said_through(units: Sequence[TranscriptSegment], k: int) -> str:
    """Unit k's text, run on into the next unit's first sentence when it stops mid-sentence
    and the same voice goes on: Whisper may cut "The next card is onboarding senior" |
    "hires remotely.", and a title read out must not lose its end."""
    text = units[k].text.strip()
    if k + 1 < len(units) and text[-1:].isalnum() and units[k + 1].speaker == units[k].speaker:
        text += " " + _FIRST_SENTENCE.match(units[k + 1].text.strip())[0]
    return text


def card_named(said: str, titles: list[set[str]]) -> int | None:
    """The card whose title holds half the words said, if no other holds as many."""
    words = title_stems(said)
    overlap = [len(words & title) for title in titles]
    best = max(overlap, default=0)
    if words and best >= len(words) / 2 and overlap.count(best) == 1:  # one card, no doubt
        return overlap.index(best)
    return None


def title_stems(text: str) -> set[str]:
    """A card title's words, or the words naming one ("the metrics card for a minute")."""
    words = content_words(normalize(text).replace("-", " "))
    return {stem(w) for w in words if w not in _NAMING_WORDS}


_NAMING_WORDS = frozenset("card cards topic topics item minute minutes moment bit".split())


def normalize(text: str) -> str:
    return text.lower().replace("\u2019", "'").strip()


def stem(word: str) -> str:
    """A crude stem, the first six letters, so that "finance" meets "financial"."""
    return word[:6] if len(word) >= 6 else word.rstrip("s")


def is_facilitation(text: str) -> bool:
    """Whether ``text`` runs the meeting rather than discusses: reads a card out or hands it
    to its proposer, moves the talk on ("let's move on to X", "let's start with X"), times,
    votes on or extends a card ("time's up", "six people voted for it"), calls the takeaway
    round. The extraction keeps such sentences out of takeaways and key phrases."""
    said = normalize(text)
    return bool(
        _RUNNING_THE_MEETING.search(said)
        or announced_card(text)
        or _MOVED_TO.search(said)
        or ROUND_CALL.search(said)
        or HANDOVER.search(said)
    )


def announced_card(text: str, people: frozenset[str] = frozenset()) -> str:
    """The card the facilitator reads out in ``text`` ("The next card is on-call
    fatigue." -> "On-call fatigue"), or ""; ``people``: the speakers' names, lower-cased."""
    said = text.replace("\u2019", "'")
    for pattern in _ANNOUNCED:
        for match in pattern.finditer(said):
            title = match["title"].strip()
            if not _NAMES_NO_CARD.match(title) and (title := _announced_title(title, people)):
                return title
    return ""


def moved_to(text: str, people: frozenset[str] = frozenset()) -> str:
    """The point the talk moves on to in ``text`` ("Let's move on to on-call fatigue." ->
    "On-call fatigue", "let's start with X"), or "": a card read out, or as often a
    participant's point within one."""
    for match in _MOVED_TO_TITLE.finditer(text.replace("\u2019", "'")):
        title = match["title"].strip()
        if not _NAMES_NO_CARD.match(title) and (title := _announced_title(title, people)):
            return title
    return ""


def speaker_names(units: Sequence[TranscriptSegment]) -> frozenset[str]:
    """The words of the speakers' names, lower-cased ("Priya Patel" -> priya, patel)."""
    return frozenset(w.lower() for u in units if u.speaker for w in u.speaker.split())


def _announced_title(said: str, people: frozenset[str] = frozenset()) -> str:
    """ "um, on-call fatigue, which Dana proposed" -> "On-call fatigue"; with Priya among
    ``people`` (the speakers' names, lower-cased), "on-call fatigue from Priya" -> "On-call
    fatigue" too: who proposed a card is no part of its title ("learning from Google" is
    one). "" if no topic."""
    said = _PROPOSED_FIRST.sub("", _ISSUE_FIRST.sub("", said.strip()))
    said = _FILLERS.sub("", said + " ").split(",")[0].strip()
    said = _THEN_NEXT.sub("", said)
    proposer = _PROPOSER.search(said)
    if proposer and set(proposer["name"].lower().split()) <= people:
        said = said[: proposer.start()]
    words = said.split()[:8]
    title = " ".join(words).strip(" '\"-:")
    named = [w for w in content_words(title.lower()) if w not in _VAGUE and not w.endswith("'s")]
    if not named or title.lower().startswith(("from ", "by ")) or _TALK_ON.match(title):
        return ""
    return title[:1].upper() + title[1:]


def parked_title(said: str) -> str:
    """ "We're out of time, so the last card, hiring for staff engineer roles," ->
    "Hiring for staff engineer roles"; "" for "that", "the rest", "the last card"."""
    parts = [p.strip() for p in said.split(",") if title_stems(p)]
    if not parts:
        return ""
    title = _POINTING.sub("", parts[-1])
    title = re.sub(r"\s+(?:card|topic|item)$", "", title, flags=re.IGNORECASE)
    if _PARKED_VAGUE & set(content_words(title.lower())):
        return ""
    return _announced_title(title)


def timebox_extended(texts: list[str]) -> bool:
    """Whether the group decided to go on past the timebox, in one of these units: an
    outcome said within a few units of the time called or the vote ("mostly thumbs up"
    is both)."""
    called = -_EXTENSION_AFTER_CALL - 1  # the last unit that called time or the vote
    for k, text in enumerate(texts):
        for sentence in _SENTENCE.findall(text):
            if (
                _EXTENSION.search(sentence)
                and not _VOTE_CALL.search(sentence)
                and (k - called <= _EXTENSION_AFTER_CALL or _TIMEBOX_CALLED.search(sentence))
            ):
                return True
            if _TIMEBOX_CALLED.search(sentence):
                called = k
    return False


def votes_said(texts: list[str]) -> int | None:
    """The dot votes said as a card starts ("six people voted for it"), if any."""
    for text in texts[:_VOTES_WITHIN_UNITS]:
        if match := VOTES_SAID.search(text):
            n = match["n"] or match["after"] or match["by"]
            return int(n) if n.isdigit() else _NUMBERS[n]
    return None


def start_cue(text: str) -> str | None:
    """The facilitator's words in a segment's first unit that move the group on ("let's
    move on", "the next card", "to wrap up", "let's go back to ..."), lower-cased; None if
    there are none, so the segmenter placed the start by what was said alone. Weak
    hints ("agenda", "presentation") are not counted: participants say them too."""
    said = normalize(text)
    for pattern in (ROUND_CALL, _CLOSING_CUES, _STRONG_CUES, _RETURN):
        if match := pattern.search(said):
            return " ".join(match[0].split()[:8])  # "let's go back to engineering metrics"
    return None


def phrases(text: str) -> list[str]:
    """Content words, and pairs of them said one after the other."""
    words = [w.strip("'-") for w in WORD.findall(text)]
    keep = [_is_content(w) and "'" not in w for w in words]
    singles = [w for w, k in zip(words, keep, strict=True) if k]
    pairs = [
        f"{a} {b}"
        for a, b, ka, kb in zip(words, words[1:], keep, keep[1:], strict=False)
        if ka and kb and a != b
    ]
    return singles + pairs


def content_words(text: str) -> list[str]:
    return [w for w in (w.strip("'-") for w in WORD.findall(text)) if _is_content(w)]


def _is_content(word: str) -> bool:
    return len(word) > 2 and word not in _STOPWORDS
