"""The realistic TelecomX customer the emulator starts with.

A Danish accounting office: employees with presence, each owning one extension
with one to three phones (desk SIP phone, mobile, soft phone or external
number), a few standalone extensions (reception, meeting room), some phones
offline, some in DND, calls in progress and a handful of switches. Generated
from a seed, so every run (and every test) sees the same customer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from switchboard.plugins.telecomx.const import PRESENCE_FIELD

_FIRST = (
    "Anna", "Mads", "Sofie", "Frederik", "Ida", "Magnus", "Emma", "Oliver",
    "Freja", "Lucas", "Clara", "William", "Laura", "Emil", "Karla", "Noah",
    "Ella", "Victor", "Alma", "Oscar", "Agnes", "Carl", "Josefine", "Malthe",
)  # fmt: skip
_LAST = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen",
    "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen",
)  # fmt: skip
_STANDALONE = ("Reception", "Mødelokale Fjord", "Lager", "Kantine")
_DEPARTMENTS = ("Revision", "Bogføring", "Løn", "Administration")
_SIP_MODELS = ("Yealink T54W", "Snom D785", "Yealink W73P", "Grandstream GRP2614")
CALL_HOST = "pbx4.telecomx.dk"


@dataclass
class Tenant:
    """Everything the emulator serves, as the vendor's JSON shapes (dicts)."""

    customer_id: str
    settings: dict[str, Any]
    employees: dict[str, dict[str, Any]] = field(default_factory=dict)
    extensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    phones: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Extension id → its phones (``includePhones`` shape)."""
    dialplan: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    switches: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def new(self) -> str:
        return f"{self._rng.getrandbits(96):024x}"


def _presence(index: int) -> str:
    if index % 10 == 7:
        return "HOLIDAY"
    if index % 8 == 6:
        return "OFF_WORK"
    if index % 6 == 4:
        return "BUSY"
    return "WORK"


def _extension(
    ext_id: str, customer: str, number: str, name: str, employee: str | None
) -> dict[str, Any]:
    """An extension in the shape of 001_d475557f66c1db1c.txt."""
    return {
        "_id": ext_id,
        "type": "EXTENSION",
        "customer": customer,
        "name": name,
        "number": number,
        "startAudio": None,
        "redirect": None,
        "notes": "",
        "employee": employee,
        "direct": f"+457030{int(number) % 10000:04d}",
        "primary": employee is not None,
        "phonebook": True,
        "callWaiting": True,
        "blockSecret": False,
        "autoMaster": False,
        "mobileUseOwnNumber": False,
        "inboundGoto": None,
        "ringtone": None,
        "musicOnHold": None,
        "mobileDelay": 10,
        "onPresenceOffWork": "BUSY_NOT_MOBILE",
        "onPresenceHoliday": "BUSY",
        "onPresenceBusy": "BUSY",
        "noAnswer": {
            "timeout": 30,
            "extAction": "VOICEMAIL",
            "extNumber": None,
            "extGoto": None,
            "intAction": "VOICEMAIL",
            "intNumber": None,
            "intGoto": None,
            "mobileAction": "EXTERNAL",
            "mobileNumber": None,
            "mobileGoto": None,
        },
        "busy": {
            "extAction": "QUEUE",
            "extNumber": None,
            "extGoto": None,
            "intAction": "BARGE",
            "intNumber": None,
            "intGoto": None,
            "mobileAction": "EXTERNAL",
            "mobileNumber": None,
            "mobileGoto": None,
        },
        "outbound": {
            "destinations": "NATIONAL",
            "callerId": {
                "onPresenceWork": "+4570305050",
                "onPresenceWorkAsk": False,
                "onPresenceOffWork": "+4570305050",
                "onPresenceOffWorkAsk": False,
                "onNextCall": None,
            },
            "goto": None,
        },
    }


def _phones(
    ids: _Ids, rng: random.Random, index: int, *, standalone: bool
) -> list[dict[str, Any]]:
    count = 1 if standalone else 1 + rng.randrange(3)
    if index == 0:
        count = max(count, 2)  # the first extension shows a desk phone and a mobile
    offline = index % 4 == 3  # a quarter of the extensions is not registered
    dnd_all = index % 7 == 5
    dnd_first = index % 9 == 4
    phones: list[dict[str, Any]] = []
    kinds = ("SIP", "MVNO", "SIP" if rng.random() < 0.5 else "EXTERNAL")
    for slot in range(count):
        kind = kinds[slot]
        phone: dict[str, Any] = {"_id": ids.new(), "type": kind, "notes": ""}
        if kind == "SIP":
            phone["model"] = _SIP_MODELS[rng.randrange(len(_SIP_MODELS))]
            phone["identification"] = ":".join(
                f"{rng.randrange(256):02X}" for _ in range(6)
            )
            phone["product"] = ids.new()
            phone["online"] = not offline and (slot == 0 or rng.random() < 0.6)
        else:
            phone["model"] = None
            phone["identification"] = f"+452{rng.randrange(10**7):07d}"
            if kind == "MVNO":
                phone["ratePlan"] = ids.new()
            phone["online"] = not offline
        phone["dnd"] = dnd_all or (dnd_first and slot == 0)
        phones.append(phone)
    return phones


def _switches(first_employee: str | None) -> dict[str, dict[str, Any]]:
    rows = [
        ("DAYNIGHT", True, "Dag/nat: åbent for opkald"),
        ("HOLIDAY_CLOSED", False, "Lukket pga. helligdag"),
        ("SHARED:SUPPORT_OPEN", True, "Supportlinjen er åben"),
        ("SHARED:LUNCH", False, "Frokostlukket"),
    ]
    if first_employee is not None:
        rows.append((f"{first_employee}:WORK_FROM_HOME", False, "Hjemmearbejde"))
    return {
        name: {"name": name, "value": value, "description": text}
        for name, value, text in rows
    }


def _call(
    index: int, ext: dict[str, Any], rng: random.Random, now: datetime
) -> dict[str, Any]:
    outside = f"+45{rng.randrange(2 * 10**7, 9 * 10**7):08d}"
    inbound = index % 2 == 0
    return {
        "_id": f"{CALL_HOST}:{int(now.timestamp())}.{index}",
        "extension": ext["_id"],
        "direction": "IN" if inbound else "OUT",
        "callerNumber": outside if inbound else ext["number"],
        "calledNumber": ext["direct"] if inbound else outside,
        "start": (now - timedelta(minutes=2 + 3 * index)).isoformat(),
        "answered": True,
        "recording": False,
    }


def build_tenant(extensions: int = 24, seed: int = 4570) -> Tenant:
    """Build a customer with ``extensions`` extensions (≥ 2 calls when ≥ 3)."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    customer = ids.new()
    settings: dict[str, Any] = {
        "_id": customer,
        "defaultMusicOnHold": None,
        "masterPinCode": f"{rng.randrange(10**6):06d}",
        "defaultLanguage": "da",
        "defaultNumber": "+4570305050",
        "defaultVoiceAccount": ids.new(),
        "nationalPrefix": "+45",
        "callerIdNameOutbound": "CUSTOMER",
        "voicemailBreakout": None,
        "recording": {"mode": "DEMAND", "quality": "NORMAL", "retension": 30},
        "billing": {"invoicedUntil": "2026-11-01T00:00:00.000Z"},
        "presentMobileOnLocalToMobile": False,
    }
    tenant = Tenant(customer_id=customer, settings=settings)
    menu = ids.new()
    tenant.dialplan[menu] = {
        "_id": menu,
        "type": "MENU_ROUTER",
        "name": "Hovedmenu",
        "number": "100",
    }
    standalone_seen = 0
    for index in range(extensions):
        standalone = index % 12 == 11
        ext_id = ids.new()
        number = str(101 + index)
        employee_id: str | None = None
        if standalone:
            name = _STANDALONE[standalone_seen % len(_STANDALONE)]
            standalone_seen += 1
        else:
            first = _FIRST[index % len(_FIRST)]
            last = _LAST[(index * 5 + index // len(_FIRST)) % len(_LAST)]
            name = f"{first} {last}"
            employee_id = ids.new()
            tenant.employees[employee_id] = {
                "_id": employee_id,
                "type": "EMPLOYEE",
                "name": name,
                "title": "Revisor" if index % 3 else "Partner",
                "department": _DEPARTMENTS[index % len(_DEPARTMENTS)],
                "emailAddress": f"{first.lower()}.{last.lower()}{index}@fjordside-revision.dk",
                "birthdate": None,
                "picture": None,
                PRESENCE_FIELD: _presence(index),
                "extensions": [ext_id],
            }
        ext = _extension(ext_id, customer, number, name, employee_id)
        if index % 10 == 8:
            ext["redirect"] = f"+452{rng.randrange(10**7):07d}"
        if index % 5 == 2:
            ext["busy"]["extAction"] = "GOTO"
            ext["busy"]["extGoto"] = menu
        tenant.extensions[ext_id] = ext
        tenant.phones[ext_id] = _phones(ids, rng, index, standalone=standalone)
    now = datetime.now(UTC).replace(microsecond=0)
    ordered = list(tenant.extensions.values())
    talking = [i for i in (1, 2, 5) if i < len(ordered)] or [0][: len(ordered)]
    for index in talking:
        tenant.calls.append(_call(index, ordered[index], rng, now))
    first_employee = next(iter(tenant.employees), None)
    tenant.switches = _switches(first_employee)
    return tenant
