"""Find the modules packages contribute by convention (``<package>/wiring.py``, ``demo_data.py``).

Both the app factory and the command line (seeding, workers) load wiring from here, so hooks,
sources and item kinds are registered however the platform is started.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def modules_named(filename: str) -> list[str]:
    """``<package>.<filename stem>`` for every top-level package that has ``filename``."""
    stem = filename.removesuffix(".py")
    return sorted(f"{path.parent.name}.{stem}" for path in ROOT.glob(f"*/{filename}"))


def load_wiring() -> list[ModuleType]:
    return [importlib.import_module(name) for name in modules_named("wiring.py")]
