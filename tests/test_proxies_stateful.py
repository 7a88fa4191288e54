"""A stateful property: whatever happens to grants, an agent never acts outside one in force.

Hypothesis drives a random sequence of offers, accepts (with right and wrong codes), acting
switches, actions, suspensions, resumptions, revocations, agents opting out, the clock moving on
and the expiry sweep, for one principal and two agents (fresh in every example). A model keeps what should hold; after
every action the agent tries, the platform must agree with it: the action succeeds exactly when
the agent's session switched under the grant that is now in force and the grant covers it, and is
otherwise refused exactly like a missing resource.

The state machine runs in a worker thread; each step runs its requests on the test's event loop
(``anyio.from_thread.run``), where the app and its database connections live.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from core import timeutil
from proxies import grants as grant_service
from tests.factories import form_for
from tests.proxies_support import Items, agent_ref, comparable, fresh_account, long_token, step_up
from tests.support import Account, account, as_user

pytestmark = pytest.mark.anyio

AGENTS = 2
MAX_SHIFT = dt.timedelta(days=4)
ACTIONS = ("view", "apply", "withdraw")


@dataclasses.dataclass
class Grant:
    id: str
    code: str
    state: str  # pending active suspended ended
    actions: frozenset[str]
    valid_until: dt.datetime
    pending_until: dt.datetime

    def in_force(self, now: dt.datetime) -> bool:
        return self.state == "active" and now < self.valid_until

    def live(self, now: dt.datetime) -> bool:
        if self.state in ("active", "suspended"):
            return now < self.valid_until
        if self.state == "pending":
            return now < self.pending_until and now < self.valid_until
        return False


@dataclasses.dataclass
class World:
    app: Any
    items: Items
    other: Account
    successes: int = 0
    refusals: int = 0


async def _world(app: Any) -> World:
    items = Items(app)
    other = await account()
    other.token = await long_token(other)
    return World(app, items, other)


def call(fn: Any, *args: Any) -> Any:
    return anyio.from_thread.run(fn, *args)


def machine_for(world: World) -> type[RuleBasedStateMachine]:
    app = world.app

    class GrantLife(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            # Fresh people for every example, so examples (and their replays) never share grants or items.
            self.principal: Account = call(fresh_account)
            self.principal.token = call(long_token, self.principal)  # the clock moves by days here
            self.agents: list[Account] = [call(fresh_account) for _ in range(AGENTS)]
            self.grants: dict[int, Grant | None] = dict.fromkeys(range(AGENTS))
            self.sessions: dict[int, str] = {i: call(long_token, self.agents[i]) for i in range(AGENTS)}
            self.switched: dict[int, str | None] = dict.fromkeys(range(AGENTS))  # grant the session acts under
            self.shifted = dt.timedelta(0)
            self.successes = 0
            self.refusals = 0
            # Items of the principal: covered (theme in), uncovered (theme out); and another person's.
            self.covered = call(self._submitted, self.principal, "in")
            self.uncovered = call(self._submitted, self.principal, "other_matter")
            self.foreign = call(self._submitted, world.other, "in")
            # Start from the usual situation: the first agent was authorised and switched to the principal.
            self.offer(0, set(ACTIONS), short=False)
            self.accept(0, right=True)
            self.switch(0)

        async def _submitted(self, owner: Account, variant: str) -> str:
            return (await world.items.submitted(owner, variant))["summary"]["id"]

        def teardown(self) -> None:
            timeutil.shift(-getattr(self, "shifted", dt.timedelta(0)))
            world.successes += getattr(self, "successes", 0)
            world.refusals += getattr(self, "refusals", 0)

        # ---- the principal and the agents manage grants ----------------------------------------------
        @rule(
            agent=st.integers(0, AGENTS - 1), actions=st.sets(st.sampled_from(ACTIONS), min_size=1), short=st.booleans()
        )
        def offer(self, agent: int, actions: set[str], short: bool) -> None:
            now = timeutil.now()
            current = self.grants[agent]
            body: dict[str, Any] = {
                "agent": agent_ref(self.agents[agent]),
                "scope": {
                    "groups": [f"theme:{world.items.theme_in}"],
                    "actions": sorted(actions),
                    "regions": ["360100"],
                },
            }
            if short:
                body["valid_until"] = (now + dt.timedelta(hours=3)).isoformat()

            async def send() -> Any:
                token = await long_token(self.principal)
                await step_up(token)
                async with as_user(app, token) as http:
                    return await http.post("/api/proxies/grants", json=body)

            response = call(send)
            if current is not None and current.live(timeutil.now()):
                assert response.status_code == 409 and response.json()["code"] == "grant_exists", response.text
                return
            assert response.status_code == 201, response.text
            made = response.json()
            self.grants[agent] = Grant(
                id=made["grant"]["id"],
                code=made["code"],
                state="pending",
                actions=frozenset(actions),
                valid_until=dt.datetime.fromisoformat(made["grant"]["valid_until"]),
                pending_until=dt.datetime.fromisoformat(made["code_expires_at"]),
            )

        @rule(agent=st.integers(0, AGENTS - 1), right=st.booleans())
        def accept(self, agent: int, right: bool) -> None:
            current = self.grants[agent]
            if current is None:
                return
            code = current.code if right else f"{(int(current.code) + 1) % 10**8:08d}"

            async def send() -> Any:
                async with as_user(app, await long_token(self.agents[agent])) as http:
                    return await http.post(f"/api/proxies/grants/{current.id}/accept", json={"code": code})

            response = call(send)
            now = timeutil.now()
            pending = current.state == "pending" and current.live(now)
            if pending and right:
                assert response.status_code == 200, response.text
                current.state = "active"
            elif pending:
                assert response.status_code == 422 and response.json()["code"] == "grant_code_invalid"
            else:
                assert response.status_code == 409, response.text
                current.state = "ended" if not current.live(now) else current.state

        def _move(self, agent: int, move: str, who: Account, allowed_from: set[str], target: str) -> None:
            current = self.grants[agent]
            if current is None:
                return

            async def send() -> Any:
                async with as_user(app, await long_token(who)) as http:
                    return await http.post(f"/api/proxies/grants/{current.id}/{move}", json={})

            response = call(send)
            live = current.live(timeutil.now())
            if live and current.state in allowed_from:
                assert response.status_code == 200, (move, response.text)
                current.state = target
            else:
                assert response.status_code == 409, (move, current, response.text)
                if not live:
                    current.state = "ended"

        @rule(agent=st.integers(0, AGENTS - 1), by_agent=st.booleans())
        def end(self, agent: int, by_agent: bool) -> None:
            """The principal revokes, or the agent opts out."""
            if by_agent:
                self._move(agent, "opt-out", self.agents[agent], {"active", "suspended"}, "ended")
            else:
                self._move(agent, "revoke", self.principal, {"pending", "active", "suspended"}, "ended")

        @rule(agent=st.integers(0, AGENTS - 1), resume=st.booleans())
        def suspension(self, agent: int, resume: bool) -> None:
            if resume:
                self._move(agent, "resume", self.principal, {"suspended"}, "active")
            else:
                self._move(agent, "suspend", self.principal, {"active"}, "suspended")

        @rule(hours=st.sampled_from([1, 2, 5, 30]))
        def time_passes(self, hours: int) -> None:
            if self.shifted >= MAX_SHIFT:  # sessions stay alive: at most a few days per example
                return
            timeutil.shift(dt.timedelta(hours=hours))
            self.shifted += dt.timedelta(hours=hours)

        @rule()
        def sweep(self) -> None:
            call(grant_service.expire_due)

        # ---- acting ------------------------------------------------------------------------------------
        @rule(agent=st.integers(0, AGENTS - 1))
        def switch(self, agent: int) -> None:
            async def send() -> Any:
                async with as_user(app, self.sessions[agent]) as http:
                    return await http.put("/api/session/acting", json={"kind": "person", "id": str(self.principal.id)})

            response = call(send)
            current = self.grants[agent]
            if current is not None and current.in_force(timeutil.now()):
                assert response.status_code == 200, response.text
                assert response.json()["acting"]["via"] == current.id
                self.switched[agent] = current.id
            else:
                assert response.status_code == 404, response.text
                # a refused switch leaves the session as it was

        def _allowed(self, agent: int, action: str, covered: bool) -> bool:
            current = self.grants[agent]
            return (
                covered
                and current is not None
                and self.switched[agent] == current.id
                and current.in_force(timeutil.now())
                and action in current.actions
            )

        @rule(agent=st.integers(0, AGENTS - 1), which=st.sampled_from(["covered", "uncovered", "foreign"]))
        def view(self, agent: int, which: str) -> None:
            target = getattr(self, which)

            async def send() -> tuple[Any, Any, Any]:
                async with as_user(app, self.sessions[agent]) as http:
                    one = await http.get(f"/api/applications/{target}")
                    missing = await http.get(f"/api/applications/{uuid.uuid4()}")
                    listing = await http.get("/api/applications")
                return one, missing, listing

            one, missing, listing = call(send)
            allowed = self._allowed(agent, "view", which == "covered")
            listed = target in [row["id"] for row in listing.json()]
            if allowed:
                assert one.status_code == 200 and listed, one.text
                self.successes += 1
            else:
                assert comparable(one) == comparable(missing), (which, one.text)
                assert not listed
                self.refusals += 1

        @rule(agent=st.integers(0, AGENTS - 1), covered=st.booleans())
        def apply(self, agent: int, covered: bool) -> None:
            async def send() -> tuple[Any, Any]:
                matter = await world.items.matter("plain", "in" if covered else "other_matter")
                body = {"matter_id": str(matter), "form": form_for(self.principal), "submit": False}
                async with as_user(app, self.sessions[agent]) as http:
                    made = await http.post("/api/applications", json=body)
                    missing = await http.post("/api/applications", json={**body, "matter_id": str(uuid.uuid4())})
                return made, missing

            made, missing = call(send)
            if self.switched[agent] is None:  # never switched: the agent applies for themselves
                assert made.status_code == 201, made.text
                assert made.json()["summary"]["applicant_name"] == self.agents[agent].person.name
            elif self._allowed(agent, "apply", covered):
                assert made.status_code == 201, made.text
                assert made.json()["summary"]["applicant_name"] == self.principal.person.name
                self.successes += 1
            else:
                assert comparable(made) == comparable(missing), made.text
                self.refusals += 1

        @rule(agent=st.integers(0, AGENTS - 1))
        def withdraw(self, agent: int) -> None:
            async def send() -> tuple[Any, Any, str]:
                fresh = await world.items.submitted(self.principal, "in")
                target = fresh["summary"]["id"]
                async with as_user(app, self.sessions[agent]) as http:
                    done = await http.post(f"/api/applications/{target}/withdraw", json={"reason": "测试"})
                    missing = await http.post(f"/api/applications/{uuid.uuid4()}/withdraw", json={"reason": "测试"})
                return done, missing, target

            done, missing, _ = call(send)
            if self._allowed(agent, "withdraw", True):
                assert done.status_code == 200 and done.json()["summary"]["status"] == "withdrawn", done.text
                self.successes += 1
            else:
                assert comparable(done) == comparable(missing), done.text
                self.refusals += 1

        @invariant()
        def sessions_say_whom_they_act_for(self) -> None:
            if not hasattr(self, "sessions"):
                return
            for agent, grant_id in self.switched.items():
                if grant_id is None:
                    continue

                async def send(token: str = self.sessions[agent]) -> Any:
                    async with as_user(app, token) as http:
                        return await http.get("/api/session")

                seen = call(send).json()["me"]["acting"]
                assert seen["id"] == str(self.principal.id) and seen["via"] == grant_id
                current = self.grants[agent]
                in_force = current is not None and current.id == grant_id and current.in_force(timeutil.now())
                assert (seen["grant_state"] == "active") == in_force, (seen, current)

    return GrantLife


async def test_no_action_outside_a_grant_in_force_ever_succeeds(app) -> None:
    world = await _world(app)
    machine = machine_for(world)
    machine.TestCase.settings = settings(max_examples=15, stateful_step_count=30, deadline=None)
    await anyio.to_thread.run_sync(run_state_machine_as_test, machine)
    assert abs(timeutil.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)  # every clock trip was undone
    # The property is not vacuous: agents did succeed whenever their grant allowed it, and were refused.
    assert world.successes > 0 and world.refusals > 0
