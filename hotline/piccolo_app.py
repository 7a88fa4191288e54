import os

from piccolo.conf.apps import AppConfig

from hotline.tables import KnowledgeArticle, RoutingRule, Ticket, TicketEvent

APP_CONFIG = AppConfig(
    app_name="hotline",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Ticket, TicketEvent, RoutingRule, KnowledgeArticle],
    migration_dependencies=["regions.piccolo_app"],
    commands=[],
)
