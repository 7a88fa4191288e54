import os

from piccolo.conf.apps import AppConfig

from proxies.tables import ProxyAction, ProxyGrant, ProxyGrantEvent, ProxyOrganisation, ProxyOrgMember

APP_CONFIG = AppConfig(
    app_name="proxies",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ProxyOrganisation, ProxyOrgMember, ProxyGrant, ProxyGrantEvent, ProxyAction],
    migration_dependencies=["auth.piccolo_app"],
    commands=[],
)
