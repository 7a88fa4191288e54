import os

from piccolo.conf.apps import AppConfig

from auth.tables import Clerk, DevSms, Enterprise, EnterpriseStaff, Resident, Session, SmsCode

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Resident, Enterprise, EnterpriseStaff, Clerk, Session, SmsCode, DevSms],
    migration_dependencies=["regions.piccolo_app"],
    commands=[],
)
