"""Generate a Piccolo migration for one app against a throwaway PostgreSQL cluster.

Migrations are generated against PostgreSQL (the production engine) and must then run unchanged on
SQLite. Usage: ``.venv/bin/python -m devtools.makemigration <app> [<app> …]``. The cluster gets every
existing migration first, so the new one holds only the difference.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devtools.pgcluster import throwaway

ROOT = Path(__file__).resolve().parent.parent
PICCOLO = str(Path(sys.executable).with_name("piccolo"))


def main(apps: list[str]) -> int:
    if not apps:
        print(__doc__)
        return 2
    with throwaway() as cluster:
        env = {**os.environ, "DATABASE_URL": cluster.url, "PICCOLO_CONF": "piccolo_conf"}
        subprocess.run([PICCOLO, "migrations", "forwards", "all"], cwd=ROOT, env=env, check=True)
        for app in apps:
            subprocess.run([PICCOLO, "migrations", "new", app, "--auto"], cwd=ROOT, env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
