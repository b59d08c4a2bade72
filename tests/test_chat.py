"""Zoom chat files in each of their three formats; direct messages never kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.artifacts import ChatMessage, MeetingNotes, TopicNotes, TopicSegment
from pipeline.chat import attach_chat, load_chat, parse_chat_start
from pipeline.errors import InputError, SettingsError
from pipeline.names import NameMap

SECRET = "salary numbers for the reorg"

ONE_LINE = f"""\
00:00:45 From Mark : the DORA research is at https://dora.dev/research
00:00:52 From Mark to Dana Lee(Privately) : {SECRET}
00:01:05 From Priya Nair to Everyone : Does anyone compare teams
with each other?
"""

TWO_LINE = f"""\
00:00:45 From Mark to Everyone:
\tThe book: https://itrevolution.com/accelerate
00:00:52 From Mark to Dana Lee(Direct Message):
\t{SECRET}
00:01:50 From Priya Nair to Everyone:
\tHow long should the buddy stay
\twith a new hire?
"""

CLOUD = """\
00:00:40\tOscar:\tDepends on your team, I guess.
00:00:45\tMark:\tReplying to "Depends on your te..."
\tSee https://dora.dev/research for the four metrics
00:00:46\tPriya Nair:\tReacted to "Depends on..." with 👍
00:01:50\tPriya Nair:\tHow long should the buddy stay with a new hire?
00:01:51\tDana Lee:\tRemoved a 👍 reaction from "Depends on..."
"""


def write(tmp_path: Path, text: str, name: str = "chat.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_local_one_line_format(tmp_path):
    chat = load_chat(write(tmp_path, ONE_LINE))
    assert [(m.time_s, m.sender) for m in chat.messages] == [(45.0, "Mark"), (65.0, "Priya Nair")]
    assert chat.messages[0].text == "the DORA research is at https://dora.dev/research"
    # A message that runs on over a second line is one message.
    assert chat.messages[1].text == "Does anyone compare teams with each other?"
    assert chat.direct_messages_skipped == 1


def test_local_two_line_format(tmp_path):
    chat = load_chat(write(tmp_path, TWO_LINE, "meeting_saved_chat.txt"))
    assert [m.text for m in chat.messages] == [
        "The book: https://itrevolution.com/accelerate",
        "How long should the buddy stay with a new hire?",
    ]
    assert [m.time_s for m in chat.messages] == [45.0, 110.0]
    assert chat.direct_messages_skipped == 1


def test_cloud_format_drops_reply_quotes_and_reactions(tmp_path):
    chat = load_chat(write(tmp_path, CLOUD))
    assert [(m.sender, m.text) for m in chat.messages] == [
        ("Oscar", "Depends on your team, I guess."),
        ("Mark", "See https://dora.dev/research for the four metrics"),
        ("Priya Nair", "How long should the buddy stay with a new hire?"),
    ]


@pytest.mark.parametrize("text", [ONE_LINE, TWO_LINE])
def test_direct_messages_are_never_kept(tmp_path, text):
    chat = load_chat(write(tmp_path, text))
    assert len(chat.messages) == 2
    assert all(SECRET not in m.text for m in chat.messages)


def test_senders_go_through_the_name_map_and_times_through_the_chat_start(tmp_path):
    names = NameMap({"priyanair": "Priya"})
    text = "10:01:05 From Priya Nair to Everyone:\n\tWhat about on-call pay?\n"
    chat = load_chat(write(tmp_path, text), names, chat_start_s=parse_chat_start("10:00:00"))
    assert chat.messages == (ChatMessage(65.0, "Priya", "What about on-call pay?"),)


def test_chat_start_accepts_clock_times_and_seconds_only():
    assert parse_chat_start("10:00:00") == 36000.0
    assert parse_chat_start("90") == 90.0
    with pytest.raises(SettingsError, match="'ten o'clock'"):
        parse_chat_start("ten o'clock")


@pytest.mark.parametrize(
    "text, message",
    [
        ("Meeting notes\n00:00:45 From Mark : hi\n", "line 1 is not a chat message"),
        ("\n\n", "has no messages"),
    ],
)
def test_malformed_chat_is_one_clear_error(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as raised:
        load_chat(path)
    assert str(raised.value).startswith(str(path)) and "\n" not in str(raised.value)


def _topic(title: str, start: float, end: float, first: int) -> TopicSegment:
    return TopicSegment(title, "topic", None, first, first, start, end)


def test_links_named_resources_and_questions_join_the_topic_at_their_time():
    topics = [_topic("metrics", 10, 88, 0), _topic("onboarding", 88, 132, 1)]
    empty = TopicNotes((), (), (), ("Accelerate",))
    notes = MeetingNotes("", (), (empty, TopicNotes((), (), (), ())))
    messages = [
        ChatMessage(45, "Mark", "The book: https://itrevolution.com/accelerate"),
        ChatMessage(50, "Oscar", "+1"),  # chatter: neither a link nor a question
        ChatMessage(60, "Dana", "We track it with a tool called Sleuth"),  # named, no link
        ChatMessage(70, "Oscar", "Great point, agreed"),  # capitalised chatter, no resource
        ChatMessage(110, "Priya", "How long should the buddy stay with a new hire?"),
        ChatMessage(120, "Mark", "Also the book Team Topologies"),
        ChatMessage(500, "Priya", "Slides at https://example.com/deck"),  # after the end
    ]
    joined, unplaced = attach_chat(notes, topics, messages, duration_s=200)
    first, second = joined.topics
    assert first.resources == (
        "Accelerate",
        "The book: https://itrevolution.com/accelerate",
        "We track it with a tool called Sleuth",
    )
    assert first.questions == ()
    assert second.questions == ("How long should the buddy stay with a new hire?",)
    assert second.resources == ("Also the book Team Topologies",)
    assert [m.time_s for m in unplaced] == [500]
