"""The transition table: every move allowed to the right party, refused to everyone else."""

from __future__ import annotations

import pytest

from applications import states

PARTIES = ("applicant", "window", "reviewer", "head", "system")
STATUSES = tuple(states.STATUS_LABELS)


@pytest.mark.parametrize("transition", states.TRANSITIONS, ids=lambda t: t.action)
def test_each_transition_exactly_as_the_table_says(transition: states.Transition) -> None:
    for status in STATUSES:
        for party in PARTIES:
            for accepted in (None, "yes"):
                row = {"accepted_at": accepted}
                guard_ok = transition.guard is None or states.GUARDS[transition.guard](row)
                expected = status in transition.sources and party in transition.who and guard_ok
                assert states.allowed(transition.action, status, {party}, row) is expected, (status, party, accepted)


def test_terminal_states_allow_nothing() -> None:
    for status in states.TERMINAL:
        assert states.available(status, frozenset(PARTIES), {"accepted_at": "x"}) == []


def test_every_status_is_reachable_from_draft() -> None:
    reached, frontier = {"draft"}, ["draft"]
    while frontier:
        status = frontier.pop()
        for t in states.TRANSITIONS:
            if status in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(STATUSES)


def test_unknown_action_is_refused() -> None:
    assert not states.allowed("teleport", "submitted", {"system"}, {})
