import os

from piccolo.conf.apps import AppConfig

from datahub.tables import EnterpriseRecord, PopulationRecord

APP_CONFIG = AppConfig(
    app_name="datahub",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[PopulationRecord, EnterpriseRecord],
    migration_dependencies=[],
    commands=[],
)
