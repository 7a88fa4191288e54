"""What acting under a proxy grant costs, as ratios to the same requests made by the principal herself.

    .venv/bin/python -m bench.proxies [--engine sqlite|postgresql|both] [--seconds 10] [--connections 16]

One uvicorn worker with the demo data. 张秀英 reads one of her applications and her list of
applications; then her son 王小明, acting for her under the demo's family-care grant, makes the same
requests: each of his requests re-reads the grant, runs the scope check, and (for the detail) writes
the audit entry and the principal's action-list row that an agent's read leaves. A bare Litestar
endpoint is measured in the same run. Writes ``bench/reports/proxies-<engine>.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import httpx
import msgspec
import pyotp

from bench.core import REPORTS, _code, _postgres, wrk
from devtools.liveserver import bare_server, live_server


def _header_script(token: str) -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    handle.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    handle.close()
    return handle.name


def _login(http: httpx.Client, phone: str) -> str:
    http.post("/api/auth/sms-code", json={"phone": phone}).raise_for_status()
    login = http.post("/api/auth/login", json={"phone": phone, "code": _code(http, phone), "client": "api"})
    login.raise_for_status()
    return login.json()["token"]


def _prepare(url: str) -> dict[str, str]:
    from demo.people import CLERKS, DEMO_PASSWORD, person
    from tests.factories import elements, form_for

    grandma, son = person("grandma"), person("son")
    admin_secret = next(c.totp_secret for c in CLERKS if c.username == "admin")
    with httpx.Client(base_url=url, timeout=30) as http:
        admin = http.post(
            "/api/auth/clerk-login",
            json={
                "username": "admin",
                "password": DEMO_PASSWORD,
                "totp": pyotp.TOTP(admin_secret).now(),
                "client": "api",
            },
        )
        admin.raise_for_status()
        spec = msgspec.to_builtins(elements(materials=[], name="性能测试养老事项", themes=["养老"]))
        matter = http.post(
            "/api/admin/matters",
            json={"elements": spec, "publish": True},
            headers={"Authorization": f"Bearer {admin.json()['token']}"},
        )
        matter.raise_for_status()
        mum, kid = _login(http, grandma.phone or ""), _login(http, son.phone or "")
        form = form_for(grandma)
        made = http.post(
            "/api/applications",
            json={"matter_id": matter.json()["id"], "form": form, "submit": True},
            headers={"Authorization": f"Bearer {mum}"},
        )
        made.raise_for_status()
        me = http.get("/api/me", headers={"Authorization": f"Bearer {mum}"}).json()
        switched = http.put(
            "/api/session/acting",
            json={"kind": "person", "id": me["id"]},
            headers={"Authorization": f"Bearer {kid}"},
        )
        switched.raise_for_status()
        probe = http.get(
            f"/api/applications/{made.json()['summary']['id']}", headers={"Authorization": f"Bearer {kid}"}
        )
        probe.raise_for_status()
        return {"application": made.json()["summary"]["id"], "principal": mum, "agent": kid}


def measure(engine: str, database_url: str, seconds: int, connections: int) -> dict[str, object]:
    results: dict[str, dict[str, float]] = {}
    with bare_server() as bare:
        wrk(f"{bare.url}/bare", seconds=2, connections=connections)
        results["bare Litestar JSON endpoint"] = wrk(f"{bare.url}/bare", seconds=seconds, connections=connections)
    with live_server(workers=1, database_url=database_url) as server:
        ids = _prepare(server.url)
        detail = f"{server.url}/api/applications/{ids['application']}"
        listing = f"{server.url}/api/applications"
        for who in ("principal", "agent"):
            script = _header_script(ids[who])
            try:
                wrk(detail, seconds=2, connections=connections, script=script)
                label = "the principal herself" if who == "principal" else "her agent, acting under the grant"
                results[f"application detail — {label}"] = wrk(
                    detail, seconds=seconds, connections=connections, script=script
                )
                results[f"application list — {label}"] = wrk(
                    listing, seconds=seconds, connections=connections, script=script
                )
            finally:
                os.unlink(script)
    base = results["bare Litestar JSON endpoint"]["rps"]
    for figures in results.values():
        figures["ratio_to_bare"] = round(figures["rps"] / base, 3)
    own = {k.split(" — ")[0]: v["rps"] for k, v in results.items() if "herself" in k}
    for key, figures in results.items():
        if "agent" in key:
            figures["ratio_to_principal"] = round(figures["rps"] / own[key.split(" — ")[0]], 3)
    return {
        "engine": engine,
        "seconds": seconds,
        "connections": connections,
        "results": results,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def write_report(report: dict[str, object]) -> Path:
    REPORTS.mkdir(exist_ok=True)
    name = f"proxies-{report['engine']}"
    (REPORTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    lines = [
        f"# Acting under a proxy grant — {report['engine']}",
        "",
        f"{report['measured_at']}; one uvicorn worker; wrk, 1 thread, {report['connections']} connections, "
        f"{report['seconds']} s per endpoint; 2 cores shared with the load generator. An agent's detail read also "
        "writes an audit entry and a row in the principal's action list.",
        "",
        "| request | requests/s | p50 ms | p99 ms | ratio to bare | ratio to the principal's own | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, f in report["results"].items():  # type: ignore[union-attr]
        own = f"{f['ratio_to_principal']:.3f}" if "ratio_to_principal" in f else "—"
        lines.append(
            f"| {label} | {f['rps']:.0f} | {f['p50_ms']:.2f} | {f['p99_ms']:.2f} | {f['ratio_to_bare']:.3f} | "
            f"{own} | {f['non_2xx']} |"
        )
    path = REPORTS / f"{name}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    for engine in engines:
        if engine == "sqlite":
            report = measure("sqlite", "", args.seconds, args.connections)
        else:
            with _postgres(os.environ.get("DATABASE_URL")) as url:
                report = measure("postgresql", url, args.seconds, args.connections)
        print(write_report(report).read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
