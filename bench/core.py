"""Platform-core throughput and latency, as ratios to a bare Litestar endpoint measured in the same run.

    .venv/bin/python -m bench.core [--engine sqlite|postgresql|both] [--seconds 10] [--connections 16]

Serves a one-route Litestar app (the baseline) and then the real app with the demo data under the
same uvicorn settings, one worker each, and drives them with ``wrk``: the bare endpoint, a matter's
detail, a pinyin search, and application submission. Writes ``bench/reports/core-<engine>.md`` and
``.json``. The machines are shared and noisy, so the ratios are the figures to compare, not the
absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pyotp

from devtools.liveserver import bare_server, live_server

REPORTS = Path(__file__).resolve().parent / "reports"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        return shutil.which("wrk") or "wrk"
    sys.exit("the benchmark needs wrk (apt-get install wrk)")


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, *, seconds: int, connections: int, script: str | None = None) -> dict[str, float]:
    command = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE))
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "non_2xx": int(failed.group(1)) if failed else 0,
        "socket_errors": 1 if errors else 0,
    }


def _post_script(path: str, body: dict[str, object], token: str) -> str:
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    encoded = json.dumps(json.dumps(body, ensure_ascii=False), ensure_ascii=False)
    handle.write(
        f'wrk.method = "POST"\nwrk.path = "{path}"\nwrk.body = {encoded}\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    handle.close()
    return handle.name


def _code(http: httpx.Client, phone: str) -> str:
    text = http.get("/api/dev/sms", params={"phone": phone}).json()[0]["text"]
    return next(text[i : i + 6] for i in range(len(text)) if text[i : i + 6].isdigit())


def _prepare(url: str) -> dict[str, str]:
    """Log in as the demo administrator and resident; create a bench matter without materials."""
    from demo.people import CLERKS, DEMO_PASSWORD, person
    from tests.factories import elements, form_for

    admin_secret = next(c.totp_secret for c in CLERKS if c.username == "admin")
    resident = person("resident")
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
        spec = msgspec.to_builtins(elements(materials=[], name="性能测试事项"))
        matter = http.post(
            "/api/admin/matters",
            json={"elements": spec, "publish": True},
            headers={"Authorization": f"Bearer {admin.json()['token']}"},
        )
        matter.raise_for_status()
        http.post("/api/auth/sms-code", json={"phone": resident.phone}).raise_for_status()
        login = http.post(
            "/api/auth/login", json={"phone": resident.phone, "code": _code(http, resident.phone), "client": "api"}
        )
        login.raise_for_status()
        hot = http.get("/api/matters", params={"hot": "true", "limit": 1}).json()["items"][0]["id"]
        return {
            "bench_matter": matter.json()["id"],
            "detail_matter": hot,
            "token": login.json()["token"],
            "form": json.dumps(form_for(resident), ensure_ascii=False),
        }


def measure(engine: str, database_url: str | None, seconds: int, connections: int) -> dict[str, object]:
    results: dict[str, dict[str, float]] = {}
    with bare_server() as bare:
        wrk(f"{bare.url}/bare", seconds=2, connections=connections)  # warm-up
        results["bare Litestar JSON endpoint"] = wrk(f"{bare.url}/bare", seconds=seconds, connections=connections)
    with live_server(workers=1, database_url=database_url or "") as server:
        ids = _prepare(server.url)
        detail_url = f"{server.url}/api/matters/{ids['detail_matter']}"
        search_url = f"{server.url}/api/matters?q=shebao&region=360702"
        wrk(detail_url, seconds=2, connections=connections)
        results["matter detail"] = wrk(detail_url, seconds=seconds, connections=connections)
        results["matter search (pinyin, region)"] = wrk(search_url, seconds=seconds, connections=connections)
        script = _post_script(
            "/api/applications",
            {"matter_id": ids["bench_matter"], "submit": True, "form": json.loads(ids["form"])},
            ids["token"],
        )
        try:
            results["application submission"] = wrk(
                f"{server.url}/api/applications", seconds=seconds, connections=connections, script=script
            )
        finally:
            os.unlink(script)
    base = results["bare Litestar JSON endpoint"]["rps"]
    for figures in results.values():
        figures["ratio_to_bare"] = round(figures["rps"] / base, 3)
    return {
        "engine": engine,
        "seconds": seconds,
        "connections": connections,
        "results": results,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def write_report(report: dict[str, object]) -> Path:
    REPORTS.mkdir(exist_ok=True)
    name = f"core-{report['engine']}"
    (REPORTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    lines = [
        f"# Platform core benchmark — {report['engine']}",
        "",
        f"{report['measured_at']}; one uvicorn worker; wrk, 1 thread, {report['connections']} connections, "
        f"{report['seconds']} s per endpoint; 2 cores shared with the load generator.",
        "",
        "| endpoint | requests/s | p50 ms | p99 ms | ratio to bare | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, f in report["results"].items():  # type: ignore[union-attr]
        lines.append(
            f"| {label} | {f['rps']:.0f} | {f['p50_ms']:.2f} | {f['p99_ms']:.2f} | "
            f"{f['ratio_to_bare']:.3f} | {f['non_2xx']} |"
        )
    path = REPORTS / f"{name}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


@contextlib.contextmanager
def _postgres(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from devtools.pgcluster import throwaway

    with throwaway() as cluster:
        yield cluster.url


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
