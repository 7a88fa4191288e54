"""Piccolo configuration: the engine comes from the environment (see ``core.settings``).

SQLite by default (``var/zhangban.sqlite``); ``DATABASE_URL=postgresql://…`` selects PostgreSQL.
Every top-level package with a ``piccolo_app.py`` is a Piccolo app (its tables and migrations);
Piccolo orders their migrations by each app's declared dependencies.
"""

from pathlib import Path

from piccolo.conf.apps import AppRegistry

from core.db import engine_from_settings
from core.settings import get as get_settings

DB = engine_from_settings(get_settings())

APP_REGISTRY = AppRegistry(
    apps=sorted(f"{path.parent.name}.piccolo_app" for path in Path(__file__).resolve().parent.glob("*/piccolo_app.py"))
)
