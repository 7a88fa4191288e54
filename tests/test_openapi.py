"""The OpenAPI document describes every operation: responses, errors and authentication."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

PUBLIC = {
    ("get", "/healthz"),
    ("get", "/problems"),
    ("get", "/problems/{code}"),
    ("get", "/api/matters"),
    ("get", "/api/matters/{matter_id}"),
    ("get", "/api/matters/{matter_id}/versions/{version}"),
    ("get", "/api/regions"),
    ("get", "/api/regions/{code}"),
    ("get", "/api/departments"),
    ("get", "/api/halls"),
    ("post", "/api/auth/sms-code"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/clerk-login"),
    ("get", "/api/dev/sms"),
    ("get", "/api/evaluations/options"),
    ("get", "/api/evaluations/stats"),
    ("get", "/api/halls/{hall_id}/windows"),
    ("get", "/api/halls/{hall_id}/slots"),
    ("get", "/api/hotline/categories"),
    ("get", "/api/hotline/knowledge"),
    ("get", "/api/hotline/knowledge/{article_id}"),
    ("post", "/api/ecert/verify"),
    ("post", "/api/ecert/verify/image"),
    ("get", "/api/ecert/types"),
    ("get", "/.well-known/ecert/trust-bundle"),
    ("get", "/.well-known/ecert/trust-bundle.json"),
    ("get", "/api/push/vapid-public-key"),
}


async def test_every_operation_is_documented(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"session", "bearer"} <= set(document["components"]["securitySchemes"])
    operations = [
        (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 50
    for method, path, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        statuses = set(op["responses"])
        assert any(s.startswith("2") for s in statuses), where
        problems = [s for s in statuses if s[0] in "45"]
        assert problems, f"{where} documents no error responses"
        for status in problems:
            content = op["responses"][status].get("content", {})
            assert "application/problem+json" in content, f"{where} {status}"
        if (method, path) in PUBLIC:
            assert not op.get("security"), where
        else:
            assert op.get("security") == [{"session": []}, {"bearer": []}], where


async def test_creating_requests_document_the_idempotency_key(client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    op = document["paths"]["/api/applications"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op.get("parameters", []))


async def test_problem_types_are_described(client) -> None:
    listing = (await client.get("/problems")).json()
    codes = {p["code"] for p in listing}
    assert {"validation_failed", "decision_conflict", "idempotency_key_reused", "id_number_invalid"} <= codes
    page = (await client.get("/problems/decision_conflict")).json()
    assert page["status"] == 409 and page["message_zh"] and page["message_en"]
