"""Topic segmentation: which stretch of the meeting discussed which card.

The transcript's units (turns or ASR segments) are grouped into blocks of a few
dozen words, and each block is embedded once (MiniLM reads at most 256 word
pieces, so a whole meeting never goes in at once). A semi-Markov dynamic
programme then partitions the blocks into labelled spans. A span scores:

- its coherence: how alike its blocks are, in what is said and who says it;
- with an agenda, how much more its blocks resemble its card than they resemble
  that card elsewhere in the meeting, and whether the card's rarer title words
  are said where it starts;
- facilitator cues where it starts ("next card", "let's move on", "wrap up");
- a prior on its length (a card's share of the meeting, or its Lean Coffee
  timebox when the units have times);

minus a cost per span. With an agenda the labels are the cards plus "no card"
(opening, closing, or a stretch between cards), and moving between cards follows
the board's order, which is the vote order in Lean Coffee, unless the content
fits another order much better. Without one there is a single label, "a topic",
and the count of topics comes out of the cost per span.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline.artifacts import Agenda, AgendaCard, ParkedCard, TopicSegment, TranscriptSegment

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], np.ndarray]
Span = tuple[int, int, int | None]  # first block, last block, card index (None: no card)


@dataclass(frozen=True)
class SegmentOptions:
    """Every constant of the segmenter.

    Tuned on the bench's train split (AMI and ICSI meetings, turns without times)
    unless the comment says otherwise; scores are log-odds-like, summed per span.
    """

    # blocks and their features
    block_words: int = 30  # units are grouped into blocks of at least this many words
    window_blocks: int = 0  # a block meets the cards with this many neighbours each side
    speaker_weight: float = 0.8  # who speaks, beside what is said, in a span's coherence
    coherence_weight: float = 1.0  # weight of a span's coherence (how alike its blocks are)
    strong_cue_bonus: float = 6.0  # a topic starting at "next card", "let's move on" (set by hand)
    weak_cue_bonus: float = 1.0  # a topic starting at a weaker hint ("agenda", "time's up")
    closing_cue_bonus: float = 6.0  # the closing starting at "wrap up", "takeaways" (by hand)
    round_call_bonus: float = 10.0  # ... at "one takeaway from each of you" (by hand: Lean
    # Coffee's closing round; the bench's meetings never call one)
    boundary_weight: float = 0.5  # weight of the learned boundary model's log-odds per block
    # agenda mode
    sim_weight: float = 2.0  # weight of a block's similarity to a card (centred per card)
    card_centring: float = 0.6  # share of a card's own mean similarity taken off its scores
    gap_bias: float = -0.3  # per-block score of "no card", on the similarity scale
    mention_bonus: float = 3.0  # a card starting where its rare title words are said
    mention_max_df: float = 0.1  # a title word is rare if said in at most this share of blocks
    # An announced card ("the next card is ...") is on the board if half its words are in
    # a card's title or its MiniLM cosine to one reaches this (by hand: a card and its own
    # title reworded score 0.6-0.96, unrelated cards below 0.3)
    announced_match: float = 0.4
    announced_board_min: int = 2  # this many cards read out are read out one by one
    # ... and then a card starting where it is not read out, nor at a cue naming no card,
    # costs this much (bench meetings with their cards read out, bench/score_read_out.py)
    unread_start_cost: float = 6.0
    # ... and a title read out that the board lacks starts a topic of its own at this cost:
    # a card of the board not yet read out, reworded ("pager burnout" for "On-call
    # fatigue"), is likelier than one added on the day (by hand, eval-cards)
    added_card_cost: float = 1.0
    # ... and a card's span running on through another card read out costs this much: the
    # facilitator reading the next card out ends the one before (bench/score_read_out.py)
    read_through_cost: float = 6.0
    # ... and a card not announced, started by a strong cue alone ("let's move on"), fits
    # each block as an average card does (fits are centred: 0 on average), so it starts
    # where the talk leaves the card before (bench meetings with every other card read
    # out, bench/score_read_out.py; -0.4 lost the long ones to the card before)
    unannounced_fit: float = 0.0
    # ... but one started by moving on to a point ("let's move on to the budget question",
    # as often a participant's point within the card) a little worse (by hand, eval-cards)
    point_fit: float = -0.4
    segment_penalty: float = 5.0  # cost of each span: fewer, longer segments
    min_card_blocks: int = 2  # one block (~30 words) of talk is no card's nor topic's
    # ... and a card not read out, started by a strong cue alone, needs this many: a
    # participant's "let's move on" two or three turns before the next card is read out
    # starts none (by hand, the demo's turns without speakers; 4 loses its real ones)
    min_unannounced_blocks: int = 3
    length_weight: float = 0.0  # weight of the prior on a card's share of the meeting
    timebox_s: tuple[float, float] = (300.0, 480.0)  # a card's timebox, when units have times
    timebox_weight: float = 0.3  # weight of the timebox prior (untuned: the bench has no times)
    order_weight: float = 20.0  # cost of going back in the expected order (a card recurs)
    skip_weight: float = 0.2  # cost per card skipped going forward in it
    order_misfit_max: float = 1.5  # score the board's order may lose before it is doubted
    inferred_order_trust: float = 0.5  # weight of the content's own order, if preferred
    # unsupervised mode
    topic_penalty: float = 3.0  # cost of each topic when there is no agenda
    topic_length_weight: float = 0.6  # weight of the log-normal prior on a topic's length
    topic_turns: float = 180.0  # a topic's usual length in units, when units have no times
    topic_minutes: float = 10.0  # a topic's usual length, when units have times (by hand)
    title_words: int = 4  # at most this many words in an unsupervised topic's title
    embed_batch: int = 8  # texts per embed call, similar lengths together (speed, not quality)


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
_WEAK_CUES = re.compile(
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
_ROUND_CALL = re.compile(
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
_HANDOVER = re.compile(
    r"\b(?:(?:first|next)(?: up)?(?: is|:)|(?:first|next) (?:card|topic) is)"
    r" (?:[\w-]+'s (?:card|topic)|[\w-]+'s\b|mine|yours)"
    r"|\b[\w-]+'s (?:card|topic) is (?:next|first|up)\b"
    r"|\b(?:it'?s|this one is|that one is) yours\b|\byour (?:card|topic)\b"
    r"|\b(?:introduce|present) (?:it|your (?:card|topic)|yours)\b",
    re.IGNORECASE,
)
_HANDOVER_UNITS = 2  # the proposer's reading comes within this many units of the handover
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
_TO_A_POINT = re.compile(
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
_PARKED = (
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
_PARKED_LATER = (
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
_ISSUE_SAID = re.compile(
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
_VOTES_SAID = re.compile(
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

_WORD = re.compile(r"[a-z][a-z'-]*")
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


@dataclass(frozen=True)
class _OffBoard:
    """A topic that is no card of the board, starting at a block."""

    title: str  # as read out; "" for a card not read out (titled by its talk)
    vector: np.ndarray | None = None  # the title's embedding; None when not read out
    fit: float = 0.0  # how well one not read out fits each block, having no title to match


@dataclass(frozen=True)
class _Blocks:
    """The meeting cut into blocks, with what the decoders need to know about them."""

    ranges: list[tuple[int, int]]  # (first unit, last unit) of each block
    vectors: np.ndarray  # unit-length embedding of each block
    positions: np.ndarray  # each block's start and the meeting's end: seconds or units
    timed: bool  # positions are seconds
    topic_cue: np.ndarray  # bonus for a topic starting at each block
    closing_cue: np.ndarray  # bonus for the closing starting at each block


def segment_transcript(
    units: Sequence[TranscriptSegment],
    agenda: Agenda | None,
    embed: Embed,
    options: SegmentOptions = SegmentOptions(),
    boundaries: BoundaryModel | None = None,
    parked: Sequence[ParkedCard] | None = None,
) -> tuple[TopicSegment, ...]:
    """Partition ``units`` into topic segments, in time order, covering every unit.

    ``embed`` maps texts to one vector each (the MiniLM sentence embedder);
    ``boundaries`` is the learned boundary model (default: ``default_boundary_model``);
    ``parked``: the cards sent to the parking lot (``parked_cards`` of the same units and
    agenda), when the caller has them already.
    The function only reads the units' text, speaker and times, and the agenda.
    """
    return _segment_units(units, agenda, embed, options, boundaries, False, parked)


def _segment_units(
    units: Sequence[TranscriptSegment],
    agenda: Agenda | None,
    embed: Embed,
    options: SegmentOptions,
    boundaries: BoundaryModel | None,
    board_heard: bool,
    parked: Sequence[ParkedCard] | None = None,
) -> tuple[TopicSegment, ...]:
    """segment_transcript; ``board_heard``: the agenda is the cards the facilitator
    announced, so a card not announced may start a topic of its own at a strong cue;
    ``parked``: as for segment_transcript (None: found here, when needed)."""
    if not units:
        return ()
    cards = agenda.cards if agenda is not None else ()
    returns = _returns_to_cards(units, cards) if cards else {}
    texts, strong, closing, ranges = _cut_into_blocks(units, options, returns)
    if not ranges:  # nothing was said: one stretch that is no topic
        return (_segment(units, 0, len(units) - 1, "No speech", "other", None),)

    said_board = () if cards else _announced_board(units, ranges, options)
    if said_board:  # no agenda given, but the facilitator read the cards out one by one
        segments = _segment_units(units, Agenda(said_board), embed, options, boundaries, True)
        return tuple(
            replace(s, agenda_index=None, title_said=True) if s.agenda_index is not None else s
            for s in segments
        )
    block_texts = [" ".join(units[k].text.strip() for k in range(a, b + 1)) for a, b in ranges]
    card_texts = [f"{c.title}. {c.description}".strip(" .") for c in cards]
    vectors = _unit_rows(_embed_by_length(embed, block_texts + card_texts, options.embed_batch))
    blocks = _describe_blocks(
        units, texts, strong, closing, ranges, vectors[: len(ranges)], options
    )
    span = options.coherence_weight * _span_coherence(_content_vectors(units, blocks, options))
    if options.boundary_weight:
        model = boundaries or default_boundary_model(units)
        features = boundary_features(units, texts, ranges, blocks.vectors)
        odds = np.array([model.log_odds(f) for f in features])
        blocks = replace(blocks, topic_cue=blocks.topic_cue + options.boundary_weight * odds)

    off_board: dict[int, _OffBoard] = {}
    if cards:
        # A card named at a closing cue is being deferred ("parking lot"): not a mention.
        heard = [t if not c else "" for t, c in zip(texts, closing, strict=True)]
        mentions = _card_mentions(heard, ranges, [c.title for c in cards], options.mention_max_df)
        card_cues = options.mention_bonus * mentions
        card_vecs = vectors[len(ranges) :]
        # A card read out ("the next card is X", X on the board) or gone back to is as
        # strong a cue as "next card", for that card; going back costs no going back.
        back = {b: returns[first] for b, (first, _) in enumerate(ranges) if first in returns}
        read, off_board = _cards_heard(units, ranges, cards, card_vecs, embed, options)
        named = {**read, **back}
        for b, card in named.items():
            card_cues[b, card] += options.strong_cue_bonus
        rank = _board_rank(cards)
        one_by_one = _one_by_one(read, len(ranges), options) or (
            len(read) == 1 and bool(_first_card_moved_on(units, ranges))
        )
        read_out: dict[int, int | None] = {}  # a span running on through these blocks costs
        if one_by_one:
            # With the first card read out only, its reader's "let's move on" ends a card
            # as a card read out does: the next one starts there, though none is named.
            if len(read) == 1:
                read_out.update(dict.fromkeys(_reader_moves_on(units, ranges, next(iter(read)))))
            read_out.update(named)
            rank = _reading_rank(read, rank)
            allowed = _starts_when_read_out(read, named, texts, strong, ranges, cards)
            # A card sent to the parking lot and never read out was not discussed.
            if parked is None:
                parked = parked_cards(units, agenda, embed, options)
            for card in {p.agenda_index for p in parked} - {None, *read.values()}:
                allowed[:, card] = False
            card_cues -= options.unread_start_cost * ~allowed
        if board_heard:
            off_board.update(_unannounced_starts(units, ranges, strong, options))
        opening = _read_out_from(units, ranges, options)
        added_cost = options.added_card_cost if one_by_one else 0.0
        spans = _decode_agenda(
            blocks,
            card_vecs,
            card_cues,
            span,
            rank,
            off_board,
            back,
            opening,
            options,
            0 in named,
            added_cost,
            read_out,
        )
    else:
        spans = _decode_topics(blocks, span, options)
    titles_said = {b: topic.title for b, topic in off_board.items()}
    return _build_segments(units, texts, ranges, spans, cards, titles_said, options)


# --- text and blocks -------------------------------------------------------------------


def _cut_into_blocks(
    units: Sequence[TranscriptSegment],
    options: SegmentOptions,
    returns: dict[int, int] | None = None,
) -> tuple[list[str], list[bool], list[bool], list[tuple[int, int]]]:
    """The units' normalised texts, their strong and closing cues, and the blocks
    (a unit in ``returns``, going back to a card, opens one as a strong cue does)."""
    texts = [_normalize(u.text) for u in units]
    closing = [_is_closing(t) for t in texts]
    # "The last card goes to the parking lot" defers a card; it does not start one.
    strong = [_moves_on(t) and not c for t, c in zip(texts, closing, strict=True)]
    back = returns or {}
    # "Let's start with X" opens a block as "move on to X" does: it may read a card out.
    moved = [bool(_moved_to(u.text)) for u in units]
    breaks = [
        s or c or m or k in back
        for k, (s, c, m) in enumerate(zip(strong, closing, moved, strict=True))
    ]
    ranges = _make_blocks([len(t.split()) for t in texts], breaks, options.block_words)
    return texts, strong, closing, ranges


def _moves_on(normalized: str) -> bool:
    """A strong cue that moves the talk on now: not "any questions before we go on to the
    next one?" (AMI's ES2006b, between two presentations of one topic)."""
    return any(
        not _BEFORE.search(normalized, 0, cue.start()) for cue in _STRONG_CUES.finditer(normalized)
    )


def _is_closing(normalized: str) -> bool:
    """The meeting winding down ("to wrap up", "parking lot"), or the takeaway round called."""
    return bool(_CLOSING_CUES.search(normalized) or _ROUND_CALL.search(normalized))


def _returns_to_cards(
    units: Sequence[TranscriptSegment], cards: Sequence[AgendaCard]
) -> dict[int, int]:
    """{unit: card} where the facilitator goes back to a card: half the words after
    "let's go back to" are in its title, and in no other as many ("let's go back to
    engineering metrics for a minute")."""
    titles = [_title_stems(c.title) for c in cards]
    out: dict[int, int] = {}
    for k in range(len(units)):
        match = _RETURN.search(_said_through(units, k).replace("\u2019", "'"))
        card = _card_named(_announced_title(match["title"]), titles) if match else None
        if card is not None:
            out[k] = card
    return out


def _said_through(units: Sequence[TranscriptSegment], k: int) -> str:
    """Unit k's text, run on into the next unit's first sentence when it stops mid-sentence
    and the same voice goes on: Whisper may cut "The next card is onboarding senior" |
    "hires remotely.", and a title read out must not lose its end."""
    text = units[k].text.strip()
    if k + 1 < len(units) and text[-1:].isalnum() and units[k + 1].speaker == units[k].speaker:
        text += " " + _FIRST_SENTENCE.match(units[k + 1].text.strip())[0]
    return text


def _card_named(said: str, titles: list[set[str]]) -> int | None:
    """The card whose title holds half the words said, if no other holds as many."""
    words = _title_stems(said)
    overlap = [len(words & title) for title in titles]
    best = max(overlap, default=0)
    if words and best >= len(words) / 2 and overlap.count(best) == 1:  # one card, no doubt
        return overlap.index(best)
    return None


def _title_stems(text: str) -> set[str]:
    """A card title's words, or the words naming one ("the metrics card for a minute")."""
    words = _content_words(_normalize(text).replace("-", " "))
    return {_stem(w) for w in words if w not in _NAMING_WORDS}


_NAMING_WORDS = frozenset("card cards topic topics item minute minutes moment bit".split())


def boundary_examples(
    units: Sequence[TranscriptSegment], embed: Embed, options: SegmentOptions = SegmentOptions()
) -> tuple[list[tuple[int, int]], list[dict[str, float]]]:
    """The blocks segment_transcript would make of ``units`` and their boundary
    features, for training the boundary model."""
    texts, _, _, ranges = _cut_into_blocks(units, options)
    block_texts = [" ".join(units[k].text.strip() for k in range(a, b + 1)) for a, b in ranges]
    vectors = _unit_rows(_embed_by_length(embed, block_texts, options.embed_batch))
    return ranges, boundary_features(units, texts, ranges, vectors)


def _normalize(text: str) -> str:
    return text.lower().replace("\u2019", "'").strip()


def _make_blocks(counts: list[int], breaks: list[bool], block_words: int) -> list[tuple[int, int]]:
    """Group units into (first, last) blocks of at least ``block_words`` words.

    A unit flagged in ``breaks`` (a strong or closing cue) always opens a block,
    so a boundary can fall exactly on it. Units with no words ride along.
    """
    if sum(counts) == 0:
        return []
    blocks: list[tuple[int, int]] = []
    first, words = 0, 0
    for i, n in enumerate(counts):
        if breaks[i] and i > first and words > 0:
            blocks.append((first, i - 1))
            first, words = i, 0
        words += n
        if words >= block_words:
            blocks.append((first, i))
            first, words = i + 1, 0
    if first < len(counts):
        if words == 0:  # trailing silence joins the last block
            blocks[-1] = (blocks[-1][0], len(counts) - 1)
        else:
            blocks.append((first, len(counts) - 1))
    return blocks


def _describe_blocks(
    units: Sequence[TranscriptSegment],
    texts: list[str],
    strong: list[bool],
    closing: list[bool],
    ranges: list[tuple[int, int]],
    vectors: np.ndarray,
    options: SegmentOptions,
) -> _Blocks:
    timed = all(u.start is not None and u.end is not None for u in units)
    if timed:
        positions = [units[a].start for a, _ in ranges] + [units[-1].end]
    else:
        positions = [a for a, _ in ranges] + [len(units)]
    firsts = [a for a, _ in ranges]
    topic_cue = [
        options.strong_cue_bonus
        if strong[a]
        else options.weak_cue_bonus
        if _WEAK_CUES.search(texts[a]) and not closing[a]
        else 0.0
        for a in firsts
    ]
    said = [any(closing[a : b + 1]) for a, b in ranges]
    # The closing round starts at its first cue; "my takeaway is..." follows it. The
    # call of the round is the surest sign of it, even after "we're out of time".
    closing_cue = [
        options.round_call_bonus
        if _ROUND_CALL.search(texts[a])
        else options.closing_cue_bonus * (closing[a] and not (k > 0 and said[k - 1]))
        for k, a in enumerate(firsts)
    ]
    return _Blocks(
        ranges=ranges,
        vectors=vectors,
        positions=np.array(positions, dtype=float),
        timed=timed,
        topic_cue=np.array(topic_cue),
        closing_cue=np.array(closing_cue),
    )


def _embed_by_length(embed: Embed, texts: list[str], batch: int) -> np.ndarray:
    """embed(texts), called on small batches of similar length.

    A batch is padded to its longest text, so one long monologue in a wide batch
    makes every short block cost as much: this halves the time on real meetings.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = [embed([texts[i] for i in order[k : k + batch]]) for k in range(0, len(order), batch)]
    vectors = np.empty((len(texts), np.asarray(parts[0]).shape[1]))
    vectors[order] = np.vstack([np.asarray(p, dtype=float) for p in parts])
    return vectors


def _unit_rows(m: np.ndarray) -> np.ndarray:
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


def _windows(vectors: np.ndarray, half: int) -> np.ndarray:
    """Each block's vector averaged with ``half`` neighbours each side, renormalised."""
    n = len(vectors)
    csum = np.vstack([np.zeros((1, vectors.shape[1])), np.cumsum(vectors, axis=0)])
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)
    return _unit_rows(csum[hi] - csum[lo])


def _content_vectors(
    units: Sequence[TranscriptSegment], blocks: _Blocks, options: SegmentOptions
) -> np.ndarray:
    """Unit vectors of what a block says (the meeting's mean removed) and who says it."""
    topical = _unit_rows(blocks.vectors - blocks.vectors.mean(axis=0))
    speakers = {s: k for k, s in enumerate(dict.fromkeys(u.speaker for u in units))}
    share = np.zeros((len(blocks.ranges), len(speakers)))
    for b, (first, last) in enumerate(blocks.ranges):
        for u in units[first : last + 1]:
            share[b, speakers[u.speaker]] += len(u.text.split())
    both = np.hstack([topical, options.speaker_weight * _unit_rows(share)])
    return both / math.sqrt(1.0 + options.speaker_weight**2)


def _span_coherence(vectors: np.ndarray) -> np.ndarray:
    """coh[i, j] for blocks i..j-1: |sum of their vectors| - their count; -inf if j <= i.

    That is the sum of the blocks' cosines to the span's mean direction minus
    its ideal, so 0 for identical blocks; from 2-D prefix sums of the Gram matrix.
    """
    n = len(vectors)
    prefix = np.zeros((n + 1, n + 1))
    prefix[1:, 1:] = (vectors @ vectors.T).cumsum(axis=0).cumsum(axis=1)
    diag = np.diag(prefix)
    squared = diag[None, :] - prefix - prefix.T + diag[:, None]
    idx = np.arange(n + 1)
    coh = np.sqrt(np.maximum(squared, 0.0)) - (idx[None, :] - idx[:, None])
    coh[idx[None, :] <= idx[:, None]] = -np.inf
    return coh


def _log_normal_prior(positions: np.ndarray, expected: float, weight: float) -> np.ndarray:
    """prior[i, j] = -weight * log(length of blocks i..j-1 / expected)^2."""
    length = np.maximum(positions[None, :] - positions[:, None], 1e-6)
    return -weight * np.log(length / max(expected, 1e-6)) ** 2


# --- learned boundary cues ----------------------------------------------------------------

BOUNDARY_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "segment-boundaries.json"
# The same model trained with every speaker removed, for transcripts without speakers
# (mixed audio): a change of speaker is the first model's strongest feature.
SPEAKERLESS_MODEL_PATH = BOUNDARY_MODEL_PATH.with_name("segment-boundaries-nospeakers.json")


@dataclass(frozen=True)
class BoundaryModel:
    """Logistic regression over ``boundary_features``: log-odds that a topic starts at
    a block. Trained on the bench's train meetings by bench/train_boundaries.py."""

    weights: dict[str, float]
    bias: float

    def log_odds(self, features: dict[str, float]) -> float:
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())


def load_boundary_model(path: Path = BOUNDARY_MODEL_PATH) -> BoundaryModel:
    data = json.loads(path.read_text())
    return BoundaryModel(weights=data["weights"], bias=data["bias"])


def default_boundary_model(units: Sequence[TranscriptSegment]) -> BoundaryModel:
    """The model in models/ for these units: without any speaker (mixed audio), the one
    trained without them, or every block would look like a change of topic."""
    has_speakers = any(u.speaker for u in units)
    return load_boundary_model(BOUNDARY_MODEL_PATH if has_speakers else SPEAKERLESS_MODEL_PATH)


_FIRST_WORDS = 2  # the opening words of a block's first unit are cue candidates


def boundary_features(
    units: Sequence[TranscriptSegment],
    texts: list[str],
    ranges: list[tuple[int, int]],
    vectors: np.ndarray,
) -> list[dict[str, float]]:
    """What each block's start looks like: its opening words, and how much what is
    said, and who says it, changes there (left and right windows of blocks)."""
    n = len(ranges)
    topical = _unit_rows(vectors - vectors.mean(axis=0))
    speakers = {s: k for k, s in enumerate(dict.fromkeys(u.speaker for u in units))}
    share = np.zeros((n, max(len(speakers), 1)))
    stems: list[Counter[str]] = []
    for b, (first, last) in enumerate(ranges):
        for u in units[first : last + 1]:
            share[b, speakers[u.speaker]] += len(u.text.split())
        stems.append(Counter(_stem(w) for t in texts[first : last + 1] for w in _content_words(t)))
    change = {
        f"{name}{w}": _change_at_each_block(matrix, w)
        for name, matrix in (("sem", topical), ("spk", share), ("lex", _bag_matrix(stems)))
        for w in (2, 5)
    }
    out = []
    for b, (first, _) in enumerate(ranges):
        words = _WORD.findall(texts[first])[:_FIRST_WORDS]
        f: dict[str, float] = {k: float(v[b]) for k, v in change.items()}
        f["depth5"] = float(change["sem5"][b] - change["sem5"][max(0, b - 3) : b + 4].mean())
        f["position"] = b / max(n - 1, 1)
        f["new_speaker"] = float(first > 0 and units[first].speaker != units[first - 1].speaker)
        for k, w in enumerate(words):
            f[f"w{k}:{w}"] = 1.0
        if len(words) == 2:
            f[f"ww:{words[0]} {words[1]}"] = 1.0
        out.append(f)
    return out


def _bag_matrix(bags: list[Counter[str]]) -> np.ndarray:
    vocab = {w: k for k, w in enumerate({w for bag in bags for w in bag})}
    m = np.zeros((len(bags), max(len(vocab), 1)))
    for b, bag in enumerate(bags):
        for w, c in bag.items():
            m[b, vocab[w]] = c
    return m


def _change_at_each_block(matrix: np.ndarray, window: int) -> np.ndarray:
    """1 - cosine between the sums of ``window`` rows before each row and from it on."""
    csum = np.vstack([np.zeros((1, matrix.shape[1])), np.cumsum(matrix, axis=0)])
    n = len(matrix)
    idx = np.arange(n)
    left = csum[idx] - csum[np.maximum(idx - window, 0)]
    right = csum[np.minimum(idx + window, n)] - csum[idx]
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    cos = np.where(norms > 0, (left * right).sum(axis=1) / np.maximum(norms, 1e-12), 1.0)
    return 1.0 - cos


# --- agenda mode -------------------------------------------------------------------------


def _card_mentions(
    texts: list[str], ranges: list[tuple[int, int]], titles: list[str], max_df: float
) -> np.ndarray:
    """mentions[b, c] = 1 where block b says a word of card c's title that is rare here."""
    said = [{_stem(w) for t in texts[a : b + 1] for w in _content_words(t)} for a, b in ranges]
    df = Counter(w for words in said for w in words)
    limit = max(1.0, max_df * len(ranges))
    out = np.zeros((len(ranges), len(titles)))
    for c, title in enumerate(titles):
        rare = {w for w in map(_stem, _content_words(_normalize(title))) if 0 < df[w] <= limit}
        out[:, c] = [bool(words & rare) for words in said]
    return out


def _stem(word: str) -> str:
    """A crude stem, the first six letters, so that "finance" meets "financial"."""
    return word[:6] if len(word) >= 6 else word.rstrip("s")


def _cards_heard(
    units: Sequence[TranscriptSegment],
    ranges: list[tuple[int, int]],
    cards: Sequence[AgendaCard],
    card_vecs: np.ndarray,
    embed: Embed,
    options: SegmentOptions,
) -> tuple[dict[int, int], dict[int, _OffBoard]]:
    """The cards the facilitator reads out, as ({block: card of the board}, {block:
    the title and its vector} for a card the board lacks).

    A title read out is a card of the board when half its words are in that card's title
    and in no other's as many, or it means much the same (MiniLM cosine at least
    ``announced_match``). It is a card off the board ("the next topic is on-call fatigue"
    with no such card: added on the day, or left out of the agenda file; its talk must not
    go to another card) when half its words are in no title and it means none of them.
    """
    heard = _announced_titles(units, ranges)
    by_number = _cards_by_issue_said(units, ranges, cards)
    if not heard:
        return by_number, {}
    titles = [_title_stems(c.title) for c in cards]
    said = _unit_rows(np.asarray(embed(list(heard.values())), dtype=float))
    fit = said @ card_vecs.T
    on_board: dict[int, int] = {}
    off_board: dict[int, _OffBoard] = {}
    for (b, title), vector, row in zip(heard.items(), said, fit, strict=True):
        card = _card_named(title, titles)
        if card is None and row.max() >= options.announced_match:
            card = int(row.argmax())
        if card is not None:
            on_board[b] = card
        words = _title_stems(title)
        if row.max() < options.announced_match and not any(
            len(words & t) >= len(words) / 2 for t in titles
        ):
            off_board[b] = _OffBoard(title, vector)
    for b, card in by_number.items():  # the issue said names the card, whatever its title
        on_board[b] = card
        off_board.pop(b, None)
    return on_board, off_board


def _cards_by_issue_said(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]], cards: Sequence[AgendaCard]
) -> dict[int, int]:
    """{block: card} where a block opens with a card of the board named by its GitHub
    issue number ("next up is issue 17")."""
    by_issue = {c.issue: k for k, c in enumerate(cards) if c.issue is not None}
    named: dict[int, int] = {}
    for b, (first, _) in enumerate(ranges if by_issue else []):
        for match in _ISSUE_SAID.finditer(_said_through(units, first)):
            if (card := by_issue.get(int(match["number"]))) is not None:
                named[b] = card
                break
    return named


def _one_by_one(heard: dict[int, object], n_blocks: int, options: SegmentOptions) -> bool:
    """Whether the facilitator reads the cards out one by one: ``heard`` ({block: the card
    read out there}) names two or more, the first within the first quarter of the meeting.
    One announcement is not a board (a bench meeting says "the next item is evaluation"
    once), and after the first quarter the talk before it would be taken for the opening."""
    return len(set(heard.values())) >= options.announced_board_min and min(heard) <= n_blocks / 4


def _announced_titles(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]]
) -> dict[int, str]:
    """{block: title} where the block opens with the facilitator announcing a card."""
    heard: dict[int, str] = {}
    people = _people(units)
    read_by_proposer = -1  # the last unit whose reading went to a handover's block
    for b, (first, _) in enumerate(ranges):
        if first <= read_by_proposer:
            continue
        said = _said_through(units, first)
        if title := announced_card(said, people):
            heard[b] = title
        elif _HANDOVER.search(_normalize(said)):  # the proposer reads it out, just after
            for k in range(first + 1, min(first + 1 + _HANDOVER_UNITS, len(units))):
                if title := announced_card(units[k].text, people):
                    heard[b], read_by_proposer = title, k
                    break
    return heard


def is_facilitation(text: str) -> bool:
    """Whether ``text`` runs the meeting rather than discusses: reads a card out or hands it
    to its proposer, moves the talk on ("let's move on to X", "let's start with X"), times,
    votes on or extends a card ("time's up", "six people voted for it"), calls the takeaway
    round. The extraction keeps such sentences out of takeaways and key phrases."""
    said = _normalize(text)
    return bool(
        _RUNNING_THE_MEETING.search(said)
        or announced_card(text)
        or _MOVED_TO.search(said)
        or _ROUND_CALL.search(said)
        or _HANDOVER.search(said)
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


def _moved_to(text: str, people: frozenset[str] = frozenset()) -> str:
    """The point the talk moves on to in ``text`` ("Let's move on to on-call fatigue." ->
    "On-call fatigue", "let's start with X"), or "": a card read out, or as often a
    participant's point within one."""
    for match in _MOVED_TO_TITLE.finditer(text.replace("\u2019", "'")):
        title = match["title"].strip()
        if not _NAMES_NO_CARD.match(title) and (title := _announced_title(title, people)):
            return title
    return ""


def _people(units: Sequence[TranscriptSegment]) -> frozenset[str]:
    """The words of the speakers' names, lower-cased ("Priya Patel" -> priya, patel)."""
    return frozenset(w.lower() for u in units if u.speaker for w in u.speaker.split())


def _unannounced_starts(
    units: Sequence[TranscriptSegment],
    ranges: list[tuple[int, int]],
    strong: list[bool],
    options: SegmentOptions,
) -> dict[int, _OffBoard]:
    """{block: a topic with no title} where a card the facilitator did not read out may
    start: a strong cue naming no card ("good, let's move on"), said by whoever announced
    the others (anyone, when the transcript has no speakers). Moving on to a point ("let's
    move on to the budget question", "... to the next point") is as often a participant's
    point within the card: such a topic fits each block at ``point_fit``."""
    named = _announced_titles(units, ranges) or _moved_to_titles(units, ranges)
    announcers = Counter(units[ranges[b][0]].speaker for b in named)
    facilitator = announcers.most_common(1)[0][0] if announcers else None
    return {
        b: _OffBoard(
            "",
            fit=options.point_fit
            if _TO_A_POINT.search(units[first].text)
            else options.unannounced_fit,
        )
        for b, (first, _) in enumerate(ranges)
        if b > 0
        and strong[first]
        and b not in named
        and (facilitator is None or units[first].speaker == facilitator)
    }


def _cards_read_out(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]], options: SegmentOptions
) -> dict[int, str]:
    """{block: title} of the cards the facilitator reads out, when they are read out one
    by one (``_one_by_one``) or the first one only (``_first_card_moved_on``); else {}."""
    for heard in (_announced_titles(units, ranges), _moved_to_titles(units, ranges)):
        if _one_by_one(heard, len(ranges), options):
            return heard
    return _first_card_moved_on(units, ranges)


def _moved_to_titles(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]]
) -> dict[int, str]:
    """{block: title} where the block opens with "let's start with X" or "let's move on to
    X", said by whoever says it most (anyone, when the transcript has no speakers): cards
    read out so, when none is read out otherwise. A participant's "let's move on to the
    budget question" within a card is not the facilitator's."""
    people = _people(units)
    heard = {
        b: (units[first].speaker, _moved_to(_said_through(units, first), people))
        for b, (first, _) in enumerate(ranges)
    }
    heard = {b: said for b, said in heard.items() if said[1]}
    movers = Counter(who for who, _ in heard.values())
    if not movers:
        return {}
    facilitator = movers.most_common(1)[0][0]
    return {b: title for b, (who, title) in heard.items() if who == facilitator}


def _read_out_from(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]], options: SegmentOptions
) -> int:
    """The block where the facilitator reads out the first card, when the cards are read
    out one by one; 0 otherwise. The talk before it is the opening (the welcome, each
    card introduced in a sentence or two, the vote), however much it says of the cards."""
    return min(_cards_read_out(units, ranges, options), default=0)


def _announced_board(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]], options: SegmentOptions
) -> tuple[AgendaCard, ...]:
    """Without an agenda, the cards the facilitator read out one by one, in the order
    announced, as a board: most votes first, as Lean Coffee discusses them; or the first
    card alone, when the facilitator moves on from it without reading the next ones out.
    (Cards not read out start at the facilitator's cues naming no card.)"""
    titles = list(dict.fromkeys(_cards_read_out(units, ranges, options).values()))
    return tuple(AgendaCard(t, votes=len(titles) - k) for k, t in enumerate(titles))


def _first_card_moved_on(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]]
) -> dict[int, str]:
    """{block: title} of the one card read out, when it is read out within the first
    quarter and its reader later moves on with a cue naming nothing ("let's move on",
    "next topic"): a facilitator who reads out the first card only. The cards after it
    start at those cues (``_unannounced_starts``), as when some cards are read out. A
    later cue moving on to a point ("move on to the project evaluation", AMI's TS3007d)
    is no such sign: a board of one card would take all the talk after it."""
    heard = _announced_titles(units, ranges)
    if len(heard) != 1:
        return {}
    ((read_at, _),) = heard.items()
    if read_at > len(ranges) / 4:
        return {}
    return heard if _reader_moves_on(units, ranges, read_at) else {}


def _reader_moves_on(
    units: Sequence[TranscriptSegment], ranges: list[tuple[int, int]], read_at: int
) -> list[int]:
    """The blocks after ``read_at`` that open with its reader moving on with a cue naming
    nothing ("let's move on", "next topic"; anyone, without speakers)."""
    reader = units[ranges[read_at][0]].speaker
    return [
        b
        for b, (first, _) in enumerate(ranges)
        if b > read_at
        and units[first].speaker == reader
        and _moves_on(_normalize(units[first].text))
        and not _TO_A_POINT.search(units[first].text)
    ]


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
    named = [w for w in _content_words(title.lower()) if w not in _VAGUE and not w.endswith("'s")]
    if not named or title.lower().startswith(("from ", "by ")) or _TALK_ON.match(title):
        return ""
    return title[:1].upper() + title[1:]


def parked_cards(
    units: Sequence[TranscriptSegment],
    agenda: Agenda | None,
    embed: Embed,
    options: SegmentOptions = SegmentOptions(),
) -> tuple[ParkedCard, ...]:
    """The cards the facilitator sends to the parking lot, in the order said.

    A card named so is the board's when half its words are in one card's title, or its
    MiniLM cosine to a card reaches ``announced_match`` (as for announced cards); it
    keeps the words said when the board lacks it, or when there is no board.
    "That goes to the parking lot" and "the rest goes to the parking lot" name none.
    """
    cards = agenda.cards if agenda is not None else ()
    heard: dict[str, int] = {}  # title said -> the unit that said it first
    later: set[str] = set()  # ... put off to a later meeting: a card of the board only
    for k in range(len(units)):
        text = _said_through(units, k).replace("\u2019", "'")
        for pattern in (*_PARKED, *(_PARKED_LATER if cards else ())):
            if (match := pattern.search(text)) and (title := _parked_title(match["title"])):
                heard.setdefault(title, k)
                if pattern in _PARKED_LATER:
                    later.add(title)
                break
    if not heard:
        return ()
    said = list(heard)
    named = [_card_named(t, [_title_stems(c.title) for c in cards]) for t in said]
    if cards and None in named:
        card_texts = [f"{c.title}. {c.description}".strip(" .") for c in cards]
        vectors = _unit_rows(np.asarray(embed(said + card_texts), dtype=float))
        fit = vectors[: len(said)] @ vectors[len(said) :].T
        named = [
            n if n is not None or fit[i].max() < options.announced_match else int(fit[i].argmax())
            for i, n in enumerate(named)
        ]
    parked: dict[str, ParkedCard] = {}
    for title, card in zip(said, named, strict=True):
        if card is None and title in later:
            continue
        shown = cards[card].title if card is not None else title
        unit = heard[title]
        parked.setdefault(shown, ParkedCard(shown, card, unit, units[unit].start))
    return tuple(parked.values())


def _parked_title(said: str) -> str:
    """ "We're out of time, so the last card, hiring for staff engineer roles," ->
    "Hiring for staff engineer roles"; "" for "that", "the rest", "the last card"."""
    parts = [p.strip() for p in said.split(",") if _title_stems(p)]
    if not parts:
        return ""
    title = _POINTING.sub("", parts[-1])
    title = re.sub(r"\s+(?:card|topic|item)$", "", title, flags=re.IGNORECASE)
    if _PARKED_VAGUE & set(_content_words(title.lower())):
        return ""
    return _announced_title(title)


def _starts_when_read_out(
    read: dict[int, int],
    named: dict[int, int],
    texts: list[str],
    strong: list[bool],
    ranges: list[tuple[int, int]],
    cards: Sequence[AgendaCard],
) -> np.ndarray:
    """allowed[b, c]: whether card c may start at block b when the cards are read out one
    by one. A card starts where it is read out or gone back to (``named``); one never
    read out (not in ``read``), at a cue naming no card ("let's move on") or where its
    votes are said ("five people voted for it"); none within another card's talk. On the
    bench's meetings with their cards read out, a card the talk fitted better took the
    middle of one read out. "Let's move on to the budget question" names a point of the
    card being discussed, not a card: only the card it names may start there."""
    unread = ~np.isin(np.arange(len(cards)), list(read.values()))
    titles = [_title_stems(c.title) for c in cards]
    allowed = np.zeros((len(ranges), len(cards)), dtype=bool)
    for b, (first, last) in enumerate(ranges):
        if b in named:
            allowed[b, named[b]] = True
        elif point := _moved_to(texts[first]):
            card = _card_named(point, titles)
            if card is not None:
                allowed[b, card] = unread[card]
        elif strong[first] or any(_VOTES_SAID.search(t) for t in texts[first : last + 1]):
            allowed[b] = unread
    return allowed


def _reading_rank(read: dict[int, int], board_rank: np.ndarray) -> np.ndarray:
    """The board's order with the cards read out (``read``: {block: card}) put in the
    order they were read out, in the places the board gives them; the cards never read
    out keep theirs (one may be discussed without being read out)."""
    first_read = {card: b for b, card in sorted(read.items(), reverse=True)}
    places = sorted(board_rank[c] for c in first_read)
    rank = board_rank.copy()
    for place, card in zip(places, sorted(first_read, key=first_read.get), strict=True):
        rank[card] = place
    return rank


def _board_rank(cards: Sequence[AgendaCard]) -> np.ndarray:
    """Each card's place in Lean Coffee order: most votes first, ties as listed."""
    order = sorted(range(len(cards)), key=lambda c: (-(cards[c].votes or 0), c))
    rank = np.empty(len(cards), dtype=int)
    rank[order] = np.arange(len(cards))
    return rank


def _decode_agenda(
    blocks: _Blocks,
    card_vecs: np.ndarray,
    card_cues: np.ndarray,
    span: np.ndarray,
    board_rank: np.ndarray,
    off_board: dict[int, _OffBoard],
    back: dict[int, int],
    opening: int,
    options: SegmentOptions,
    read_at_once: bool = False,
    added_cost: float = 0.0,
    read_out: dict[int, int | None] | None = None,
) -> list[Span]:
    """Card spans, following the board's order unless the content fits another far better.

    Labels: cards 0..C-1; C is the leading gap; C+1+c is a gap after card c, so
    the expected order is still known after a gap; 2C+1 is a topic not on the board
    before any card, 2C+2+c one after card c. Those start only at the blocks in
    ``off_board``, where the facilitator announces a card the board lacks, and fit the
    blocks as a card would, by the title announced last. A card may start there too
    (the announcement may reword it: "pager load" for "On-call fatigue"); the content
    decides. A topic not announced (no vector: a strong cue naming no card, when the board
    is the cards announced) fits every block at its ``fit``. Spans off the board
    come back with no card, like gaps. At a block in ``back`` (the facilitator going back
    to a card), that card may start with no cost for going back in the order. The blocks
    before ``opening`` are the leading gap. ``read_at_once``: a card is read out (or gone
    back to) in the first block. ``added_cost``: the cost of a topic off the board read out
    by title. ``read_out``: {block: card} where the cards are read out one by one (or gone
    back to; None where the next card starts unnamed); a card's span running on through
    another one's costs ``read_through_cost``.
    """
    n_blocks, n_cards = len(blocks.ranges), len(card_vecs)
    said = sorted(off_board)
    heard = [b for b in said if off_board[b].vector is not None]
    said_vecs = np.array([off_board[b].vector for b in heard]).reshape(
        len(heard), card_vecs.shape[1]
    )
    sims = _windows(blocks.vectors, options.window_blocks) @ np.vstack([card_vecs, said_vecs]).T
    # Mostly centred per card: a generic title is close to everything, a card mostly to
    # its part; partly on all cards, so a card unlike the whole meeting stays unused.
    baseline = options.card_centring * sims.mean(axis=0) + (1 - options.card_centring) * sims.mean()
    fits = options.sim_weight * (sims - baseline)
    # One column per topic off the board, in the order they start.
    columns = iter(range(n_cards, n_cards + len(heard)))
    fits = np.hstack(
        [fits[:, :n_cards]]
        + [
            fits[:, [next(columns)]]
            if off_board[b].vector is not None
            else np.full((n_blocks, 1), options.sim_weight * off_board[b].fit)
            for b in said
        ]
    )
    gaps_emit = np.full((n_blocks, n_cards + 1), options.sim_weight * options.gap_bias)
    # A topic off the board fits each block as the title announced last before it would.
    latest = np.searchsorted(said, np.arange(n_blocks), side="right") - 1
    said_emit = np.where(latest >= 0, fits[np.arange(n_blocks), n_cards + latest], 0.0)
    emit = np.hstack([fits[:, :n_cards], gaps_emit, np.repeat(said_emit[:, None], n_cards + 1, 1)])
    announced = np.zeros(n_blocks, dtype=bool)
    announced[said] = True
    starts = np.hstack(
        [
            card_cues + blocks.topic_cue[:, None],
            np.repeat(blocks.closing_cue[:, None], n_cards + 1, axis=1),
            np.repeat(np.where(announced, blocks.topic_cue, -np.inf)[:, None], n_cards + 1, axis=1),
        ]
    )
    starts[announced, n_cards : 2 * n_cards + 1] = -np.inf
    starts[heard, 2 * n_cards + 1 :] -= added_cost
    labels = np.arange(3 * n_cards + 2)
    # A card nobody discussed can look better than "no card" on a stretch no card fits
    # (a welcome): one block is too little talk to be a card's discussion. Nor is it
    # a topic off the board: a participant's "let's move on to ..." near a card's end.
    first, end = np.indices((n_blocks + 1, n_blocks + 1))
    too_short = np.where((end - first < options.min_card_blocks) & (end > first), -np.inf, 0.0)
    off_board_short = too_short.copy()
    for b in (b for b in said if off_board[b].vector is None):  # not read out: no title heard
        off_board_short[b, b + 1 : b + options.min_unannounced_blocks] = -np.inf
    # A card the facilitator goes back to may be short: "let's revisit X" and two turns.
    returned = {c: too_short.copy() for c in back.values()}
    for b, card in back.items():
        returned[card][b] = 0.0
    # A card read out ends the card before it: another card's span running through it costs.
    through: dict[int, np.ndarray] = {}
    for b, card in (read_out or {}).items():
        for other in range(n_cards):
            if other != card:
                through.setdefault(other, np.zeros((n_blocks + 1, n_blocks + 1)))
                through[other][:b, b + 1 :] -= options.read_through_cost
    priors = [
        *((labels == card, cost) for card, cost in through.items()),
        (labels < n_cards, _card_length_prior(blocks, n_cards, options)),
        ((labels < n_cards) & ~np.isin(labels, list(returned)), too_short),
        *((labels == card, short) for card, short in returned.items()),
        (labels > 2 * n_cards, off_board_short),
        (labels == n_cards, np.where(end < opening, -np.inf, 0.0)),  # the opening runs on
    ]
    span = span - options.segment_penalty

    def decode(rank: np.ndarray, trust: float) -> tuple[list[Span], float]:
        trans = _transitions(rank, trust, options)
        # Begin in the leading gap or on a card; off the board if announced at once.
        init = np.full(3 * n_cards + 2, -np.inf)
        init[:n_cards] = trans[n_cards, :n_cards] if opening == 0 else -np.inf
        if read_at_once:  # the first span gets no start bonus, but such a card does
            init[:n_cards] += card_cues[0]
        init[n_cards] = -np.inf if announced[0] else 0.0
        init[2 * n_cards + 1] = 0.0 if announced[0] else -np.inf
        trans_at = {}
        for b, card in back.items():
            trans_at[b] = trans.copy()
            trans_at[b][:, card] = np.where(np.isfinite(trans[:, card]), 0.0, -np.inf)
        labelled, score = _semi_markov(emit, trans, init, span, starts, priors, trans_at)
        return [(a, b, lab if lab < n_cards else None) for a, b, lab in labelled], score

    board, board_score = decode(board_rank, 1.0)
    free, _ = decode(board_rank, 0.0)
    own, own_score = decode(_inferred_rank(free, n_cards), options.inferred_order_trust)
    if own_score - board_score <= options.order_misfit_max:
        return board
    log.debug(
        "the content fits its own order better than the board's by %.1f", own_score - board_score
    )
    return own


def _card_length_prior(blocks: _Blocks, n_cards: int, options: SegmentOptions) -> np.ndarray:
    """A card is expected to last its share of the meeting, or its timebox when timed."""
    total = blocks.positions[-1] - blocks.positions[0]
    low, high = options.timebox_s
    if blocks.timed and total >= n_cards * low:  # long enough for every card's timebox
        expected = min(max(total / n_cards, low), high)  # unreached cards shrink the share
        return _log_normal_prior(blocks.positions, expected, options.timebox_weight)
    return _log_normal_prior(blocks.positions, total / max(n_cards, 1), options.length_weight)


def _transitions(rank: np.ndarray, trust: float, options: SegmentOptions) -> np.ndarray:
    """trans[a, b]: score of label b following label a (labels as in _decode_agenda).

    ``rank`` is the expected order of the cards; ``trust`` scales the cost of
    going back in it and of skipping cards.
    """
    n_cards = len(rank)
    trans = np.full((3 * n_cards + 2, 3 * n_cards + 2), -np.inf)

    def order(prev: int, nxt: int) -> float:  # ranks; -1 before any card
        if nxt > prev:
            return -trust * options.skip_weight * (nxt - prev - 1)
        return -trust * options.order_weight

    for b in range(n_cards):
        trans[n_cards, b] = order(-1, rank[b])
        trans[b, n_cards + 1 + b] = 0.0  # a gap after card b
        for a in range(n_cards):
            if a != b:
                trans[a, b] = trans[n_cards + 1 + a, b] = order(rank[a], rank[b])
    # Topics off the board keep the place in the order where they came up.
    lead = 2 * n_cards + 1
    trans[n_cards, lead] = trans[lead, lead] = 0.0
    for b in range(n_cards):
        trans[lead, b] = order(-1, rank[b])
    for a in range(n_cards):
        after = lead + 1 + a
        trans[a, after] = trans[n_cards + 1 + a, after] = trans[after, after] = 0.0
        trans[after, n_cards + 1 + a] = 0.0  # then a gap, such as the closing
        for b in range(n_cards):
            trans[after, b] = order(rank[a], rank[b])
    return trans


def _inferred_rank(spans: list[Span], n_cards: int) -> np.ndarray:
    """Cards ranked by the median block the content gave them; unplaced ones last."""
    given: dict[int, list[int]] = {}
    for first, last, card in spans:
        if card is not None:
            given.setdefault(card, []).extend(range(first, last + 1))
    centre = [float(np.median(given[c])) if c in given else math.inf for c in range(n_cards)]
    order = sorted(range(n_cards), key=lambda c: (centre[c], c))
    rank = np.empty(n_cards, dtype=int)
    rank[order] = np.arange(n_cards)
    return rank


# --- unsupervised mode ---------------------------------------------------------------------


def _decode_topics(blocks: _Blocks, span: np.ndarray, options: SegmentOptions) -> list[Span]:
    expected = options.topic_minutes * 60.0 if blocks.timed else options.topic_turns
    prior = _log_normal_prior(blocks.positions, expected, options.topic_length_weight)
    labelled, _ = _semi_markov(
        emit=np.zeros((len(blocks.ranges), 1)),
        trans=np.zeros((1, 1)),
        init=np.zeros(1),
        span=span - options.topic_penalty,
        starts=(blocks.topic_cue + blocks.closing_cue)[:, None],
        priors=[(np.array([True]), prior)],
    )
    return [(a, b, None) for a, b, _ in labelled]


# --- the decoder -----------------------------------------------------------------------------


def _semi_markov(
    emit: np.ndarray,
    trans: np.ndarray,
    init: np.ndarray,
    span: np.ndarray,
    starts: np.ndarray,
    priors: Sequence[tuple[np.ndarray, np.ndarray]],
    trans_at: dict[int, np.ndarray] | None = None,
) -> tuple[list[tuple[int, int, int]], float]:
    """Best partition of n blocks into labelled spans (first, last, label), and its score.

    A span of blocks i..j-1 labelled l scores sum(emit[i:j, l]) + span[i, j] +
    starts[i, l] + trans[previous label, l] (or init[l] for the first span), plus
    prior[i, j] for each (labels, prior) in ``priors`` where labels[l];
    ``trans_at[i]``, where given, replaces ``trans`` for a span starting at block i.
    The first span gets no start bonus.
    """
    trans_at = trans_at or {}
    n, n_labels = emit.shape
    cols = np.arange(n_labels)
    cum = np.vstack([np.zeros((1, n_labels)), np.cumsum(emit, axis=0)])
    starts = starts.copy()
    starts[0] = 0.0
    entry = np.full((n + 1, n_labels), -np.inf)  # best score of entering label l at block i
    entry_from = np.full((n + 1, n_labels), -1, dtype=int)
    entry[0] = init
    best = np.full((n + 1, n_labels), -np.inf)  # best score of label l ending at block j-1
    back = np.zeros((n + 1, n_labels, 2), dtype=int)  # (start block, previous label)
    for j in range(1, n + 1):
        extra = span[:j, j, None] + sum(
            (np.where(labels, prior[:j, j, None], 0.0) for labels, prior in priors),
            np.zeros((j, n_labels)),
        )
        score = entry[:j] + starts[:j] + (cum[j] - cum[:j]) + extra
        arg = np.argmax(score, axis=0)
        best[j] = score[arg, cols]
        back[j, :, 0] = arg
        back[j, :, 1] = entry_from[arg, cols]
        if j < n:
            moves = best[j][:, None] + trans_at.get(j, trans)
            entry_from[j] = np.argmax(moves, axis=0)
            entry[j] = moves[entry_from[j], cols]
    label = int(np.argmax(best[n]))
    total = float(best[n, label])
    spans = []
    j = n
    while j > 0:
        i, prev = back[j, label]
        spans.append((int(i), j - 1, label))
        j, label = int(i), int(prev)
    return spans[::-1], total


# --- output --------------------------------------------------------------------------------


def _build_segments(
    units: Sequence[TranscriptSegment],
    texts: list[str],
    ranges: list[tuple[int, int]],
    spans: list[Span],
    cards: Sequence[AgendaCard],
    off_board: dict[int, str],
    options: SegmentOptions,
) -> tuple[TopicSegment, ...]:
    # off_board: {block: the title announced there, "" for a card no one announced}
    bounds = [(ranges[a][0], ranges[b][1], card, off_board.get(a)) for a, b, card in spans]
    segments = []
    titles_used: set[str] = set()
    for pos, (first, last, card, announced) in enumerate(bounds):
        if card is not None:
            kind, title = "topic", cards[card].title
        elif announced:  # a card the board lacks, by the title the facilitator gave it
            kind, title = "topic", announced
        elif cards and announced is None:
            kind = "opening" if pos == 0 else "closing" if pos == len(bounds) - 1 else "other"
            title = {"opening": "Opening", "closing": "Closing", "other": "Aside"}[kind]
        elif not cards and 0 < pos == len(bounds) - 1 and _is_closing(texts[first]):
            kind, title = "closing", "Closing"  # "to wrap up, one takeaway each"
        else:  # a topic found unsupervised, or a card not announced: titled by what was said
            kind = "topic"
            title = _keyword_title(texts, first, last, ranges, titles_used, options.title_words)
            titles_used.add(title)
        extended = kind == "topic" and _timebox_extended(texts[first : last + 1])
        votes = _votes_said(texts[first : last + 1]) if kind == "topic" else None
        segments.append(
            _segment(units, first, last, title, kind, card, extended, bool(announced), votes)
        )
    return tuple(segments)


def _timebox_extended(texts: list[str]) -> bool:
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


def _votes_said(texts: list[str]) -> int | None:
    """The dot votes said as a card starts ("six people voted for it"), if any."""
    for text in texts[:_VOTES_WITHIN_UNITS]:
        if match := _VOTES_SAID.search(text):
            n = match["n"] or match["after"] or match["by"]
            return int(n) if n.isdigit() else _NUMBERS[n]
    return None


def _segment(
    units: Sequence[TranscriptSegment],
    first: int,
    last: int,
    title: str,
    kind: str,
    agenda_index: int | None,
    extended: bool = False,
    title_said: bool = False,
    votes_said: int | None = None,
) -> TopicSegment:
    return TopicSegment(
        title=title,
        kind=kind,
        agenda_index=agenda_index,
        first_turn=first,
        last_turn=last,
        start=units[first].start,
        end=units[last].end,
        extended=extended,
        title_said=title_said,
        votes_said=votes_said,
        start_cue=start_cue(units[first].text) if first > 0 else None,
    )


def start_cue(text: str) -> str | None:
    """The facilitator's words in a segment's first unit that move the group on ("let's
    move on", "the next card", "to wrap up", "let's go back to ..."), lower-cased; None if
    there are none, so the segmenter placed the start by what was said alone. Weak
    hints ("agenda", "presentation") are not counted: participants say them too."""
    said = _normalize(text)
    for pattern in (_ROUND_CALL, _CLOSING_CUES, _STRONG_CUES, _RETURN):
        if match := pattern.search(said):
            return " ".join(match[0].split()[:8])  # "let's go back to engineering metrics"
    return None


def _keyword_title(
    texts: list[str],
    first: int,
    last: int,
    ranges: list[tuple[int, int]],
    taken: set[str],
    n_words: int,
) -> str:
    """The segment's most distinctive phrases (TF-IDF over blocks), unlike titles ``taken``.

    Two-word phrases ("remote control") count extra: they read better than words.
    """
    df: Counter[str] = Counter()
    for a, b in ranges:
        df.update({p for t in texts[a : b + 1] for p in _phrases(t)})
    tf = Counter(p for t in texts[first : last + 1] for p in _phrases(t))
    n = len(ranges)

    def weight(p: str) -> float:
        return tf[p] * math.log((n + 1) / (df[p] + 0.5)) * (1.5 if " " in p else 1.0)

    ranked = sorted((p for p in tf if tf[p] > 1), key=lambda p: (-weight(p), p))
    picked: list[str] = []
    used: set[str] = set()
    for phrase in ranked:
        words = [_stem(w) for w in phrase.split()]  # "button" and "buttons" are one word
        if used.isdisjoint(words) and len(used) + len(words) <= n_words:
            picked.append(phrase)
            used.update(words)
        if len(used) >= n_words - 1:
            break
    title = ", ".join(picked).capitalize() or "Discussion"
    return title if title not in taken else f"{title} (turns {first + 1}-{last + 1})"


def _phrases(text: str) -> list[str]:
    """Content words, and pairs of them said one after the other."""
    words = [w.strip("'-") for w in _WORD.findall(text)]
    keep = [_is_content(w) and "'" not in w for w in words]
    singles = [w for w, k in zip(words, keep, strict=True) if k]
    pairs = [
        f"{a} {b}"
        for a, b, ka, kb in zip(words, words[1:], keep, keep[1:], strict=False)
        if ka and kb and a != b
    ]
    return singles + pairs


def _content_words(text: str) -> list[str]:
    return [w for w in (w.strip("'-") for w in _WORD.findall(text)) if _is_content(w)]


def _is_content(word: str) -> bool:
    return len(word) > 2 and word not in _STOPWORDS
