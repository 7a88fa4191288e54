"""Idempotency-Key: retries are safe, reuse with another body is refused, keys are per caller."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from api.idempotency import scope_key
from applications.tables import Application
from auth import context
from core import timeutil
from core.tables import IdempotencyRecord
from tests.factories import form_for, published_matter
from tests.support import account, as_user

pytestmark = pytest.mark.anyio


async def test_same_key_same_body_returns_the_same_answer(app) -> None:
    matter = await published_matter(materials=[])
    user = await account()
    body = {"matter_id": str(matter), "form": form_for(user), "submit": True}
    async with as_user(app, user.token, **{"Idempotency-Key": "apply-001"}) as http:
        first = await http.post("/api/applications", json=body)
        again = await http.post("/api/applications", json=body)
        plain = await http.post("/api/applications", json=body, headers={"Accept-Encoding": "identity"})
    assert plain.headers.get("content-encoding") is None and plain.json() == first.json()
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["summary"]["id"] == first.json()["summary"]["id"]
    assert await Application.count().where(Application.applicant_resident == user.id) == 1


async def test_same_key_other_body_is_refused(app) -> None:
    matter = await published_matter(materials=[])
    user = await account()
    async with as_user(app, user.token, **{"Idempotency-Key": "apply-002"}) as http:
        await http.post("/api/applications", json={"matter_id": str(matter), "form": form_for(user), "submit": True})
        other = await http.post(
            "/api/applications",
            json={"matter_id": str(matter), "form": form_for(user, shop_name="另一家"), "submit": True},
        )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert await Application.count().where(Application.applicant_resident == user.id) == 1


async def test_a_request_still_running_answers_409_and_an_abandoned_one_is_taken_over(app) -> None:
    matter = await published_matter(materials=[])
    user = await account()
    caller = await context.load(user.token)
    body = {"matter_id": str(matter), "form": form_for(user), "submit": True}
    # Another attempt holds the key (its request is still being processed).
    from api.idempotency import request_hash

    async with as_user(app, user.token, **{"Idempotency-Key": "apply-003"}) as http:
        probe = await http.post("/api/applications", json=body)  # learn the fingerprint by doing it once
    record = (
        await IdempotencyRecord.select().where(IdempotencyRecord.scope_key == scope_key(caller, "apply-003")).first()
    )
    await IdempotencyRecord.update(
        {
            IdempotencyRecord.state: "in_progress",
            IdempotencyRecord.owner: "someone-else",
            IdempotencyRecord.locked_until: timeutil.now() + dt.timedelta(seconds=30),
        }
    ).where(IdempotencyRecord.id == record["id"])
    async with as_user(app, user.token, **{"Idempotency-Key": "apply-003"}) as http:
        busy = await http.post("/api/applications", json=body)
        assert busy.status_code == 409 and busy.json()["code"] == "idempotency_in_progress"
        assert busy.headers["retry-after"] == "1"
        # The holder died: its lease ran out, and the retry proceeds.
        await IdempotencyRecord.update(
            {IdempotencyRecord.locked_until: timeutil.now() - dt.timedelta(seconds=1)}
        ).where(IdempotencyRecord.id == record["id"])
        retried = await http.post("/api/applications", json=body)
        assert retried.status_code == 201
    assert probe.status_code == 201 and request_hash  # the probe created one, the take-over another


async def test_concurrent_retries_create_exactly_one(app) -> None:
    matter = await published_matter(materials=[])
    user = await account()
    body = {"matter_id": str(matter), "form": form_for(user), "submit": True}

    async def attempt() -> tuple[int, str]:
        async with as_user(app, user.token, **{"Idempotency-Key": "apply-burst"}) as http:
            response = await http.post("/api/applications", json=body)
            return response.status_code, response.json().get("summary", {}).get("id", response.json().get("code"))

    results = await asyncio.gather(*(attempt() for _ in range(8)))
    assert {status for status, _ in results} <= {201, 409}
    assert len({value for status, value in results if status == 201}) == 1
    assert await Application.count().where(Application.applicant_resident == user.id) == 1


async def test_keys_are_scoped_to_the_caller(app) -> None:
    matter = await published_matter(materials=[])
    one, two = await account(), await account()
    async with as_user(app, one.token, **{"Idempotency-Key": "shared-key"}) as http:
        first = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(one), "submit": True}
        )
    async with as_user(app, two.token, **{"Idempotency-Key": "shared-key"}) as http:
        second = await http.post(
            "/api/applications", json={"matter_id": str(matter), "form": form_for(two), "submit": True}
        )
    assert first.status_code == second.status_code == 201
    assert first.json()["summary"]["id"] != second.json()["summary"]["id"]
    assert second.headers.get("idempotent-replayed") is None


async def test_errors_are_remembered_but_leave_no_writes(app) -> None:
    matter = await published_matter(materials=[])
    user = await account()
    bad = {"matter_id": str(matter), "form": form_for(user, phone="12"), "submit": True}
    async with as_user(app, user.token, **{"Idempotency-Key": "apply-bad"}) as http:
        first = await http.post("/api/applications", json=bad)
        second = await http.post("/api/applications", json=bad)
    assert first.status_code == second.status_code == 422
    assert second.headers.get("idempotent-replayed") == "true"
    assert await Application.count().where(Application.applicant_resident == user.id) == 0


async def test_malformed_key(app) -> None:
    user = await account()
    async with as_user(app, user.token, **{"Idempotency-Key": "has space"}) as http:
        response = await http.post("/api/applications", json={})
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_invalid"
