"""Install the proxy parts: the scope check (C3), acting for a person (C4), the audit listener."""

from __future__ import annotations

from applications import hooks
from audit import log as audit
from proxies import acting, scope, transparency

hooks.scope_checks["proxy"] = scope.check
acting.register()
if transparency.on_audit not in audit.listeners:
    audit.listeners.append(transparency.on_audit)
