import os

from piccolo.conf.apps import AppConfig

from core.tables import CalendarDay, IdempotencyRecord, RateCounter

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[IdempotencyRecord, RateCounter, CalendarDay],
    migration_dependencies=[],
    commands=[],
)
