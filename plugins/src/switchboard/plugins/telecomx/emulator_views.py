"""How the emulator renders its state: employee records, expanded gotos, lookups."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchboard.plugins.telecomx.emulator_seed import Tenant

_GOTO_KEY = re.compile(r"(?i)goto$")


def _goto_item(tenant: Tenant, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    item = tenant.dialplan.get(value)
    if item is not None:
        return item
    ext = tenant.extensions.get(value)
    if ext is not None:
        return {k: ext[k] for k in ("_id", "type", "name", "number")}
    return value


def expand_gotos(tenant: Tenant, value: Any) -> Any:
    """Replace every ``*goto`` id with its ``{_id, type, name, number}`` item."""
    if isinstance(value, dict):
        return {
            k: _goto_item(tenant, v) if _GOTO_KEY.search(k) else expand_gotos(tenant, v)
            for k, v in value.items()
        }
    return value


def phone_owner(tenant: Tenant, phone_id: str) -> str | None:
    """Return the id of the extension a phone belongs to."""
    for ext_id, phones in tenant.phones.items():
        if any(p["_id"] == phone_id for p in phones):
            return ext_id
    return None


def _app_phones(tenant: Tenant, ext_id: str) -> list[dict[str, Any]]:
    return [
        {k: p[k] for k in ("_id", "type", "online", "dnd")}
        for p in tenant.phones[ext_id]
    ]


def _app_extension(tenant: Tenant, ext: dict[str, Any]) -> dict[str, Any]:
    keys = ("_id", "name", "number", "direct", "primary", "redirect")
    return {**{k: ext[k] for k in keys}, "phones": _app_phones(tenant, ext["_id"])}


def _calls_on(tenant: Tenant, ext_ids: set[str]) -> list[dict[str, Any]]:
    return [dict(c) for c in tenant.calls if c["extension"] in ext_ids]


def employee_records(
    tenant: Tenant, ids: list[str], *, calls: bool, standalone: bool
) -> list[dict[str, Any]]:
    """The records of ``/pbx/app/employees``: employees, then standalone extensions."""
    records: list[dict[str, Any]] = []
    for employee in tenant.employees.values():
        if ids and employee["_id"] not in ids:
            continue
        exts = [tenant.extensions[e] for e in employee["extensions"]]
        record = {k: v for k, v in employee.items() if k != "extensions"}
        record["extensions"] = [_app_extension(tenant, e) for e in exts]
        if calls:
            record["calls"] = _calls_on(tenant, {e["_id"] for e in exts})
        records.append(record)
    if not standalone or ids:
        return records
    for ext in tenant.extensions.values():
        if ext["employee"] is not None:
            continue
        record = {
            "_id": ext["_id"],
            "type": "EXTENSION",
            "name": ext["name"],
            "number": ext["number"],
            "redirect": ext["redirect"],
            "phones": _app_phones(tenant, ext["_id"]),
        }
        if calls:
            record["calls"] = _calls_on(tenant, {ext["_id"]})
        records.append(record)
    return records
