"""The application factory: one function builds the whole HTTP surface from settings."""

from __future__ import annotations

import contextlib
import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, Contact, SecurityScheme, Server, Tag
from litestar.static_files import create_static_files_router

from api import problems
from api.deps import optional_caller, require_caller
from api.idempotency import Idempotency
from api.middleware import SessionAuth, request_context
from core import calendar, db, discovery, logs, pii
from core import settings as settings_mod
from core.errors import ProblemError
from core.settings import Settings
from regions import tree as regions

log = logging.getLogger("zhangban.app")

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa" / "static"


def route_modules(*, dev: bool) -> list[str]:
    """Every module under ``api/routes``: a new domain adds a file there and nothing else.

    Each module exposes ``ROUTES`` and optionally ``on_startup(app)``/``on_shutdown(app)``; a module
    with ``DEV_ONLY = True`` is left out of production.
    """
    import api.routes

    names = sorted(f"api.routes.{m.name}" for m in pkgutil.iter_modules(api.routes.__path__))
    return [name for name in names if dev or not getattr(importlib.import_module(name), "DEV_ONLY", False)]


def wiring_modules() -> list[str]:
    """``<package>/wiring.py`` of every top-level package: where hooks and sources get registered."""
    return discovery.modules_named("wiring.py")


def _load(modules: Sequence[str]) -> tuple[list[Any], list[Callable[[Any], Any]], list[Callable[[Any], Any]]]:
    routes: list[Any] = []
    startup: list[Callable[[Any], Any]] = []
    shutdown: list[Callable[[Any], Any]] = []
    for name in modules:
        module = importlib.import_module(name)
        routes.extend(getattr(module, "ROUTES", []))
        if hook := getattr(module, "on_startup", None):
            startup.append(hook)
        if hook := getattr(module, "on_shutdown", None):
            shutdown.append(hook)
    return routes, startup, shutdown


class Zhangban(Litestar):
    """Litestar with the request context around every HTTP request, including unrouted ones."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await request_context(scope, receive, send, super().__call__)
        else:
            await super().__call__(scope, receive, send)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="掌办 zhangban API",
        version="1.0.0",
        description=(
            "Provincial government-service platform: matter catalogue, applications and back office, "
            "e-licences, instant approval, cross-region service and proxies. Every error is an RFC 9457 "
            "problem (`application/problem+json`) with a stable `code` and messages in Chinese and English. "
            "Browser sessions use the HttpOnly `zb_session` cookie plus the `X-CSRF-Token` header on "
            "state-changing requests; API clients use a bearer token. Creating requests accept "
            "`Idempotency-Key`."
        ),
        contact=Contact(name="掌办平台运维", email="ops@zhangban.invalid"),
        path="/schema",
        render_plugins=[JsonRenderPlugin(path="/openapi.json")],
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                "session": SecurityScheme(
                    type="apiKey",
                    security_scheme_in="cookie",
                    name="zb_session",
                    description=(
                        "Browser session cookie (HttpOnly). State-changing requests must also send X-CSRF-Token."
                    ),
                ),
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="Token from a login with client=api."
                ),
            }
        ),
        tags=[Tag(name="Platform", description="Health and problem types")],
        use_handler_docstrings=False,
    )


def create_app(settings: Settings | None = None, *, extra_modules: Sequence[str] = ()) -> Litestar:
    settings = settings or settings_mod.from_env()
    settings_mod.use(settings)
    logs.configure(settings.log_level)
    pii.reset_key_cache()
    engine = db.engine_from_settings(settings)
    db.bind(engine)
    modules = [*wiring_modules(), *route_modules(dev=settings.is_dev), *extra_modules]
    routes, startup, shutdown = _load(modules)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db.bind(engine)
        async with db.running(engine):
            regions.invalidate()
            await calendar.load()
            for hook in startup:
                await hook(app)
            try:
                yield
            finally:
                for hook in reversed(shutdown):
                    await hook(app)

    handlers = {
        ProblemError: problems.problem_handler,
        ValidationException: problems.problem_handler,
        HTTPException: problems.problem_handler,
        Exception: problems.problem_handler,
    }
    static = []
    if PWA_DIR.exists():
        static.append(
            create_static_files_router(
                path="/", directories=[PWA_DIR], html_mode=True, name="pwa", include_in_schema=False
            )
        )
    return Zhangban(
        route_handlers=[*routes, *static],
        dependencies={"caller": Provide(require_caller), "maybe_caller": Provide(optional_caller)},
        middleware=[SessionAuth(), Idempotency()],
        exception_handlers=handlers,  # type: ignore[arg-type]
        openapi_config=openapi_config(),
        lifespan=[lifespan],
        request_max_body_size=settings.upload_max_bytes + 512 * 1024,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
        logging_config=None,
        debug=False,
    )


def app_from_env() -> Litestar:
    """Entry point for ``uvicorn --factory api.app:app_from_env``."""
    return create_app()
