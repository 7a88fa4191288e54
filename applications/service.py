"""Create, submit and move applications.

Every state change goes through :func:`move`, which checks the transition table, applies the
legal-clock effect, updates the row with compare-and-set on its ``version`` (so two clerks can
never both decide), appends the status-history entry and the audit entry, emits the applicant's
notification and runs hooks, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

import msgspec

from applications import hooks, legal_clock, routing, states
from applications.access import applicant_key
from applications.tables import Application, ApplicationEvent, ApplicationMaterial, StoredFile, SupplementNotice
from audit import log as audit
from auth.context import Caller
from catalogue import forms
from catalogue import service as catalogue
from catalogue.elements import MatterElements
from core import db, errors, rows, timeutil, workdays
from core.errors import FieldError, ProblemError, field_error, invalid
from notify.emit import emit

errors.register(
    "audience_mismatch",
    422,
    "这个事项不面向您这类申请人办理。",
    "This matter is not offered to this kind of applicant.",
)
errors.register(
    "matter_window_only",
    422,
    "这个事项需要到政务服务大厅窗口办理。",
    "This matter must be applied for at a service hall.",
)
errors.register(
    "licence_not_usable",
    422,
    "这张电子证照不能用于这份材料，或已失效。",
    "That e-licence cannot stand in for this material or is no longer valid.",
)
errors.register(
    "consent_required",
    422,
    "使用电子证照代替材料需要您的同意。",
    "Using an e-licence in place of a material needs your consent.",
)
errors.register(
    "reuse_not_available",
    422,
    "这份以前提交的材料不能再次使用（不属于您、类型不符或已过期）。",
    "That earlier material cannot be reused (not yours, another kind, or expired).",
)


class MaterialRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """How the applicant satisfies one material: exactly one of the three sources."""

    code: str
    file_id: uuid.UUID | None = None
    licence_id: uuid.UUID | None = None
    reuse_of: uuid.UUID | None = None
    consent: bool = False


def _number(region: str) -> str:
    return f"{region}{timeutil.today():%Y%m%d}{secrets.randbelow(10**8):08d}"


def _decode(text: Any) -> Any:
    return msgspec.json.decode(text) if isinstance(text, str | bytes) else text


# ---- materials ------------------------------------------------------------------------------------
async def resolve_materials(
    elements: MatterElements,
    refs: list[MaterialRef],
    *,
    owner_key: str,
    extra_owner_keys: tuple[str, ...] = (),
    caller: Caller | None = None,
) -> list[dict[str, Any]]:
    """Check each reference against the matter and the applicant; returns rows to insert.

    An agent acting under a proxy grant attaches only files they uploaded themselves and reuses only
    materials of applications their grant lets them see; the principal's other files stay out of reach.
    """
    proxy = caller is not None and caller.basis == "proxy"
    specs = {spec.code: spec for spec in elements.materials}
    rows: list[dict[str, Any]] = []
    problems: list[FieldError] = []
    owners = (owner_key, *extra_owner_keys)
    now = timeutil.now()
    for position, ref in enumerate(refs):
        where = f"materials[{position}]"
        spec = specs.get(ref.code)
        if spec is None:
            problems.append(field_error(f"{where}.code", "material_unknown"))
            continue
        sources = [s for s in (ref.file_id, ref.licence_id, ref.reuse_of) if s is not None]
        if len(sources) != 1:
            problems.append(
                field_error(
                    where,
                    "validation_failed",
                    "请上传文件、选择电子证照或以前的材料，三选一。",
                    "Give exactly one of file_id, licence_id or reuse_of.",
                )
            )
            continue
        row: dict[str, Any] = {"material_code": spec.code, "kind": spec.kind or spec.code, "owner_key": owner_key}
        if ref.file_id is not None:
            stored = await StoredFile.select().where(StoredFile.id == ref.file_id).first()
            if stored is None or stored["owner_key"] not in owners:
                problems.append(field_error(f"{where}.file_id", "file_not_found"))
                continue
            if proxy and caller is not None and stored["uploaded_by"] != caller.account_id:
                problems.append(field_error(f"{where}.file_id", "file_not_found"))
                continue
            if stored["mime"] not in spec.accept:
                problems.append(field_error(f"{where}.file_id", "file_type_not_allowed"))
                continue
            if stored["size"] > spec.max_bytes:
                problems.append(field_error(f"{where}.file_id", "file_too_large"))
                continue
            row.update(source="upload", file=stored["id"])
        elif ref.licence_id is not None:
            if not ref.consent:
                problems.append(field_error(f"{where}.consent", "consent_required"))
                continue
            resolver = hooks.licence_resolver
            licence = await resolver(owner_key, ref.licence_id, spec.licence_types) if resolver else None
            if licence is None or not licence.valid:
                problems.append(field_error(f"{where}.licence_id", "licence_not_usable"))
                continue
            row.update(source="licence", licence_id=licence.licence_id, consent_at=now)
        else:
            earlier = (
                await ApplicationMaterial.select()
                .where((ApplicationMaterial.id == ref.reuse_of) & (ApplicationMaterial.owner_key == owner_key))
                .first()
            )
            fresh = earlier is not None and now - earlier["added_at"] <= dt.timedelta(days=spec.reuse_valid_days)
            if proxy and earlier is not None and not await _proxy_may_see_application(caller, earlier["application"]):
                earlier = None
            if (
                not spec.reusable
                or earlier is None
                or not fresh
                or earlier["file"] is None
                or earlier["kind"] != (spec.kind or spec.code)
                or earlier["status"] != "provided"
            ):
                problems.append(field_error(f"{where}.reuse_of", "reuse_not_available"))
                continue
            row.update(source="reuse", file=earlier["file"], reused_from=earlier["id"])
        rows.append(row)
    if problems:
        raise ProblemError(
            problems[0].code if len(problems) == 1 else "validation_failed", field=problems[0].field, errors=problems
        )
    return rows


async def _proxy_may_see_application(caller: Caller | None, application_id: uuid.UUID) -> bool:
    check = hooks.scope_checks.get("proxy")
    source = await rows.one(Application, application_id)
    return check is not None and source is not None and await check(caller, source, "view")


def missing_materials(elements: MatterElements, provided_codes: set[str]) -> list[str]:
    return [spec.code for spec in elements.materials if spec.required and spec.code not in provided_codes]


async def _insert_materials(application_id: uuid.UUID, rows: list[dict[str, Any]], round_: int) -> None:
    if rows:
        codes = {row["material_code"] for row in rows}
        # A newer material of the same code replaces the older one.
        await ApplicationMaterial.update({ApplicationMaterial.status: "superseded"}).where(
            (ApplicationMaterial.application == application_id)
            & ApplicationMaterial.material_code.is_in(list(codes))
            & (ApplicationMaterial.status == "provided")
        )
    for row in rows:
        await ApplicationMaterial.insert(
            ApplicationMaterial(
                id=timeutil.uuid7(), application=application_id, round=round_, added_at=timeutil.now(), **row
            )
        )


async def provided_codes(application_id: uuid.UUID) -> set[str]:
    rows = await ApplicationMaterial.select(ApplicationMaterial.material_code).where(
        (ApplicationMaterial.application == application_id) & (ApplicationMaterial.status == "provided")
    )
    return {row["material_code"] for row in rows}


# ---- moves ----------------------------------------------------------------------------------------
def _notification_values(row: dict[str, Any], action: str, data: dict[str, Any]) -> dict[str, Any]:
    decision = {"approve": "准予许可", "deny": "不予许可"}.get(action, "")
    return {
        "matter": row["matter_name"],
        "number": row["number"],
        "due_on": row["due_on"].isoformat() if row.get("due_on") else "—",
        "reason": data.get("reason", "") or "请查看办件详情",
        "count": data.get("count", 0),
        "respond_by": data.get("respond_by", "—"),
        "decision": decision,
        "licence_hint": "，电子证照已放入您的卡包" if data.get("licence_issued") else "",
    }


async def move(
    row: dict[str, Any],
    action: str,
    *,
    parties: frozenset[str],
    actor: audit.Actor,
    caller: Caller | None = None,
    public_text: str | None = None,
    internal_note: str = "",
    data: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Make one transition of the table; returns the application row after it.

    ``row`` is the caller's fresh read of the application; if anyone changed it since, the
    compare-and-set on ``version`` fails and the move is refused with ``decision_conflict``.
    """
    data = dict(data or {})
    transition = states.BY_ACTION.get(action)
    if transition is None:
        raise ProblemError("transition_not_allowed")
    async with db.write_tx():
        current = row
        if expected_version is not None and current["version"] != expected_version:
            raise ProblemError("decision_conflict", extra={"status": current["status"], "version": current["version"]})
        if not states.allowed(action, current["status"], parties, current):
            raise ProblemError(
                "transition_not_allowed",
                extra={"status": current["status"], "allowed": states.available(current["status"], parties, current)},
            )
        today = timeutil.today()
        now = timeutil.now()
        changes: dict[str, Any] = dict(updates or {})
        if transition.clock == "start":
            limit = data.pop("limit_days", None)
            changes.update(legal_clock.start(current, limit_days=int(limit or 0), on=today))
        elif transition.clock == "stop":
            changes.update(legal_clock.stop(current, on=today, reason=action))
        elif transition.clock == "resume":
            changes.update(legal_clock.resume(current, on=today))
        elif transition.clock == "finish":
            changes.update(legal_clock.finish(current, on=today))
        stamp = {
            "submit": "submitted_at",
            "accept": "accepted_at",
            "approve": "decided_at",
            "deny": "decided_at",
            "refuse": "decided_at",
            "close": "closed_at",
            "withdraw": "closed_at",
        }.get(action)
        if stamp:
            changes[stamp] = now
        if action in ("approve", "deny"):
            changes["decision"] = "approved" if action == "approve" else "denied"
        changes.update(status=transition.target, version=current["version"] + 1, updated_at=now)
        won = await rows.update(Application, changes, id=current["id"], version=current["version"])
        if not won:
            raise ProblemError("decision_conflict")
        after = {**current, **changes}
        seq = changes["version"]  # versions only grow, so they order the history
        await rows.insert(
            ApplicationEvent,
            {
                "id": timeutil.uuid7(),
                "application": current["id"],
                "seq": seq,
                "action": action,
                "from_status": current["status"],
                "to_status": transition.target,
                "actor_kind": actor.kind,
                "actor_id": uuid.UUID(actor.id) if actor.id else None,
                "actor_label": actor.label,
                "on_behalf_kind": actor.on_behalf_kind,
                "on_behalf_id": uuid.UUID(actor.on_behalf_id) if actor.on_behalf_id else None,
                "public_text": public_text or transition.text,
                "internal_note": internal_note,
                "data": msgspec.json.encode(data).decode(),
                "at": now,
            },
        )
        subject_kind, subject_id = applicant_key(current).split(":", 1)
        await audit.append(
            f"application.{action}",
            actor=actor,
            object_type="application",
            object_id=current["id"],
            subject_kind=subject_kind,
            subject_id=subject_id,
            application_id=current["id"],
            details={"from": current["status"], "to": transition.target},
        )
        context = hooks.MoveContext(application=after, action=action, actor=actor, caller=caller, data=data)
        await hooks.run_transition_hooks(context)
        if transition.notify:
            await emit(
                transition.notify,
                applicant_key(current),
                dedupe_key=f"application:{current['id']}:{seq}:{action}",
                link=f"/applications/{current['id']}",
                application_id=current["id"],
                **_notification_values(after, action, context.data),
            )
        if action == "close" and current["status"] in ("delivered", "denied"):
            await emit(
                "evaluation_invited",
                applicant_key(current),
                dedupe_key=f"application:{current['id']}:rate",
                link=f"/applications/{current['id']}/evaluation",
                application_id=current["id"],
                matter=current["matter_name"],
            )
        return after


# ---- creating and submitting ----------------------------------------------------------------------
def _check_audience(elements: MatterElements, applicant_kind: str) -> None:
    if applicant_kind not in elements.audience:
        raise ProblemError("audience_mismatch", field="matter_id")


async def create(
    caller: Caller,
    *,
    matter_id: uuid.UUID,
    form: dict[str, Any],
    materials: list[MaterialRef],
    submit: bool,
    receiving_region: str | None = None,
    applicant: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A draft (``submit=False``) or a submitted application.

    Residents apply for their principal; a window clerk passes ``applicant`` (a verified resident
    row) and is recorded as the actor with the resident as the applicant.
    """
    view = await catalogue.current(matter_id)
    elements = view.elements
    if caller.kind == "clerk":
        if applicant is None or "window" not in caller.roles:
            raise ProblemError("forbidden")
        window_only = "window" not in elements.channels
        applicant_kind, principal_id, applicant_name = "person", applicant["id"], applicant["name"]
        owner_key = f"person:{principal_id}"
        basis, channel, via = "window", "window", caller.via  # via: a hall-assisted session's grant
        receiving_region = caller.region_code
        extra_owners: tuple[str, ...] = (f"clerk:{caller.account_id}",)
        parties = frozenset({"window"})
    else:
        if caller.principal is None:
            raise ProblemError("realname_required")
        window_only = not ({"mobile", "web"} & set(elements.channels)) or elements.online_depth < 3
        applicant_kind, principal_id, applicant_name = caller.principal.kind, caller.principal.id, caller.principal.name
        owner_key = caller.principal.key
        basis, channel, via = caller.basis, caller.channel, caller.via
        extra_owners = ()
        parties = frozenset({"applicant"})
    if caller.basis == "proxy":
        # Before anything else: a matter the grant does not cover answers like a missing matter,
        # whatever else is wrong with the request.
        await _proxy_may_apply(
            caller,
            {
                "matter": view.matter["id"],
                "department": view.matter["department"],
                "applicant_kind": applicant_kind,
                "applicant_resident": principal_id if applicant_kind == "person" else None,
                "applicant_enterprise": principal_id if applicant_kind == "enterprise" else None,
                "handling_region": elements.region_code,
                "receiving_region": receiving_region or elements.region_code,
            },
        )
    if window_only:
        raise ProblemError("matter_window_only", field="matter_id")
    _check_audience(elements, applicant_kind)
    cleaned = forms.validate(elements.form, form, partial=not submit)
    material_rows = await resolve_materials(
        elements, materials, owner_key=owner_key, extra_owner_keys=extra_owners, caller=caller
    )
    route = await routing.router(
        elements, applicant_region=caller.region_code, receiving_region=receiving_region, channel=channel
    )
    application_id = timeutil.uuid7()
    now = timeutil.now()
    row = {
        "id": application_id,
        "number": _number(route.handling_region),
        "matter": view.matter["id"],
        "matter_version": view.version_id,
        "matter_name": elements.name,
        "applicant_kind": applicant_kind,
        "applicant_resident": principal_id if applicant_kind == "person" else None,
        "applicant_enterprise": principal_id if applicant_kind == "enterprise" else None,
        "applicant_name": applicant_name,
        "actor_kind": caller.kind,
        "actor_id": caller.account_id,
        "basis": basis,
        "via_id": via,
        "channel": channel,
        "department": view.matter["department"],
        "receiving_region": route.receiving_region,
        "handling_region": route.handling_region,
        "status": "draft",
        "version": 1,
        "form": msgspec.json.encode(cleaned).decode(),
        "instant": elements.instant,
        "created_at": now,
        "updated_at": now,
    }
    async with db.write_tx():
        if caller.basis == "proxy":
            await _proxy_may_apply(caller, row)  # again on the routed row, inside the transaction
        await rows.insert(Application, row)
        await _insert_materials(application_id, material_rows, 0)
        await audit.append(
            "application.created",
            actor=caller.actor(),
            object_type="application",
            object_id=application_id,
            subject_kind=applicant_kind,
            subject_id=principal_id,
            application_id=application_id,
            details={"matter": elements.basic_code},
        )
        if submit:
            row = await _submit(row, elements, caller=caller, parties=parties)
    return row


async def _proxy_may_apply(caller: Caller, item: dict[str, Any]) -> None:
    check = hooks.scope_checks.get("proxy")
    if check is None or not await check(caller, item, "apply"):
        raise ProblemError("matter_not_found")


async def _submit(row: dict[str, Any], elements: MatterElements, *, caller: Caller, parties: frozenset[str]) -> dict:
    missing = missing_materials(elements, await provided_codes(row["id"]))
    if missing:
        raise ProblemError(
            "material_missing",
            field="materials",
            errors=[
                field_error(
                    f"materials.{code}",
                    "material_missing",
                    f"还缺少「{next(s.name for s in elements.materials if s.code == code)}」。",
                )
                for code in missing
            ],
        )
    after = await move(row, "submit", parties=parties, actor=caller.actor(), caller=caller)
    if not hooks.after_submit:
        return after
    context = hooks.MoveContext(application=after, action="submit", actor=caller.actor(), caller=caller)
    for hook in hooks.after_submit:
        await hook(context)
    refreshed = await rows.one(Application, row["id"])
    assert refreshed is not None
    return refreshed


async def update_draft(
    caller: Caller, row: dict[str, Any], *, form: dict[str, Any] | None, materials: list[MaterialRef]
) -> dict[str, Any]:
    if row["status"] != "draft":
        raise ProblemError("transition_not_allowed", extra={"status": row["status"]})
    elements = await catalogue.version_elements(row["matter_version"])
    owner_key = applicant_key(row)
    async with db.write_tx():
        if form is not None:
            merged = {**_decode(row["form"]), **form}
            merged = {k: v for k, v in merged.items() if v is not None}
            cleaned = forms.validate(elements.form, merged, partial=True)
            won = (
                await Application.update(
                    {
                        Application.form: msgspec.json.encode(cleaned).decode(),
                        Application.version: row["version"] + 1,
                        Application.updated_at: timeutil.now(),
                    }
                )
                .where((Application.id == row["id"]) & (Application.version == row["version"]))
                .returning(Application.id)
            )
            if not won:
                raise ProblemError("conflict")
        if materials:
            refs = await resolve_materials(elements, materials, owner_key=owner_key, caller=caller)
            await _insert_materials(row["id"], refs, 0)
    refreshed = await rows.one(Application, row["id"])
    assert refreshed is not None
    return refreshed


async def submit_draft(caller: Caller, row: dict[str, Any]) -> dict[str, Any]:
    if row["status"] != "draft":
        raise ProblemError("transition_not_allowed", extra={"status": row["status"]})
    elements = await catalogue.version_elements(row["matter_version"])
    async with db.write_tx():
        cleaned = forms.validate(elements.form, _decode(row["form"]))
        await Application.update({Application.form: msgspec.json.encode(cleaned).decode()}).where(
            Application.id == row["id"]
        )
        return await _submit(
            {**row, "form": msgspec.json.encode(cleaned).decode()},
            elements,
            caller=caller,
            parties=frozenset({"applicant"}),
        )


# ---- back-office moves ----------------------------------------------------------------------------
async def accept(
    row: dict[str, Any],
    *,
    caller: Caller | None,
    actor: audit.Actor,
    parties: frozenset[str],
    expected_version: int | None = None,
    note: str = "",
) -> dict[str, Any]:
    elements = await catalogue.version_elements(row["matter_version"])
    return await move(
        row,
        "accept",
        parties=parties,
        actor=actor,
        caller=caller,
        internal_note=note,
        data={"limit_days": elements.time_limit.promised_days},
        expected_version=expected_version,
    )


async def request_supplement(
    caller: Caller, row: dict[str, Any], *, items: list[dict[str, str]], note: str, expected_version: int | None
) -> dict[str, Any]:
    """One notice listing everything missing (一次性告知)."""
    if not items:
        raise ProblemError("supplement_items_required", field="items")
    elements = await catalogue.version_elements(row["matter_version"])
    known = {("material", m.code): m.name for m in elements.materials} | {
        ("field", f.key): f.label for f in elements.form
    }
    problems = [
        field_error(f"items[{i}].code", "validation_failed", "这一项不属于本事项。", "Not part of this matter.")
        for i, item in enumerate(items)
        if (item.get("kind"), item.get("code")) not in known
    ]
    if problems:
        raise ProblemError("validation_failed", field=problems[0].field, errors=problems)
    respond_by = workdays.current().add_working_days(timeutil.today(), elements.time_limit.supplement_respond_days)
    listed = [{**item, "name": known[(item["kind"], item["code"])]} for item in items]
    async with db.write_tx():
        after = await move(
            row,
            "request_supplement",
            parties=_parties(caller),
            actor=caller.actor(),
            caller=caller,
            public_text="需要补正：" + "、".join(item["name"] for item in listed),
            internal_note=note,
            expected_version=expected_version,
            data={"count": len(listed), "respond_by": respond_by.isoformat(), "items": listed},
        )
        await SupplementNotice.insert(
            SupplementNotice(
                id=timeutil.uuid7(),
                application=row["id"],
                items=msgspec.json.encode(listed).decode(),
                note=note,
                requested_by=caller.account_id,
                requested_at=timeutil.now(),
                respond_by=respond_by,
            )
        )
    return after


async def supplement(
    caller: Caller, row: dict[str, Any], *, materials: list[MaterialRef], form: dict[str, Any] | None
) -> dict[str, Any]:
    if row["status"] != "supplement_requested":
        raise ProblemError("transition_not_allowed", extra={"status": row["status"]})
    elements = await catalogue.version_elements(row["matter_version"])
    notice = (
        await SupplementNotice.select()
        .where((SupplementNotice.application == row["id"]) & SupplementNotice.responded_at.is_null())
        .order_by(SupplementNotice.requested_at, ascending=False)
        .first()
    )
    items = _decode(notice["items"]) if notice else []
    async with db.write_tx():
        rounds = await SupplementNotice.count().where(SupplementNotice.application == row["id"])
        await _insert_materials(
            row["id"], await resolve_materials(elements, materials, owner_key=applicant_key(row), caller=caller), rounds
        )
        updates: dict[str, Any] = {}
        if form:
            cleaned = forms.validate(elements.form, {**_decode(row["form"]), **form})
            updates["form"] = msgspec.json.encode(cleaned).decode()
        provided = await provided_codes(row["id"])
        newly = {ref.code for ref in materials}
        still_missing = [item for item in items if item["kind"] == "material" and item["code"] not in newly]
        still_missing += [item for item in items if item["kind"] == "field" and not (form or {}).get(item["code"])]
        if still_missing or missing_materials(elements, provided):
            raise ProblemError(
                "material_missing",
                field="materials",
                errors=[
                    field_error(f"{item['kind']}s.{item['code']}", "material_missing", f"还缺少「{item['name']}」。")
                    for item in still_missing
                ]
                or [field_error("materials", "material_missing")],
            )
        after = await move(
            row, "supplement", parties=frozenset({"applicant"}), actor=caller.actor(), caller=caller, updates=updates
        )
        if notice is not None:
            await SupplementNotice.update({SupplementNotice.responded_at: timeutil.now()}).where(
                SupplementNotice.id == notice["id"]
            )
    return after


async def decide(
    caller: Caller, row: dict[str, Any], *, approve: bool, basis: str, note: str, expected_version: int | None
) -> dict[str, Any]:
    if not approve and not basis.strip():
        raise invalid(
            "basis",
            "reason_required",
            zh="不予许可必须说明理由和依据。",
            en="A denial needs its reasons and legal basis.",
        )
    action = "approve" if approve else "deny"
    return await move(
        row,
        action,
        parties=_parties(caller),
        actor=caller.actor(),
        caller=caller,
        internal_note=note,
        public_text=None if approve else f"不予许可：{basis.strip()}",
        updates={"decision_basis": basis.strip()},
        expected_version=expected_version,
        data={"reason": basis.strip()},
    )


async def issue_result(
    caller: Caller | None,
    row: dict[str, Any],
    *,
    actor: audit.Actor,
    parties: frozenset[str],
    expected_version: int | None = None,
) -> dict[str, Any]:
    """出件; electronic-only results are then delivered and closed by the platform at once."""
    elements = await catalogue.version_elements(row["matter_version"])
    async with db.write_tx():
        after = await move(
            row, "issue_result", parties=parties, actor=actor, caller=caller, expected_version=expected_version
        )
        if set(elements.result.delivery) == {"electronic"}:
            after = await move(
                after,
                "deliver",
                parties=frozenset({"system"}),
                actor=audit.SYSTEM,
                public_text="结果已通过电子方式送达",
            )
            after = await move(after, "close", parties=frozenset({"system"}), actor=audit.SYSTEM)
    return after


async def extend(caller: Caller, row: dict[str, Any], *, days: int, reason: str) -> dict[str, Any]:
    if "head" not in caller.roles:
        raise ProblemError("forbidden")
    if not reason.strip():
        raise invalid("reason", "reason_required")
    elements = await catalogue.version_elements(row["matter_version"])
    async with db.write_tx():
        current = row
        updates = legal_clock.extend(current, days=days, cap=elements.time_limit.max_extension_days)
        if updates is None:
            raise ProblemError("extension_not_allowed", extra={"cap": elements.time_limit.max_extension_days})
        updates.update(version=current["version"] + 1, updated_at=timeutil.now())
        won = (
            await Application.update({getattr(Application, k): v for k, v in updates.items()})
            .where((Application.id == current["id"]) & (Application.version == current["version"]))
            .returning(Application.id)
        )
        if not won:
            raise ProblemError("decision_conflict")
        await ApplicationEvent.insert(
            ApplicationEvent(
                id=timeutil.uuid7(),
                application=current["id"],
                seq=updates["version"],
                action="extend",
                from_status=current["status"],
                to_status=current["status"],
                actor_kind="clerk",
                actor_id=caller.account_id,
                actor_label=caller.name,
                public_text=f"经负责人批准，办理时限延长 {days} 个工作日",
                internal_note=reason.strip(),
                data=msgspec.json.encode({"days": days}).decode(),
                at=timeutil.now(),
            )
        )
        await audit.append(
            "application.extend",
            actor=caller.actor(),
            object_type="application",
            object_id=current["id"],
            application_id=current["id"],
            details={"days": days},
        )
        return {**current, **updates}


async def set_assignee(
    caller: Caller, row: dict[str, Any], clerk_id: uuid.UUID | None, *, only_if_unassigned: bool
) -> dict[str, Any]:
    async with db.write_tx():
        where = (Application.id == row["id"]) & (Application.version == row["version"])
        if only_if_unassigned:
            where &= Application.assigned_clerk.is_null()
        won = (
            await Application.update(
                {
                    Application.assigned_clerk: clerk_id,
                    Application.version: row["version"] + 1,
                    Application.updated_at: timeutil.now(),
                }
            )
            .where(where)
            .returning(Application.id)
        )
        if not won:
            raise ProblemError("decision_conflict")
        await audit.append(
            "application.assign",
            actor=caller.actor(),
            object_type="application",
            object_id=row["id"],
            application_id=row["id"],
            details={"clerk": str(clerk_id)},
        )
        return {**row, "assigned_clerk": clerk_id, "version": row["version"] + 1}


def _parties(caller: Caller) -> frozenset[str]:
    return frozenset(caller.roles & {"window", "reviewer", "head"})
