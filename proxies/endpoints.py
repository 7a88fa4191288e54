"""Every resident operation and what it does for an agent acting under a proxy grant — in one place.

``tests/test_proxies_endpoints.py`` walks the OpenAPI document and fails when a resident operation
is missing here, so a new endpoint cannot ship without a decision. The values:

* an action (``view`` ``apply`` ``supplement`` ``receive`` ``evaluate`` ``withdraw`` ``present``) — the
  operation honours the grant: it is decided on the principal's data and allowed only when the grant in
  force covers the item and that action; anything else answers exactly like a missing resource (lists
  leave the item out). ``tests/test_proxies_matrix.py`` drives each of them under every refusal;
* :data:`REFUSED` — only the account holder may do it (their own real name, step-up, companies,
  preferences, access log, managing grants): an agent gets 403 ``proxy_not_allowed``;
* :data:`SESSION` — about the session itself (who am I, whom do I act for, switch, log out): works
  while acting and says whom the caller acts for;
* :data:`OWN` — the caller's own messages and devices: an agent acting for someone keeps reading
  their *own* inbox and managing their own push subscriptions; the principal's inbox (which tells the
  principal what the agent did) stays the principal's;
* :data:`NEUTRAL` — reference data that is nobody's personal data (the list of service organisations).
"""

from __future__ import annotations

REFUSED = "refused"
SESSION = "session"
NEUTRAL = "neutral"
OWN = "own"

RESIDENT_OPERATIONS: dict[tuple[str, str], str] = {
    # applications (办件)
    ("GET", "/api/applications"): "view",
    ("POST", "/api/applications"): "apply",
    ("GET", "/api/applications/{application_id}"): "view",
    ("PATCH", "/api/applications/{application_id}"): "apply",
    ("POST", "/api/applications/{application_id}/submit"): "apply",
    ("POST", "/api/applications/{application_id}/supplement"): "supplement",
    ("POST", "/api/applications/{application_id}/withdraw"): "withdraw",
    ("POST", "/api/applications/{application_id}/receipt"): "receive",
    ("POST", "/api/files"): "apply",
    ("GET", "/api/files/{file_id}"): "view",
    ("GET", "/api/materials/reusable"): "apply",
    # hall appointments
    ("POST", "/api/appointments"): "apply",
    ("GET", "/api/appointments/mine"): "view",
    ("GET", "/api/appointments/{appointment_id}"): "view",
    ("POST", "/api/appointments/{appointment_id}/reschedule"): "apply",
    ("POST", "/api/appointments/{appointment_id}/cancel"): "apply",
    ("POST", "/api/appointments/{appointment_id}/check-in"): "apply",
    # 好差评
    ("POST", "/api/evaluations"): "evaluate",
    ("GET", "/api/evaluations/mine"): "evaluate",
    ("GET", "/api/evaluations/{evaluation_id}"): "evaluate",
    ("POST", "/api/evaluations/{evaluation_id}/rerate"): "evaluate",
    # 12345
    ("POST", "/api/hotline/tickets"): "apply",
    ("GET", "/api/hotline/tickets/mine"): "view",
    ("GET", "/api/hotline/tickets/{ticket_id}"): "view",
    # e-licences (卡包): listing and opening need "view", codes and presentations "present"
    ("GET", "/api/ecert/licences"): "view",
    ("GET", "/api/ecert/licences/{licence_id}"): "view",
    ("GET", "/api/ecert/licences/{licence_id}/code"): "present",
    ("GET", "/api/ecert/licences/{licence_id}/code.svg"): "present",
    ("GET", "/api/ecert/licences/{licence_id}/code.png"): "present",
    ("POST", "/api/ecert/licences/{licence_id}/presentations"): "present",
    ("POST", "/api/ecert/licences/{licence_id}/presentations/offline"): "present",
    ("GET", "/api/ecert/verifications"): "view",
    # 长辈版: the principal's short list, limited to matters the grant lets the agent apply for
    ("GET", "/api/elder/tasks"): "apply",
    # the account holder only
    ("POST", "/api/auth/realname"): REFUSED,
    ("POST", "/api/ecert/licences/import"): REFUSED,
    ("POST", "/api/auth/step-up"): REFUSED,
    ("POST", "/api/auth/step-up/code"): REFUSED,
    ("GET", "/api/enterprises"): REFUSED,
    ("POST", "/api/enterprises"): REFUSED,
    ("GET", "/api/enterprises/{enterprise_id}/staff"): REFUSED,
    ("POST", "/api/enterprises/{enterprise_id}/staff"): REFUSED,
    ("DELETE", "/api/enterprises/{enterprise_id}/staff/{staff_id}"): REFUSED,
    ("PATCH", "/api/me/preferences"): REFUSED,
    ("GET", "/api/me/access-log"): REFUSED,
    ("GET", "/api/proxies/actions"): REFUSED,
    ("GET", "/api/proxies/grants"): REFUSED,
    ("POST", "/api/proxies/grants"): REFUSED,
    ("GET", "/api/proxies/grants/{grant_id}"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/accept"): REFUSED,
    ("GET", "/api/proxies/grants/{grant_id}/actions"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/approve"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/code"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/decline"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/opt-out"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/resume"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/revoke"): REFUSED,
    ("POST", "/api/proxies/grants/{grant_id}/suspend"): REFUSED,
    ("POST", "/api/proxies/requests"): REFUSED,
    # the session itself
    ("GET", "/api/me"): SESSION,
    ("GET", "/api/session"): SESSION,
    ("PUT", "/api/session/acting"): SESSION,
    ("DELETE", "/api/session/acting"): SESSION,
    ("POST", "/api/auth/logout"): SESSION,
    ("POST", "/api/auth/logout-all"): SESSION,
    ("GET", "/api/proxies/principals"): SESSION,
    ("GET", "/api/proxies/organisations"): NEUTRAL,
    # the caller's own inbox (C7), also while acting
    ("GET", "/api/me/inbox"): OWN,
    ("GET", "/api/me/inbox/{item_id}"): OWN,
    ("POST", "/api/me/inbox/{item_id}/read"): OWN,
    ("POST", "/api/me/inbox/read-all"): OWN,
    # the caller's own browsers' push subscriptions (C7), also while acting
    ("GET", "/api/push/subscriptions"): OWN,
    ("POST", "/api/push/subscriptions"): OWN,
    ("DELETE", "/api/push/subscriptions"): OWN,
}

STAFF_PREFIXES = ("/api/backoffice", "/api/admin", "/api/hotline/agent", "/api/kpi", "/api/audit")
"""Clerks' operations: a resident session (acting or not) is refused there by role."""
