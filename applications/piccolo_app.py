import os

from piccolo.conf.apps import AppConfig

from applications.tables import Application, ApplicationEvent, ApplicationMaterial, StoredFile, SupplementNotice

APP_CONFIG = AppConfig(
    app_name="applications",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Application, ApplicationEvent, StoredFile, ApplicationMaterial, SupplementNotice],
    migration_dependencies=["auth.piccolo_app", "catalogue.piccolo_app", "regions.piccolo_app"],
    commands=[],
)
