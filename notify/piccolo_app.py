import os

from piccolo.conf.apps import AppConfig

from notify.tables import InboxItem, OutboxMessage

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[InboxItem, OutboxMessage],
    migration_dependencies=[],
    commands=[],
)
