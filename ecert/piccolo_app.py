import os

from piccolo.conf.apps import AppConfig

from ecert.tables import (
    Authority,
    ForeignBundle,
    Licence,
    Presentation,
    SeenOnce,
    SigningKey,
    StatusList,
    VerificationLog,
)

APP_CONFIG = AppConfig(
    app_name="ecert",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Authority, SigningKey, StatusList, Licence, Presentation, SeenOnce, VerificationLog, ForeignBundle],
    migration_dependencies=["regions.piccolo_app"],
    commands=[],
)
