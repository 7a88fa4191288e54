"""What an application looks like to the applicant and to a clerk.

Applicants see public texts and their department, never a clerk's internal notes or name; clerks
see the full history. ID numbers in forms are masked for everyone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec

from applications import legal_clock, states
from applications.tables import Application, ApplicationEvent, ApplicationMaterial, StoredFile, SupplementNotice
from catalogue.elements import MatterElements
from core import pii, rows, timeutil


class MaterialView(msgspec.Struct):
    id: uuid.UUID
    code: str
    name: str
    source: str
    round: int
    status: str
    added_at: dt.datetime
    file_id: uuid.UUID | None = None
    file_name: str = ""
    mime: str = ""
    size: int = 0
    licence_id: uuid.UUID | None = None
    reused_from: uuid.UUID | None = None


class EventView(msgspec.Struct, omit_defaults=True):
    seq: int
    action: str
    status: str
    status_label: str
    text: str
    at: dt.datetime
    actor: str
    on_behalf: bool = False
    internal_note: str | None = None


class SupplementView(msgspec.Struct):
    id: uuid.UUID
    items: list[dict[str, Any]]
    note: str
    requested_at: dt.datetime
    respond_by: dt.date | None
    responded_at: dt.datetime | None


class ApplicationSummary(msgspec.Struct):
    id: uuid.UUID
    number: str
    matter_id: uuid.UUID
    matter_name: str
    status: str
    status_label: str
    applicant_name: str
    applicant_kind: str
    channel: str
    instant: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    due_on: dt.date | None
    near_due: bool
    overdue: bool
    version: int
    assigned_to_me: bool | None = None


class ApplicationDetail(msgspec.Struct):
    summary: ApplicationSummary
    matter_version_id: uuid.UUID
    department: uuid.UUID
    receiving_region: str
    handling_region: str
    basis: str
    form: dict[str, Any]
    materials: list[MaterialView]
    events: list[EventView]
    supplements: list[SupplementView]
    clock: legal_clock.ClockStatus
    actions: list[str]
    decision: str
    decision_basis: str
    result: dict[str, Any]


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def summary(row: dict[str, Any], *, clerk_id: uuid.UUID | None = None) -> ApplicationSummary:
    clock = legal_clock.status(row, today=timeutil.today())
    return ApplicationSummary(
        id=row["id"],
        number=row["number"],
        matter_id=row["matter"],
        matter_name=row["matter_name"],
        status=row["status"],
        status_label=states.STATUS_LABELS[row["status"]],
        applicant_name=row["applicant_name"],
        applicant_kind=row["applicant_kind"],
        channel=row["channel"],
        instant=row["instant"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
        due_on=clock.due_on,
        near_due=clock.near_due,
        overdue=clock.overdue,
        version=row["version"],
        assigned_to_me=(row["assigned_clerk"] == clerk_id) if clerk_id else None,
    )


def masked_form(form: dict[str, Any], elements: MatterElements) -> dict[str, Any]:
    sensitive = {field.key for field in elements.form if field.type == "id_number"}
    return {
        key: pii.mask_id_number(value) if key in sensitive and isinstance(value, str) else value
        for key, value in form.items()
    }


async def detail(
    row: dict[str, Any],
    elements: MatterElements,
    *,
    for_clerk: bool,
    actions: list[str],
    department_name: str = "",
    clerk_id: uuid.UUID | None = None,
) -> ApplicationDetail:
    names = {spec.code: spec.name for spec in elements.materials}
    material_rows = await rows.many(ApplicationMaterial, row["id"], key="application", order_by="added_at")
    file_ids = [m["file"] for m in material_rows if m["file"] is not None]
    stored = (
        {
            f["id"]: f
            for f in await StoredFile.select(
                StoredFile.id, StoredFile.original_name, StoredFile.mime, StoredFile.size
            ).where(StoredFile.id.is_in(file_ids))
        }
        if file_ids
        else {}
    )
    events = await rows.many(ApplicationEvent, row["id"], key="application", order_by="seq")
    notices = await rows.many(SupplementNotice, row["id"], key="application", order_by="requested_at")

    def actor_label(event: dict[str, Any]) -> str:
        if for_clerk:
            return event["actor_label"] or event["actor_kind"]
        if event["actor_kind"] == "clerk":
            return department_name or "办理部门"
        if event["actor_kind"] == "system":
            return "系统"
        if event["on_behalf_id"]:
            return f"代办人{event['actor_label']}"
        return event["actor_label"] or "申请人"

    return ApplicationDetail(
        summary=summary(row, clerk_id=clerk_id),
        matter_version_id=row["matter_version"],
        department=row["department"],
        receiving_region=row["receiving_region"],
        handling_region=row["handling_region"],
        basis=row["basis"],
        form=masked_form(_json(row["form"]), elements),
        materials=[
            MaterialView(
                id=m["id"],
                code=m["material_code"],
                name=names.get(m["material_code"], m["material_code"]),
                source=m["source"],
                round=m["round"],
                status=m["status"],
                added_at=m["added_at"],
                file_id=m["file"],
                file_name=stored[m["file"]]["original_name"] if m["file"] in stored else "",
                mime=stored[m["file"]]["mime"] if m["file"] in stored else "",
                size=stored[m["file"]]["size"] if m["file"] in stored else 0,
                licence_id=m["licence_id"],
                reused_from=m["reused_from"],
            )
            for m in material_rows
        ],
        events=[
            EventView(
                seq=e["seq"],
                action=e["action"],
                status=e["to_status"],
                status_label=states.STATUS_LABELS[e["to_status"]],
                text=e["public_text"],
                at=e["at"],
                actor=actor_label(e),
                on_behalf=e["on_behalf_id"] is not None,
                internal_note=(e["internal_note"] or "") if for_clerk else None,
            )
            for e in events
        ],
        supplements=[
            SupplementView(n["id"], _json(n["items"]), n["note"], n["requested_at"], n["respond_by"], n["responded_at"])
            for n in notices
        ],
        clock=legal_clock.status(row, today=timeutil.today()),
        actions=actions,
        decision=row["decision"],
        decision_basis=row["decision_basis"],
        result=_json(row["result"]),
    )


async def file_visible_to_application_clerk(file_id: uuid.UUID, department: uuid.UUID, region: str) -> bool:
    """A clerk may open a file only when it is a material of an application they may see."""
    uses = await ApplicationMaterial.select(ApplicationMaterial.application).where(ApplicationMaterial.file == file_id)
    if not uses:
        return False
    apps = await Application.select(Application.id).where(
        Application.id.is_in([use["application"] for use in uses])
        & (Application.department == department)
        & ((Application.handling_region == region) | (Application.receiving_region == region))
    )
    return bool(apps)

