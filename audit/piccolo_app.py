import os

from piccolo.conf.apps import AppConfig

from audit.tables import AuditCheckpoint, AuditEntry

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AuditEntry, AuditCheckpoint],
    migration_dependencies=[],
    commands=[],
)
