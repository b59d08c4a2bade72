"""Chatham House rule with the real spaCy model."""

import pytest

from pipeline.models import load_spacy
from pipeline.redact import PARTICIPANT, participant_names, redact_texts


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
