"""The facilitator's phrases, read from text alone (no model)."""

import pytest

from pipeline.cues import announced_card, is_facilitation


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("Next up is Mark's card.", ""),  # whose card, not which
        ("The next card is mine.", ""),
        ("Our next card is mine: on call fatigue.", "On call fatigue"),
        ("Sure. My card is about onboarding senior hires.", "Onboarding senior hires"),
        ("My question is whether we ship it.", ""),  # talk, not a card
        ("Next up is issue number 15, onboarding.", "Onboarding"),  # its GitHub issue first
    ],
)
def test_whose_card_it_is_is_no_title(text, card):
    assert announced_card(text) == card


@pytest.mark.parametrize(
    "text",
    [  # said in the bench's AMI and ICSI meetings, or within a card
        "then we have a cover basically, you don't need much of the time",
        "So whoever wants to get up next, you can write down some telly that you watch.",
        "So when are we gonna have basic prototypes coming up next?",
        "Well, let's start with the beginning, just one by one.",
        "Let's move on to the next point.",
        "So first we have to decide who goes first.",
        "So, next topic, I think we should wait.",
    ],
)
def test_talk_that_only_sounds_like_reading_a_card_out_names_no_card(text):
    assert announced_card(text) == ""


@pytest.mark.parametrize(
    ("text", "structure"),
    [
        ("Let's close with one learning from each of you.", True),
        ("Before we go, one takeaway from everybody.", True),
        ("Next up is on-call fatigue.", True),
        ("Next is Mark's card.", True),  # handed to its proposer
        ("My card is on-call fatigue.", True),  # the proposer reading it out
        # said within the bench's AMI and ICSI meetings
        ("So we're ready to close that and go back to our, that one. Each of them.", False),
        ("The one that we submitted the last round?", False),
        ("Before we go on to the budget, each of you had a look at the chip.", False),
    ],
)
def test_the_meeting_s_structure_is_told_from_talk_about_it(text, structure):
    assert is_facilitation(text) is structure
