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

The facilitator's phrases themselves are read in `cues.py`; this module places topics.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline import cues
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
    returns = cues.returns_to_cards(units, cards) if cards else {}
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
            # The reader's "let's move on" naming nothing ends a card as a card read out
            # does: the next one starts there, though none is named. Just before a card
            # read out, the read-out does ("Good, let's move on." is no stretch of its own).
            moves_on = _reader_moves_on(units, ranges, min(read))
            read_out.update(dict.fromkeys(b for b in moves_on if b + 1 not in named))
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
    texts = [cues.normalize(u.text) for u in units]
    closing = [cues.is_closing(t) for t in texts]
    # "The last card goes to the parking lot" defers a card; it does not start one.
    strong = [cues.moves_on(t) and not c for t, c in zip(texts, closing, strict=True)]
    back = returns or {}
    # "Let's start with X" opens a block as "move on to X" does: it may read a card out.
    moved = [bool(cues.moved_to(u.text)) for u in units]
    breaks = [
        s or c or m or k in back
        for k, (s, c, m) in enumerate(zip(strong, closing, moved, strict=True))
    ]
    ranges = _make_blocks([len(t.split()) for t in texts], breaks, options.block_words)
    return texts, strong, closing, ranges


def boundary_examples(
    units: Sequence[TranscriptSegment], embed: Embed, options: SegmentOptions = SegmentOptions()
) -> tuple[list[tuple[int, int]], list[dict[str, float]]]:
    """The blocks segment_transcript would make of ``units`` and their boundary
    features, for training the boundary model."""
    texts, _, _, ranges = _cut_into_blocks(units, options)
    block_texts = [" ".join(units[k].text.strip() for k in range(a, b + 1)) for a, b in ranges]
    vectors = _unit_rows(_embed_by_length(embed, block_texts, options.embed_batch))
    return ranges, boundary_features(units, texts, ranges, vectors)


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
        if cues.WEAK_CUES.search(texts[a]) and not closing[a]
        else 0.0
        for a in firsts
    ]
    said = [any(closing[a : b + 1]) for a, b in ranges]
    # The closing round starts at its first cue; "my takeaway is..." follows it. The
    # call of the round is the surest sign of it, even after "we're out of time".
    closing_cue = [
        options.round_call_bonus
        if cues.ROUND_CALL.search(texts[a])
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
        stems.append(
            Counter(cues.stem(w) for t in texts[first : last + 1] for w in cues.content_words(t))
        )
    change = {
        f"{name}{w}": _change_at_each_block(matrix, w)
        for name, matrix in (("sem", topical), ("spk", share), ("lex", _bag_matrix(stems)))
        for w in (2, 5)
    }
    out = []
    for b, (first, _) in enumerate(ranges):
        words = cues.WORD.findall(texts[first])[:_FIRST_WORDS]
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
    said = [
        {cues.stem(w) for t in texts[a : b + 1] for w in cues.content_words(t)} for a, b in ranges
    ]
    df = Counter(w for words in said for w in words)
    limit = max(1.0, max_df * len(ranges))
    out = np.zeros((len(ranges), len(titles)))
    for c, title in enumerate(titles):
        rare = {
            w
            for w in map(cues.stem, cues.content_words(cues.normalize(title)))
            if 0 < df[w] <= limit
        }
        out[:, c] = [bool(words & rare) for words in said]
    return out


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
    titles = [cues.title_stems(c.title) for c in cards]
    said = _unit_rows(np.asarray(embed(list(heard.values())), dtype=float))
    fit = said @ card_vecs.T
    on_board: dict[int, int] = {}
    off_board: dict[int, _OffBoard] = {}
    for (b, title), vector, row in zip(heard.items(), said, fit, strict=True):
        card = cues.card_named(title, titles)
        if card is None and row.max() >= options.announced_match:
            card = int(row.argmax())
        if card is not None:
            on_board[b] = card
        words = cues.title_stems(title)
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
        for match in cues.ISSUE_SAID.finditer(cues.said_through(units, first)):
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
    people = cues.speaker_names(units)
    read_by_proposer = -1  # the last unit whose reading went to a handover's block
    for b, (first, _) in enumerate(ranges):
        if first <= read_by_proposer:
            continue
        said = cues.said_through(units, first)
        if title := cues.announced_card(said, people):
            heard[b] = title
        elif cues.HANDOVER.search(cues.normalize(said)):  # the proposer reads it out, just after
            for k in range(first + 1, min(first + 1 + cues.HANDOVER_UNITS, len(units))):
                if title := cues.announced_card(units[k].text, people):
                    heard[b], read_by_proposer = title, k
                    break
    return heard


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
            if cues.TO_A_POINT.search(units[first].text)
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
    people = cues.speaker_names(units)
    heard = {
        b: (units[first].speaker, cues.moved_to(cues.said_through(units, first), people))
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
    found = []
    for b in range(read_at + 1, len(ranges)):
        first = ranges[b][0]
        if units[first].speaker != reader:
            continue
        text = cues.normalize(units[first].text)
        # A closing cue ("the last card, X, goes to the parking lot") moves on to no card.
        if (
            cues.moves_on(text)
            and not cues.is_closing(text)
            and not cues.TO_A_POINT.search(units[first].text)
        ):
            found.append(b)
    return found


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
        text = cues.said_through(units, k).replace("\u2019", "'")
        for pattern in (*cues.PARKED, *(cues.PARKED_LATER if cards else ())):
            if (match := pattern.search(text)) and (title := cues.parked_title(match["title"])):
                heard.setdefault(title, k)
                if pattern in cues.PARKED_LATER:
                    later.add(title)
                break
    if not heard:
        return ()
    said = list(heard)
    named = [cues.card_named(t, [cues.title_stems(c.title) for c in cards]) for t in said]
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
    titles = [cues.title_stems(c.title) for c in cards]
    allowed = np.zeros((len(ranges), len(cards)), dtype=bool)
    for b, (first, last) in enumerate(ranges):
        if b in named:
            allowed[b, named[b]] = True
        elif point := cues.moved_to(texts[first]):
            card = cues.card_named(point, titles)
            if card is not None:
                allowed[b, card] = unread[card]
        elif strong[first] or any(cues.VOTES_SAID.search(t) for t in texts[first : last + 1]):
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
    blocks as a card would, by the title announced where they start. A card may start
    there too (the announcement may reword it: "pager load" for "On-call fatigue"); the content
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
    # A topic off the board fits its blocks as the title announced where it starts would
    # (by its own start's column, as a prior on its span: a later announcement or point
    # within it is no part of it).
    emit = np.hstack([fits[:, :n_cards], gaps_emit, np.zeros((n_blocks, n_cards + 1))])
    own_fit = np.zeros((n_blocks + 1, n_blocks + 1))
    for column, b in enumerate(said, start=n_cards):
        own_fit[b, b + 1 :] = np.cumsum(fits[b:, column])
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
        (labels > 2 * n_cards, own_fit),
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
        elif not cards and 0 < pos == len(bounds) - 1 and cues.is_closing(texts[first]):
            kind, title = "closing", "Closing"  # "to wrap up, one takeaway each"
        else:  # a topic found unsupervised, or a card not announced: titled by what was said
            kind = "topic"
            title = _keyword_title(texts, first, last, ranges, titles_used, options.title_words)
            titles_used.add(title)
        extended = kind == "topic" and cues.timebox_extended(texts[first : last + 1])
        votes = cues.votes_said(texts[first : last + 1]) if kind == "topic" else None
        segments.append(
            _segment(units, first, last, title, kind, card, extended, bool(announced), votes)
        )
    return tuple(segments)


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
        start_cue=cues.start_cue(units[first].text) if first > 0 else None,
    )


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
        df.update({p for t in texts[a : b + 1] for p in cues.phrases(t)})
    tf = Counter(p for t in texts[first : last + 1] for p in cues.phrases(t))
    n = len(ranges)

    def weight(p: str) -> float:
        return tf[p] * math.log((n + 1) / (df[p] + 0.5)) * (1.5 if " " in p else 1.0)

    ranked = sorted((p for p in tf if tf[p] > 1), key=lambda p: (-weight(p), p))
    picked: list[str] = []
    used: set[str] = set()
    for phrase in ranked:
        words = [cues.stem(w) for w in phrase.split()]  # "button" and "buttons" are one word
        if used.isdisjoint(words) and len(used) + len(words) <= n_words:
            picked.append(phrase)
            used.update(words)
        if len(used) >= n_words - 1:
            break
    title = ", ".join(picked).capitalize() or "Discussion"
    return title if title not in taken else f"{title} (turns {first + 1}-{last + 1})"
