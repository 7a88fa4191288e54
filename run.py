#!/usr/bin/env python3
"""The README's two quick-start commands, runnable with nothing but Python ≥ 3.11.

``python3 run.py serve``  creates ``.venv``, installs, migrates, loads the demo data and serves the
                          API and the PWA on ``HOST``:``PORT`` (default 127.0.0.1:8000).
``python3 run.py test``   installs everything (system packages the tests need included), then runs
                          the whole suite on SQLite and again, for every database test, on
                          PostgreSQL — a throwaway cluster from the system binaries unless
                          ``DATABASE_URL`` points at one. It prints one line per engine and writes
                          ``var/test-summary.json``; the exit status is non-zero if anything failed
                          or did not run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".zhangban-install"
SYSTEM_PACKAGES = {
    # command or file that proves presence → Debian package
    "chromium": "chromium",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc": "fonts-noto-cjk",
}


def say(message: str) -> None:
    print(f"[run.py] {message}", flush=True)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 — this script must explain itself on old Pythons
        sys.exit("zhangban needs Python 3.11 or newer")
    if not PYTHON.exists():
        say("creating .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        say("installing zhangban and its test dependencies into .venv")
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(wanted)


def _present(probe: str) -> bool:
    return Path(probe).exists() if probe.startswith("/") else shutil.which(probe) is not None


def ensure_system_packages() -> None:
    """Install what the tests need from the system (browser, CJK fonts, PostgreSQL) when missing."""
    sys.path.insert(0, str(ROOT))
    from devtools.pgcluster import find_bin

    missing = [package for probe, package in SYSTEM_PACKAGES.items() if not _present(probe)]
    if not (find_bin("initdb") and find_bin("pg_ctl")) and not os.environ.get("DATABASE_URL"):
        missing.append("postgresql")
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"the tests need these system packages: {' '.join(missing)} (install them, then rerun)")
    say(f"installing system packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)


def serve() -> int:
    ensure_venv()
    env = {**os.environ}
    env.setdefault("HOST", "127.0.0.1")
    env.setdefault("PORT", "8000")
    say(f"serving on http://{env['HOST']}:{env['PORT']}/ (API at /api, schema at /schema/openapi.json)")
    return subprocess.call([str(VENV / "bin" / "zhangban"), "up"], cwd=ROOT, env=env)


def _pytest(engine: str, env: dict[str, str], extra: list[str]) -> dict[str, object]:
    report = ROOT / "var" / f"pytest-{engine}.xml"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    started = time.monotonic()
    code = subprocess.call(
        [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}", *extra], cwd=ROOT, env=env
    )
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if report.exists():
        suite = ET.parse(report).getroot()  # noqa: S314
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        if suite is not None:
            counts = {key: int(suite.get(key, "0")) for key in counts}
    ran = counts["tests"] - counts["skipped"]
    ok = code == 0 and ran > 0 and counts["skipped"] == 0
    return {"engine": engine, "ok": ok, "exit_code": code, "seconds": round(time.monotonic() - started, 1), **counts}


def _line(result: dict[str, object]) -> str:
    verdict = "passed" if result["ok"] else "FAILED"
    return (
        f"{result['engine']}: {verdict} ({result['tests']} tests, {result['failures']} failed, "
        f"{result['errors']} errors, {result['skipped']} skipped, {result['seconds']} s)"
    )


def test(extra: list[str]) -> int:
    ensure_venv()
    ensure_system_packages()
    sys.path.insert(0, str(ROOT))
    from devtools.pgcluster import throwaway

    results: list[dict[str, object]] = []
    lint = subprocess.call([str(VENV / "bin" / "ruff"), "check", "."], cwd=ROOT)
    results.append({"engine": "ruff", "ok": lint == 0, "exit_code": lint})

    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    say("test suite on SQLite")
    results.append(_pytest("sqlite", {**base, "ZB_TEST_ENGINE": "sqlite"}, extra))

    say("database tests on PostgreSQL")
    pg_env = {**base, "ZB_TEST_ENGINE": "postgresql", "ZB_TEST_DB_ONLY": "1"}
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        results.append(_pytest("postgresql", {**pg_env, "DATABASE_URL": os.environ["DATABASE_URL"]}, extra))
    else:
        with throwaway() as cluster:
            say(f"throwaway PostgreSQL cluster on port {cluster.port}")
            results.append(_pytest("postgresql", {**pg_env, "DATABASE_URL": cluster.url}, extra))

    summary = ROOT / "var" / "test-summary.json"
    summary.write_text(json.dumps(results, indent=2))
    print()
    print("ruff: " + ("passed" if results[0]["ok"] else "FAILED"))
    for result in results[1:]:
        print(_line(result))
    return 0 if all(result["ok"] for result in results) else 1


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "test"):
        print(__doc__)
        return 2
    os.chdir(ROOT)
    if sys.argv[1] == "serve":
        return serve()
    return test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
