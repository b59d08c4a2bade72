import json

import pytest
from conftest import SAMPLES
from test_cli import outputs, run_cli

from pipeline.agenda import find_agenda_beside, load_agenda
from pipeline.errors import AgendaError


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_markdown_list_with_votes(tmp_path):
    path = write(
        tmp_path,
        "agenda.md",
        "# Board\n\n- Engineering metrics (5 votes)\n* [x] On-call fatigue (1 vote)\n"
        "3. Hiring staff engineers\n",
    )
    cards = load_agenda(path).cards
    assert [(c.title, c.votes) for c in cards] == [
        ("Engineering metrics", 5),
        ("On-call fatigue", 1),
        ("Hiring staff engineers", None),
    ]


def test_yaml_cards_with_descriptions(tmp_path):
    path = write(
        tmp_path,
        "board.yaml",
        "cards:\n  - title: 'Metrics: what works'\n    votes: 4\n"
        "    description: DORA versus story points\n  - title: Remote onboarding\n",
    )
    cards = load_agenda(path).cards
    assert cards[0].title == "Metrics: what works" and cards[0].votes == 4
    assert cards[0].description == "DORA versus story points"
    assert cards[1].votes is None


def test_github_issue_list_json_counts_thumbs_up(tmp_path):
    issues = [
        {
            "number": 12,
            "title": "On-call fatigue",
            "body": "How do you keep rotations humane?",
            "reactionGroups": [
                {"content": "THUMBS_UP", "users": {"totalCount": 4}},
                {"content": "HEART", "users": {"totalCount": 9}},
            ],
        },
        {"number": 13, "title": "Staff engineers", "body": "", "reactionGroups": []},
    ]
    path = write(tmp_path, "issues.json", json.dumps(issues))
    cards = load_agenda(path).cards
    assert [(c.title, c.votes) for c in cards] == [("On-call fatigue", 4), ("Staff engineers", 0)]
    assert cards[0].description == "How do you keep rotations humane?"
    assert [(c.issue, c.url) for c in cards] == [(12, ""), (13, "")]


def gh_board(urls: bool) -> list[dict]:
    """The demo's board as `gh issue list --json number,title,body,reactionGroups,url`."""
    cards = [
        (11, "Engineering metrics that nobody can cheat", 6),
        (12, "Onboarding senior hires remotely", 5),
        (9, "On-call fatigue", 4),
        (14, "Hiring for staff engineer roles", 2),
    ]
    return [
        {
            "number": number,
            "title": title,
            "body": "",
            "reactionGroups": [{"content": "THUMBS_UP", "users": {"totalCount": votes}}],
            **({"url": f"https://github.com/acme/roundtable/issues/{number}"} if urls else {}),
        }
        for number, title, votes in cards
    ]


@pytest.mark.parametrize("urls", [True, False])
def test_the_summary_and_the_follow_up_list_refer_to_each_card_s_issue(tmp_path, urls):
    """The roundtable proposes cards as GitHub issues: the agenda table and the cards not
    reached name each one's issue (linked when gh gave its URL), and the parking lot in the
    follow-up list (pasted into the next meeting's issue) carries it over by number."""
    board = write(tmp_path, "issues.json", json.dumps(gh_board(urls)))
    result = run_cli(tmp_path, SAMPLES / "demo-meeting.json", "--agenda", str(board),
                     "--export", "actions")  # fmt: skip
    assert result.returncode == 0, result.stderr
    (summary,) = [
        p for p in outputs(tmp_path) if p.name.endswith(".md") and ".actions" not in p.name
    ]
    (actions,) = [p for p in outputs(tmp_path) if p.name.endswith(".actions.md")]

    def issue(n: int) -> str:
        return f"[#{n}](https://github.com/acme/roundtable/issues/{n})" if urls else f"#{n}"

    rows = [line for line in summary.read_text().splitlines() if line.startswith("| ")]
    assert (
        f"| 1 | Engineering metrics that nobody can cheat ({issue(11)}) | 6 | yes | discussed |"
        in rows
    )
    assert f"| 4 | Hiring for staff engineer roles ({issue(14)}) | 2 |  | parking lot |" in rows
    not_reached = summary.read_text().split("## Not reached")[1]
    assert (
        f"- Hiring for staff engineer roles ({issue(14)}) (2 votes) — parking lot\n" in not_reached
    )
    parking_lot = actions.read_text().split("## Parking lot: carry over to the next board")[1]
    assert parking_lot.strip() == f"- [ ] Hiring for staff engineer roles ({issue(14)})"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.yaml", "cards:\n  - title: [unclosed\n", "malformed YAML at line"),
        ("a.json", '[{"title": "x",}]', "malformed JSON at line 1"),
        ("a.md", "\n\n# only a heading\n", "no cards found"),
        ("a.yaml", "- votes: 3\n", "needs a 'title'"),
        ("a.yaml", "- title: X\n  votes: many\n", "must be a whole number"),
        ("a.json", '{"title": "not a list"}', "expected a list of cards"),
        ("a.json", '[{"title": "x"}, {"title": ["On-call"]}]', "card 2: the title must be text"),
        ("a.yaml", "- title: X\n  description: {a: 1}\n", "the description must be text"),
        ("a.yaml", "- title: yes\n", "the title must be text"),
        ("a.json", '[{"title": "x", "number": "12"}]', "issue number of 'x' must be a whole"),
        ("a.yaml", "- title: X\n  issue: 0\n", "issue number of 'X' must be 1 or more"),
        ("a.json", '[{"title": "x", "url": "github.com/a/b/issues/1"}]', "url of 'x' must start"),
    ],
)
def test_bad_agenda_files_are_named_with_the_problem(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(AgendaError, match=message) as info:
        load_agenda(path)
    assert str(path) in str(info.value)


def test_a_yaml_title_read_as_a_number_is_taken_as_written(tmp_path):
    path = write(tmp_path, "a.yaml", "- title: 2027\n  votes: 3\n- title: Hiring\n")
    assert [c.title for c in load_agenda(path).cards] == ["2027", "Hiring"]


def test_agenda_beside_the_recording_is_found(tmp_path):
    recording = write(tmp_path, "audio_only.m4a", "")
    assert find_agenda_beside(recording) is None
    agenda = write(tmp_path, "agenda.yaml", "- title: X\n")
    assert find_agenda_beside(recording) == agenda
