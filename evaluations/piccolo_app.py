import os

from piccolo.conf.apps import AppConfig

from evaluations.tables import Appeal, Evaluation, Rectification

APP_CONFIG = AppConfig(
    app_name="evaluations",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Evaluation, Rectification, Appeal],
    migration_dependencies=["catalogue.piccolo_app", "regions.piccolo_app"],
    commands=[],
)
