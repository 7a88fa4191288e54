import os

from piccolo.conf.apps import AppConfig

from notify.tables import Delivery, InboxItem, OutboxMessage, PushSubscription

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[InboxItem, OutboxMessage, PushSubscription, Delivery],
    migration_dependencies=[],
    commands=[],
)
