"""The README's e-licence commands, run as written against a two-worker server."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from devtools.liveserver import live_server

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _block(containing: str) -> str:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return next(block for block in blocks if containing in block)


@pytest.mark.db
@pytest.mark.slow
def test_the_readme_demo_runs_and_one_time_ids_hold_across_workers() -> None:
    with live_server(workers=2) as server:
        host = server.url.removeprefix("http://")
        script = _block("13800000001") + _block("/api/ecert/verify") + 'echo; echo "TOKEN=$TOKEN"\n'
        out = subprocess.run(
            ["bash", "-e", "-c", script.replace("localhost:8000", host)], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        results = re.findall(r'"result":"(\w+)"', out.stdout)
        assert results[:2] == ["valid", "replayed"], out.stdout
        assert '"name":"age_ge_60","label":"年满60周岁","value":true' in out.stdout
        assert "公交卡办理窗口" in out.stdout  # the holder's verification log names the verifier
        assert '"protected"' in out.stdout and '"payload"' in out.stdout
        token = re.search(r"^TOKEN=(\S+)$", out.stdout, re.M).group(1)
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, timeout=30) as http:
            licence = next(item for item in http.get("/api/ecert/licences", headers=auth).json())
            outcomes = []
            for _ in range(8):
                made = http.post(
                    f"/api/ecert/licences/{licence['id']}/presentations", json={"purpose": "identity"}, headers=auth
                ).json()
                with httpx.Client(base_url=server.url, timeout=30) as a, httpx.Client(base_url=server.url) as b:
                    outcomes.append(
                        (
                            a.post("/api/ecert/verify", json={"text": made["text"]}).json()["result"],
                            b.post("/api/ecert/verify", json={"text": made["text"]}).json()["result"],
                        )
                    )
            assert outcomes == [("valid", "replayed")] * 8
        log = server.log.read_text()
        assert "Traceback" not in log and "database is locked" not in log
