"""ecert's registrations: C1 issuance on ``issue_result`` and the C2 licence resolver."""

from __future__ import annotations

from applications import hooks as application_hooks
from ecert import hooks

application_hooks.on("issue_result", hooks.issue_on_result)
application_hooks.set_licence_resolver(hooks.resolve_licence)
