import os

from piccolo.conf.apps import AppConfig

from catalogue.tables import Matter, MatterVersion

APP_CONFIG = AppConfig(
    app_name="catalogue",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Matter, MatterVersion],
    migration_dependencies=["regions.piccolo_app"],
    commands=[],
)
