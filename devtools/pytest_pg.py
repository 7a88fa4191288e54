"""Run pytest on a throwaway PostgreSQL cluster: ``.venv/bin/python -m devtools.pytest_pg tests/test_x.py -x``.

The same as the PostgreSQL half of ``run.py test`` for a chosen set of tests, for use while developing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devtools.pgcluster import throwaway

ROOT = Path(__file__).resolve().parent.parent


def main(args: list[str]) -> int:
    with throwaway() as cluster:
        env = {**os.environ, "DATABASE_URL": cluster.url, "ZB_TEST_ENGINE": "postgresql"}
        return subprocess.call([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
