import os

from piccolo.conf.apps import AppConfig

from appointments.tables import Appointment, QueueCounter, Slot, Window

APP_CONFIG = AppConfig(
    app_name="appointments",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Window, Slot, Appointment, QueueCounter],
    migration_dependencies=["catalogue.piccolo_app", "regions.piccolo_app"],
    commands=[],
)
