"""Key phrases, takeaways, action items and resources with the real spaCy and MiniLM."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SAMPLES

from pipeline.artifacts import TopicSegment, TranscriptSegment
from pipeline.extract import commitment_cues, extract_notes, named_resources, retitled
from pipeline.models import load_keybert, load_spacy
from pipeline.transcript_json import load_transcript_json


@pytest.fixture(scope="module")
def demo():
    """The demo script, cut at its answer key's topic boundaries."""
    units = load_transcript_json(SAMPLES / "demo-meeting.json").transcript.segments
    reference = json.loads((SAMPLES / "demo-meeting.json").read_text())["reference"]
    segments = [
        TopicSegment(
            title=s["title"] or "",
            kind="other" if s["is_gap"] else "topic",
            agenda_index=s["topic_index"],
            first_turn=s["start_turn"],
            last_turn=s["end_turn"],
            start=None,
            end=None,
        )
        for s in reference["segments"]
    ]
    notes = extract_notes(units, segments, load_spacy(), load_keybert())
    return units, segments, notes


def topic_text(units, segment) -> str:
    return " ".join(u.text for u in units[segment.first_turn : segment.last_turn + 1]).lower()


def test_every_topic_gets_readable_notes(demo):
    units, segments, notes = demo
    assert len(notes.topics) == len(segments)
    for segment, topic in zip(segments, notes.topics, strict=True):
        if segment.kind != "topic":
            continue
        assert 5 <= len(topic.keyphrases) <= 8
        text = topic_text(units, segment)
        for phrase in topic.keyphrases:
            assert phrase.lower() in text, f"{phrase!r} does not occur in its topic"
        assert 2 <= len(topic.takeaways) <= 5
        for line in topic.takeaways:
            assert line[0].isupper() and line.endswith((".", "!"))
            assert not re.search(r"\b(um|uh)\b", line, re.IGNORECASE)
        assert len(set(topic.takeaways)) == len(topic.takeaways)


def test_advice_action_items_and_resources_are_found(demo):
    _, segments, notes = demo
    by_title = {s.title: t for s, t in zip(segments, notes.topics, strict=True)}
    metrics = by_title["Engineering metrics that nobody can cheat"]
    assert any("DORA" in line for line in metrics.takeaways)
    assert "Accelerate" in metrics.resources
    onboarding = by_title["Onboarding senior hires remotely"]
    (checklist,) = [i for i in onboarding.action_items if "onboarding checklist" in i.text]
    assert checklist.owner == "Mark"  # "I'll share our onboarding checklist", said by Mark
    assert any("Site Reliability Engineering" in r for r in by_title["On-call fatigue"].resources)
    assert 40 <= len(notes.overview.split()) <= 160
    assert "Engineering metrics" in notes.overview
    # Each overview sentence stands alone: none opens on "Instead," or "Also," (the demo's
    # "Instead, compare each team with itself" needs the sentence before it).
    sentences = re.split(r"(?<=[.!?])\s+", notes.overview)
    assert not [s for s in sentences if re.match(r"(?i)(instead|also|however)\b", s)]


def test_commitments_need_a_speaker_who_promises():
    assert commitment_cues("I'll share our onboarding checklist after this call.") == ["I'll share"]
    assert commitment_cues("We are going to write it up for the next meeting.") == [
        "We are going to write"
    ]
    assert commitment_cues("I'm gonna save a copy and put it in the shared folder.") == [
        "I'm gonna save"
    ]
    # Missing apostrophes make other words, not promises (seen in AMI meeting ES2009b).
    assert commitment_cues("If you were going to do a skin you'd need a download.") == []
    assert commitment_cues("Well look at the numbers first.") == []
    # A promise asked about or supposed is not made.
    assert commitment_cues("I'm wondering how we're gonna get fashion into this.") == []
    assert commitment_cues("Not sure if we'll add that.") == []
    # Put off, not taken on (AMI TS3009c).
    assert commitment_cues("We'll get to that later.") == []
    assert commitment_cues("These are some examples, but we'll talk about them later.") == []
    assert commitment_cues("I'll send the slides later today.") == ["I'll send"]
    assert commitment_cues("I'll send it later today.") == ["I'll send"]
    assert commitment_cues("But that's not what we're gonna do.") == []
    assert commitment_cues("So what we're gonna do is prepare the evaluation.") == [
        "what we're gonna do is"
    ]
    assert commitment_cues("What I'm gonna try to do is use echo cancellation.") == [
        "What I'm gonna try to do is"
    ]
    assert commitment_cues("What we're aiming to do is to create a new remote control.") == []
    # Running the meeting is no task after it (AMI TS3009b, TS3009c, TS3010c).
    assert commitment_cues("I'll start with the presentation again, the agenda.") == []
    assert commitment_cues("We'll look at the three presentations from you.") == []
    assert commitment_cues("Let's talk about the interface concept.") == []
    assert commitment_cues("The finance we'll do later, so firstly I'll show you the notes.") == []
    assert commitment_cues("We're gonna start recording them next week.") == ["We're gonna start"]
    # A forecast is no promise; a delivery is (ICSI Bed010).
    assert commitment_cues("We'll get more and more data from Heidelberg.") == []
    assert commitment_cues("I'll get back to you on the budget.") == ["I'll get back"]
    # A roundtable's own commitments.
    assert commitment_cues("I'll take that back to my team.") == ["I'll take that back"]
    assert commitment_cues("I'll connect you with our head of SRE after the call.") == [
        "I'll connect"
    ]
    assert commitment_cues("I'm going to steal that idea for our retros.") == ["I'm going to steal"]
    # Nor is a promise quoted from someone else (ICSI Bed010).
    assert commitment_cues('It says: " OK, well I\'m gonna try to do the greeting goal ".') == []


def notes_of_one_topic(said: list[str], title: str, speakers: list[str] | None = None):
    """extract_notes on ``said``, one turn a sentence, as one topic called ``title``;
    every turn is the PM's unless ``speakers`` says whose each one is."""
    speakers = speakers or ["PM"] * len(said)
    units = [
        TranscriptSegment(i, 10.0 * i, 10.0 * i + 9, t, speaker=who)
        for i, (t, who) in enumerate(zip(said, speakers, strict=True))
    ]
    topic = TopicSegment(title, "topic", 0, 0, len(units) - 1, None, None)
    return extract_notes(units, [topic], load_spacy(), load_keybert()).topics[0]


def test_a_promise_said_twice_is_one_action_item():
    # Turns adapted from AMI meeting ES2009b, where the project manager says it twice.
    said = [
        "Let's go for a touch screen with several submenus for the extra functions.",
        "I'm gonna save a copy of this in case you guys need any reminders.",
        "The battery has to last, so we need rechargeable cells in the base station.",
        "The casing should be plastic, black and red, with a rubber grip on the back.",
        "I'm gonna save a copy of this and put the minutes in the shared folder.",
        "I will check what the trend watchers say about fruit and vegetables.",
    ]
    items = [i.text for i in notes_of_one_topic(said, "Materials").action_items]
    assert len([i for i in items if "save a copy" in i]) == 1, items
    assert any("trend watchers" in i for i in items), items


def test_an_action_item_is_owned_by_whoever_took_it_on():
    said = [
        ("Dana", "Our interview loop for staff engineers takes six weeks, and we lose people."),
        ("Oscar", "I'll send everyone our interview rubric for staff engineers by Friday."),
        ("Priya", "We're going to try a paid work sample instead of the take-home exercise."),
        ("Dana", "Let's all bring one rejected candidate story to the next meeting."),
        ("Mark", "The bar raiser joins every loop, and the hiring manager writes the brief."),
    ]
    notes = notes_of_one_topic([t for _, t in said], "Hiring", [w for w, _ in said])
    owners = {i.text: (i.owner, i.start) for i in notes.action_items}
    assert owners == {
        said[1][1]: ("Oscar", 10.0),
        said[2][1]: ("Priya", 20.0),
        said[3][1]: (None, 30.0),  # "let's": the whole group's, nobody's in particular
    }


def test_introductions_and_running_the_meeting_are_not_takeaways():
    # Turns adapted from AMI meeting ES2006a's drawing round.
    said = [
        "So, my name's Cat and I'm really not very good at this whole drawing malarkey.",
        "My favourite animal is a rabbit because rabbits are soft and quiet.",
        "Okay, so my name is Maarika and I like dogs because they are loyal.",
        "My name is Gaurav and one of my favourite animals is a cow.",
        "The drawing tool on the whiteboard saves every sketch to the project folder.",
        "Let's see what's next in the PowerPoint presentation.",
    ]
    takeaways = notes_of_one_topic(said, "Drawing favourite animals").takeaways
    assert takeaways, "the other sentences still make takeaways"
    assert not [t for t in takeaways if "name" in t or "next" in t], takeaways


def test_a_courtesy_capitalised_mid_sentence_is_no_resource():
    # A turn of AMI meeting IS1006c: spaCy reads "Excuse" as a firm.
    said = [
        "So uh we discussed an Excuse me. So we would like to propose battery instead of "
        "solar cells and it would be problematic uh to have enough energy with the solar cells.",
        "The Nokia phone has changeable panels, and the iPod has a scroll wheel.",
    ]
    resources = notes_of_one_topic(said, "Components").resources
    assert "Nokia" in resources and "Excuse" not in resources, resources


def test_letters_spelled_out_are_no_resource():
    # Turns from ICSI meeting Bro005, where "MLP" is transcribed letter by letter.
    said = [
        "We may find that we're not really gonna worry about the M L You know, if the MLP fails.",
        "We trained the networks with HTK on the Italian and Finnish databases last week.",
        "The HTK results on the Finnish database are still below the baseline features.",
    ]
    resources = notes_of_one_topic(said, "Results from experiments").resources
    assert "HTK" in resources
    assert not [r for r in resources if re.fullmatch(r"(?:\w )+\w", r)], resources


def test_a_book_named_by_its_owner_and_subject_is_one_resource():
    assert named_resources("I'd recommend the Google book on site reliability engineering.") == [
        "Google book on site reliability engineering"
    ]
    assert named_resources("Read Google's book about running production systems and it helps") == [
        "Google's book about running production systems"
    ]
    # No owner: the title alone, as before; a capitalised first word is not an owner.
    assert named_resources("The book on Team Topologies is good") == ["Team Topologies"]
    assert named_resources("Great book on management, really") == []


def test_a_resource_name_stops_before_the_speaker_saying_i():
    # Whisper runs "Accelerate, and I'd recommend it" into one clause without commas.
    said = "Those metrics come from the book called Accelerate and I recommend it."
    assert named_resources(said) == ["Accelerate"]
    assert named_resources("a podcast called Lead Dev and I'd say it helps") == ["Lead Dev"]
    assert named_resources("a tool called DX and Jira") == ["DX and Jira"]


def test_topics_off_the_agenda_are_titled_by_their_key_phrases():
    segments = [
        TopicSegment("Opening", "opening", None, 0, 0, None, None),
        TopicSegment("On-call fatigue", "topic", 0, 1, 5, None, None),
        TopicSegment("May, sometimes, enter", "topic", None, 6, 9, None, None),
        TopicSegment("Again, later", "topic", None, 10, 12, None, None),
        TopicSegment("Nothing said", "topic", None, 13, 13, None, None),
    ]
    phrases = [
        (),
        ("alerts", "rotation"),
        ("intentions", "context", "building", "tourists"),
        ("intentions", "context", "building"),
        (),
    ]
    assert [s.title for s in retitled(segments, phrases)] == [
        "Opening",
        "On-call fatigue",  # a card keeps the organizer's words
        "Intentions, context, building",
        "Intentions, context, building (turns 11-13)",  # titles tell topics apart
        "Nothing said",
    ]


def test_an_unmarked_question_is_no_takeaway_and_a_stutter_no_resource():
    # Turns adapted from AMI meeting TS3010a, whose transcript writes questions with "."
    said = [
        "What are your experiences with remote controls.",
        "F first.",
        "Big ones are not easy to use, and when I dropped mine it broke.",
        "At home we have a TV, a video recorder, a DVD player and a satellite receiver.",
        "We use the Switchboard-two corpus and this Broadcast News set for training.",
        "The remote for our radio set has far too many buttons that nobody ever uses.",
    ]
    notes = notes_of_one_topic(said, "Remote controls")
    assert notes.takeaways and not [t for t in notes.takeaways if t.startswith("What")]
    assert notes.resources == ("Broadcast News",)  # not "F first", nor "this Broadcast News"


def test_an_action_item_names_what_will_be_done():
    # Commitments from AMI meetings TS3009c and ES2009b and ICSI Bro011: the first three
    # name no task (nothing but "it", "that", "here" after the promise).
    said = [
        "The titanium case is heavier, but the rubber buttons make it feel softer.",
        "I'll think about it, and try to remember.",
        "We'll get it to hear that.",
        "I am going to put it in here, because we can look.",
        "The remote needs a bigger menu button on the front for older users.",
        "I'll put the minutes in the project documents folder after the meeting.",
        "I will check what the trend watchers say about fruit and vegetables.",
    ]
    items = [i.text for i in notes_of_one_topic(said, "Materials").action_items]
    assert items == [said[5], said[6]]


def test_of_course_is_no_key_phrase():
    # "of course" all through AMI TS3009c made "course" one of its key phrases.
    said = [
        "Of course the titanium case has to be strong looking.",
        "The rubber buttons are soft, of course, but that fits the fruity look.",
        "Of course we can put the logo on the titanium front.",
        "A curved case in titanium, of course, costs more than plastic.",
        "The buttons should glow in the dark, of course.",
    ]
    phrases = notes_of_one_topic(said, "Materials").keyphrases
    assert "titanium" in phrases and "course" not in phrases, phrases


def test_steering_the_meeting_is_no_takeaway_but_a_decision_is():
    # Sentences from AMI meetings ES2009c, TS3009d, TS3010c and ICSI Bed002.
    said = [
        "Let's have a look at the decisions we are going to have to make.",
        "Let's go back to the slide of data.",
        "Let's talk about the interface concept.",
        "Let's go with a touch screen and a rechargeable battery in the base station.",
        "The rubber casing makes the remote feel soft and hard to break.",
    ]
    takeaways = notes_of_one_topic(said, "Interface concept").takeaways
    assert said[3] in takeaways, takeaways
    assert not [t for t in takeaways if t in said[:3]], takeaways


def test_lets_is_a_task_only_when_it_reaches_past_the_meeting():
    # Decided there and then (AMI ES2009d, TS3010c), against tasks for after the call.
    said = [
        "The rubber casing makes the remote feel soft and hard to break.",
        "Let's do a single curve on the case.",
        "Let's add one scroll wheel instead of two buttons.",
        "Let's all bring one rejected candidate story to the next meeting.",
        "Let's share the interview rubric with the whole group after the call.",
    ]
    items = [i.text for i in notes_of_one_topic(said, "Case design").action_items]
    assert items == [said[3], said[4]]
