"""The state of the PBXware emulator: a realistic tenant, seeded deterministically.

Kept apart from the request handlers (:mod:`switchboard.plugins.pbxware.emulator`) so both
stay small. The seed is a small office: named extensions with e-mails, most
registered, some not; a few people on calls (one of them recorded); DND and
call forwarding on for some; DIDs (one without Operation Times), an IVR, queues, a dial group and an
enhanced ring group with Operation Times; a week of CDRs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from switchboard.plugins.pbxware.models import (
    CallForwardCondition,
    EsService,
    OtimesTarget,
)

if TYPE_CHECKING:
    import random

_FIRST = (
    "Anna", "Bo", "Camilla", "Dennis", "Eva", "Frederik", "Gitte", "Henrik",
    "Ida", "Jonas", "Karen", "Lars", "Mette", "Niels", "Ole", "Pernille",
    "Rasmus", "Sofie", "Thomas", "Ulla", "Victor", "Wilma", "Yasmin", "Zacharias",
)  # fmt: skip
_LAST = (
    "Andersen", "Berg", "Christensen", "Dahl", "Eriksen", "Frost", "Gregersen",
    "Hansen", "Iversen", "Jensen", "Kristensen", "Larsen", "Madsen", "Nielsen",
    "Olsen", "Poulsen", "Quist", "Rasmussen", "Schmidt", "Thomsen",
)  # fmt: skip
_PHONES = (
    ("50", "yealink_t46u", "Yealink T46U"),
    ("52", "polycom_vvx450", "Polycom VVX 450"),
    ("61", "glocom", "Bicom gloCOM"),
    ("74", "grandstream_gxp2170", "Grandstream GXP2170"),
)
CONDITIONS = tuple(c.value for c in CallForwardCondition)


class Refusal(Exception):  # noqa: N818 - not our error: the answer PBXware gives
    """Makes the emulator answer ``{"error": text}`` with HTTP 200, as PBXware does."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass
class EmulatedExtension:
    """One extension with its secrets (the emulator must send them, like PBXware)."""

    id: str
    number: str
    name: str
    email: str
    pin: str
    secret: str
    phone: tuple[str, str, str]
    online: bool
    ip: str
    department: str = ""
    es: dict[str, str] = field(default_factory=dict)
    dnd_config: dict[str, str] = field(default_factory=dict)
    dnd_until: float | None = None
    callfwd: dict[str, Any] = field(default_factory=dict)

    def list_row(self) -> dict[str, str]:
        """This extension as an ``ext.list`` row."""
        return {
            "name": self.name,
            "email": self.email,
            "protocol": "sip",
            "ext": self.number,
            "location": "local",
            "ua_id": self.phone[0],
            "ua_name": self.phone[1],
            "ua_fullname": self.phone[2],
            "status": "enabled",
            "macaddress": "",
            "sn": "",
            "linenum": "1",
            "user_location": "Head office",
            "department": self.department,
        }

    def configuration(self, server: str) -> dict[str, Any]:
        """This extension as ``ext.configuration`` shows it: secrets included."""
        options = {
            "type": "friend",
            "context": f"t-{server}",
            "callerid": f"{self.name} <{self.number}>",
            "username": f"{server}{self.number}",
            "secret": self.secret,
            "allow": ["ulaw", "alaw"],
            "recordcalls": "0",
        }
        return {
            **self.list_row(),
            "pin": self.pin,
            "user_language": "en",
            "smuser": "0",
            "service_plan": "1",
            "options": options,
            "options_raw": "",
            "ua_autoprov": "",
            "additional_macaddress": "",
            "additional_config": "",
        }


@dataclass
class EmulatedCall:
    """A call in progress between up to two parties (``Name (number)`` or a number)."""

    uniqueid: str
    caller: str
    callee: str
    started: float
    numbers: tuple[str, ...]
    recording: str = "off"
    """off, on or paused."""
    answered: bool = False
    """Known to the emulator only: monitor.live_calls does not report it."""


@dataclass
class EmulatedCdr:
    """A finished call as cdr.download reports it."""

    caller: str
    callee: str
    started: int
    duration: int
    status: str
    uniqueid: str
    recorded: bool
    location: str
    mos: float


def empty_callfwd() -> dict[str, Any]:
    """A forwarding configuration with nothing enabled."""
    return {
        "play": "1",
        "cid": "0",
        "enabled": [],
        "destinations": {c: [] for c in CONDITIONS},
        "timeouts": {c: [] for c in CONDITIONS},
    }


def party(ext: EmulatedExtension) -> str:
    """How PBXware names an extension in calls and CDRs: ``Name (number)``."""
    return f"{ext.name} ({ext.number})"


def seed_extensions(count: int, rng: random.Random) -> list[EmulatedExtension]:
    """Build ``count`` extensions; internal ids differ from the numbers on purpose."""
    extensions = []
    for index in range(count):
        first = _FIRST[index % len(_FIRST)]
        last = _LAST[(index * 7 + index // len(_FIRST)) % len(_LAST)]
        suffix = "" if index < len(_FIRST) else str(index)
        online = index % 4 != 3
        # Accessibility (Available/Unavailable/PIN required), not activation.
        es = dict.fromkeys((s.value for s in EsService), "no")
        es.update(
            {
                "dnd": "yes",
                "callfwd": "yes",
                "followme": "yes",
                "callpickup": "pin",
                "lastcaller": "pin",
                "instrecord": "yes",
            }
        )
        extensions.append(
            EmulatedExtension(
                id=str(index + 1),
                number=str(201 + index),
                name=f"{first} {last}",
                email=f"{first}.{last}{suffix}@example.com".lower(),
                pin=f"{rng.randrange(10**4):04d}",
                secret=f"{rng.getrandbits(64):016x}",
                phone=_PHONES[index % len(_PHONES)],
                online=online,
                ip=f"10.20.{index // 250}.{index % 250 + 2}" if online else "",
                department=str(1 + index % 3),
                es=es,
                dnd_config={
                    "dnd": "0",
                    "dst": "",
                    "dsttype": "voicemail",
                    "duration": "",
                },
                callfwd=empty_callfwd(),
            )
        )
    _seed_services(extensions)
    return extensions


def _seed_services(extensions: list[EmulatedExtension]) -> None:
    if len(extensions) > 6:
        extensions[6].dnd_config["dnd"] = "2"
    if len(extensions) > 7:
        fwd = extensions[7].callfwd
        fwd["enabled"] = ["unconditional"]
        fwd["destinations"]["unconditional"] = ["4540404040"]
        fwd["timeouts"]["unconditional"] = [""]
    if len(extensions) > 8:
        fwd = extensions[8].callfwd
        extensions[8].es["callfwd"] = "pin"
        fwd["enabled"] = ["busy", "no answer"]
        for condition, timeout in (("busy", ""), ("no answer", "20")):
            fwd["destinations"][condition] = [extensions[0].number]
            fwd["timeouts"][condition] = [timeout]
    if len(extensions) > 9:
        # An extension whose admin made DND and forwarding Unavailable.
        extensions[9].es.update(dnd="no", callfwd="no")


def seed_calls(
    extensions: list[EmulatedExtension], now: float
) -> dict[str, EmulatedCall]:
    """Put some registered extensions on calls (internal, inbound, outbound)."""
    online = [e for e in extensions if e.online]
    plans: list[tuple[str, str, tuple[str, ...], str]] = []
    if len(online) >= 4:
        a, b = online[1], online[3]
        plans.append((party(a), party(b), (a.number, b.number), "off"))
    if len(online) >= 3:
        c = online[2]
        plans.append(("+4533129000", party(c), (c.number,), "on"))
    if len(online) >= 6:
        d = online[5]
        plans.append((party(d), "+4570205050", (d.number,), "off"))
    calls = {}
    for offset, (caller, callee, numbers, recording) in enumerate(plans):
        started = now - 60 * (offset + 2)
        uniqueid = f"{int(started)}.{offset + 11}"
        calls[uniqueid] = EmulatedCall(
            uniqueid, caller, callee, started, numbers, recording
        )
    return calls


def _hours(
    status: str, default_ext: str, *, saturday: bool = False, closed: bool = True
) -> dict[str, Any]:
    open_days = [
        {
            "description": "Weekdays",
            "days": "1,2,3,4,5",
            "time_from": "08:00",
            "time_to": "17:00",
        }
    ]
    if saturday:
        open_days.append(
            {
                "description": "Saturday",
                "days": "6",
                "time_from": "09:00",
                "time_to": "12:00",
            }
        )
    closed_dates = (
        [
            {
                "description": "Christmas",
                "destination": default_ext,
                "date_from": "2026-12-24",
                "date_to": "2026-12-26",
                "time_from": "00:00",
                "time_to": "23:59",
            }
        ]
        if closed
        else []
    )
    return {
        "status": status,
        "greeting": "greeting-Mar-27-2013-15-15-44",
        "default_dest_ext": default_ext,
        "default_dest_is_vm": "yes",
        "closed_dates": closed_dates,
        "custom_destinations": [],
        "open_days": open_days,
    }


def seed_dids(server: str, reception: str) -> dict[str, dict[str, str]]:
    """The tenant's DIDs as ``did.list`` shows them, keyed by DID id.

    DIDs 3, 4 and 7 have Operation Times; 8 has none and shares its destination
    (``ext``) with 7, so an ``otimes.did.list&ext=`` answer must be picked by id.
    """

    def did(number: str, kind: str, ext: str) -> dict[str, str]:
        return {
            "number": number,
            "number2": "",
            "server": server,
            "trunk": "6099",
            "type": kind,
            "ext": ext,
            "status": "enabled",
        }

    return {
        "3": did("4570305050", "IVR", "500"),
        "4": did("4570305051", "Queues", "600"),
        "7": did("4570305052", "Extension", reception),
        "8": did("4570305053", "Extension", reception),
    }


def seed_operation_times(
    server: str, reception: str, dids: dict[str, dict[str, str]]
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[tuple[str, str], dict[str, str]]]:
    """Operation Times per target, plus each destination's number/ext for filters."""
    lunch = {
        "destination": reception,
        "is_open_range": "no",
        "days": "1,2,3,4,5",
        "time_from": "12:00",
        "time_to": "12:30",
    }
    queue = _hours("on", reception)
    queue["custom_destinations"] = [lunch]
    times = {
        OtimesTarget.DID.value: {
            "3": _hours("inherit", reception, saturday=True),
            "4": _hours("on", reception),
            "7": _hours("off", reception, closed=False),
        },
        OtimesTarget.IVR.value: {"2": _hours("on", reception, saturday=True)},
        OtimesTarget.DIAL_GROUP.value: {"1": _hours("inherit", reception)},
        OtimesTarget.SERVERS.value: {server: _hours("inherit", reception)},
        OtimesTarget.ROUTES.value: {},
        OtimesTarget.QUEUES.value: {"5": queue, "6": _hours("off", reception)},
        OtimesTarget.ERG.value: {"9": _hours("inherit", reception, closed=False)},
    }
    lookup = {
        **{
            (OtimesTarget.DID.value, did_id): {"ext": dids[did_id]["ext"]}
            for did_id in times[OtimesTarget.DID.value]
        },
        ("queues", "5"): {"number": "600"},
        ("queues", "6"): {"number": "601"},
        ("erg", "9"): {"number": "700"},
        ("ivr", "2"): {"number": "500"},
    }
    return times, lookup


def seed_cdrs(
    extensions: list[EmulatedExtension], now: float, rng: random.Random, count: int = 60
) -> list[EmulatedCdr]:
    """A week of finished calls, oldest first."""
    if not extensions:
        return []
    statuses = ("Answered",) * 6 + ("Unanswered", "Busy", "Failed")
    cdrs = []
    for index in range(count):
        started = int(now - 7 * 86400 + index * (7 * 86400 // count))
        ext = extensions[rng.randrange(len(extensions))]
        other = extensions[rng.randrange(len(extensions))]
        status = rng.choice(statuses)
        kind = index % 3
        if kind == 0:
            caller, callee, location = party(ext), party(other), "Local"
        elif kind == 1:
            caller, callee, location = (
                f"+4533{rng.randrange(10**6):06d}",
                party(ext),
                "Remote",
            )
        else:
            caller, callee, location = (
                party(ext),
                f"+4570{rng.randrange(10**6):06d}",
                "Remote",
            )
        answered = status == "Answered"
        cdrs.append(
            EmulatedCdr(
                caller=caller,
                callee=callee,
                started=started,
                duration=rng.randrange(5, 900) if answered else 0,
                status=status,
                uniqueid=f"{started}.{index + 100}",
                recorded=answered and index % 4 == 0,
                location=location,
                mos=round(rng.uniform(3.6, 4.5), 1) if answered else 0.0,
            )
        )
    return cdrs
