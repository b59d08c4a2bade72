"""Chatham House rule with the real spaCy model."""

import json

import pytest

from pipeline.artifacts import MeetingNotes, ParkedCard, TopicNotes, TopicSegment
from pipeline.models import load_spacy
from pipeline.redact import (
    PARTICIPANT,
    introduced_names,
    participant_names,
    redact_notes,
    redact_parked,
    redact_texts,
)


@pytest.fixture(scope="module")
def nlp():
    return load_spacy()


def test_names_and_contact_details_are_removed(nlp):
    texts = [
        "Mark, it's your card. Mail me at mark.smith@acme.com or call +1 415 555 0100.",
        "Last year Sarah Connor moved our team to DORA metrics, and 12 people joined in 2019.",
    ]
    cleaned, log = redact_texts(texts, ["Dana", "Mark Lee", "Project Manager"], nlp)
    assert (
        cleaned[0]
        == "A participant, it's your card. Mail me at [e-mail removed] or call [phone removed]."
    )
    assert "Sarah Connor" not in cleaned[1] and PARTICIPANT in cleaned[1]
    assert "12 people joined in 2019" in cleaned[1], "numbers that are not phones stay"
    assert {(r.kind, r.original) for r in log} >= {
        ("email", "mark.smith@acme.com"),
        ("phone", "+1 415 555 0100"),
        ("name", "Mark"),
        ("name", "Sarah Connor"),
    }


def test_first_names_that_spacy_takes_for_places_or_firms_are_redacted(nlp):
    # Sentences adapted from ICSI meetings Bmr026 and Bro022: spaCy's small model reads
    # "Thilo" as a place and "Stephane" as a firm.
    named = [
        "I just gave Thilo some ten gigs of space.",
        "On that disk is only Carmen and Stephane's data.",
        "We should check with Stephane first.",
    ]
    kept = [
        "Thanks for joining our monthly Lean Coffee.",  # "Lean" is a first name too
        "We use Ruby on Rails for the admin tool.",
        "Some tin foil from a random Kit-Kat bar.",
        "So in Milan and Paris the trends show fruit patterns.",  # places, said as places
        "We launched it in May and the German team took it over in June.",
        "We rewrote the service in Go last year.",
    ]
    cleaned, log = redact_texts(named + kept, [], nlp)
    assert cleaned[: len(named)] == [
        "I just gave a participant some ten gigs of space.",
        "On that disk is only a participant and a participant's data.",
        "We should check with a participant first.",
    ]
    assert cleaned[len(named) :] == kept
    assert {r.original for r in log} == {"Thilo", "Carmen", "Stephane"}
    # Alone, as a resource, a first name has no sentence to tell by: the list decides.
    resources, _ = redact_texts(["Stephane", "SmartKom", "Ruby on Rails"], [], nlp, bare=[True] * 3)
    assert resources == ["A participant", "SmartKom", "Ruby on Rails"]


def test_attribute_keeps_names_but_never_contact_details(nlp):
    cleaned, log = redact_texts(["Ask Mark at mark@acme.com."], ["Mark"], nlp, keep_names=True)
    assert cleaned == ["Ask Mark at [e-mail removed]."]
    assert [r.kind for r in log] == ["email"]


def test_role_labels_are_not_treated_as_names():
    assert participant_names(["Project Manager", "Host", "Dana Lee", "Priya"]) == (
        "Dana Lee",
        "Priya",
        "Dana",
    )


def test_names_people_give_themselves_are_found():
    said = [
        "So, my name's Cat and I'm really not very good at this whole drawing malarkey",
        "Okay. Um so my name is Maarika. Where's the pen?",
        "Hi all, my name is Priya Nair I'm the CTO at a fintech.",
        "Please call me Monday if the build breaks.",  # no introduction
        "My name is Project Manager, for this exercise.",  # a role, not a name
        "My name's Cat again.",
    ]
    assert introduced_names(said) == ("Cat", "Maarika", "Priya Nair")


def test_a_name_found_in_one_note_is_redacted_in_all_and_a_bare_name_is_no_resource(nlp):
    """And the agenda's own words are never taken for a name."""
    # Alone, spaCy takes "Gaurav" for an organisation; the takeaway shows a person.
    segment = TopicSegment("Tools", "topic", 0, 0, 3, None, None)
    notes = MeetingNotes(
        overview="We compared tools.",
        keyphrases=("tools",),
        topics=(
            TopicNotes(
                keyphrases=("tools",),
                takeaways=("I asked Gaurav how his team runs incident reviews.",),
                action_items=(),
                resources=("Gaurav", "Team Topologies", "Gaurav's incident template"),
            ),
        ),
    )
    redacted, _, log = redact_notes(notes, [segment], ["Project Manager"], nlp)
    topic = redacted.topics[0]
    assert "Gaurav" not in " ".join(topic.takeaways)
    assert topic.resources == ("Team Topologies",)
    assert [r.original for r in log].count("Gaurav") == 3


def test_card_titles_in_the_overview_are_not_taken_for_people(nlp):
    # spaCy reads "Demos" and "Tools" in this list as people.
    cards = [
        TopicSegment("Demos", "topic", 0, 0, 1, None, None),
        TopicSegment("Tools", "topic", 1, 2, 3, None, None),
    ]
    empty = TopicNotes((), (), (), ())
    notes = MeetingNotes(
        overview="The group discussed two topics: Demos; and Tools. I talked to Nancy Lee.",
        keyphrases=(),
        topics=(empty, empty),
    )
    redacted, _, log = redact_notes(notes, cards, ["Project Manager"], nlp)
    assert redacted.overview == (
        "The group discussed two topics: Demos; and Tools. I talked to a participant."
    )
    assert [r.original for r in log] == ["Nancy Lee"]


def test_a_self_introduction_keeps_that_name_out_of_the_summary(tmp_path):
    from test_cli import run_cli

    turns = [
        ("Host", "Welcome everyone, let's get started with the first card on incident reviews."),
        ("Guest", "Hi, my name is Gaurav and I run platform engineering at a bank."),
        ("Guest", "Gaurav here again: blameless incident reviews changed how my team reports."),
        ("Host", "Every incident review ends with two owners and a date for each fix."),
        ("Guest", "We publish every incident review to the whole company within a week."),
        ("Host", "Incident reviews only work when managers stay out of the blame game."),
    ]
    transcript = {
        "title": "Introductions",
        "date": "2026-11-26",
        "turns": [{"speaker": who, "text": text} for who, text in turns],
    }
    path = tmp_path / "intro.json"
    path.write_text(json.dumps(transcript))
    result = run_cli(tmp_path, path)
    assert result.returncode == 0, result.stderr
    md = (tmp_path / "outputs" / "2026-11-26-introductions.md").read_text()
    assert "Gaurav" not in md
    sidecar = json.loads((tmp_path / "outputs" / "2026-11-26-introductions.json").read_text())
    assert "Gaurav" in {r["original"] for r in sidecar["redactions"]}


def test_titles_made_of_key_phrases_lose_only_the_names(nlp):
    topics = [
        TopicSegment("Dana, retros, tooling", "topic", None, 0, 1, None, None),
        TopicSegment("Logo, slogan, design", "topic", None, 2, 3, None, None),
    ]
    empty = TopicNotes((), (), (), ())
    notes = MeetingNotes(
        overview="The group discussed two topics: Dana, retros, tooling; and Logo, slogan, design.",
        keyphrases=("Dana", "retros"),
        topics=(TopicNotes(("Dana", "retros", "tooling"), (), (), ()), empty),
    )
    redacted, segments, _ = redact_notes(notes, topics, ["Dana"], nlp)
    assert [s.title for s in segments] == ["Retros, tooling", "Logo, slogan, design"]
    assert redacted.keyphrases == ("retros",)
    assert redacted.topics[0].keyphrases == ("retros", "tooling")
    assert "Logo, slogan, design" in redacted.overview and "Dana" not in redacted.overview


def test_a_title_the_facilitator_announced_is_redacted_as_said(nlp):
    """ "The next topic is Priya's question on pager load": a card the board lacked,
    titled in the meeting's words, which may name someone."""
    announced = TopicSegment(
        "Priya's question on pager load", "topic", None, 0, 1, None, None, title_said=True
    )
    card = TopicSegment("Demos", "topic", 0, 2, 3, None, None)
    empty = TopicNotes((), (), (), ())
    notes = MeetingNotes(
        overview="The group discussed two topics: Priya's question on pager load; and Demos.",
        keyphrases=(),
        topics=(empty, empty),
    )
    redacted, segments, log = redact_notes(notes, [announced, card], ["Project Manager"], nlp)
    assert [s.title for s in segments] == ["A participant's question on pager load", "Demos"]
    assert "Priya" not in redacted.overview and "Demos" in redacted.overview
    assert {r.original for r in log} == {"Priya"}


def test_a_card_parked_in_the_meeting_words_is_redacted_as_said(nlp):
    """ "Let's put Priya's question on pager load in the parking lot": the title is
    what was said; a board card's title is the organizer's and stays."""
    heard = ParkedCard("Priya's question on pager load", None, 7, None)
    board = ParkedCard("Hiring Priya's way", 3, 9, None)  # the organizer's own words
    parked, log = redact_parked([heard, board], ["Priya"], nlp)
    titles = [p.title for p in parked]
    assert titles == ["A participant's question on pager load", "Hiring Priya's way"]
    assert [(p.agenda_index, p.turn) for p in parked] == [(None, 7), (3, 9)]
    assert {r.original for r in log} == {"Priya"}
    kept, log = redact_parked([heard], ["Priya"], nlp, keep_names=True)
    assert kept == (heard,) and not log
