"""Piccolo configuration: the engine comes from the environment (see ``core.settings``).

SQLite by default (``var/zhangban.sqlite``); ``DATABASE_URL=postgresql://…`` selects PostgreSQL.
"""

from piccolo.conf.apps import AppRegistry

from core.db import engine_from_settings
from core.settings import get as get_settings

DB = engine_from_settings(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "core.piccolo_app",
        "regions.piccolo_app",
        "datahub.piccolo_app",
        "auth.piccolo_app",
        "catalogue.piccolo_app",
        "applications.piccolo_app",
        "audit.piccolo_app",
        "notify.piccolo_app",
    ]
)
