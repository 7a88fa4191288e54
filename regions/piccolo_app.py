import os

from piccolo.conf.apps import AppConfig

from regions.tables import Department, Hall, Region

APP_CONFIG = AppConfig(
    app_name="regions",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Region, Department, Hall],
    migration_dependencies=[],
    commands=[],
)
