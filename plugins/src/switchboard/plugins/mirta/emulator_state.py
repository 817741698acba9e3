"""The tenant a MiRTA emulator starts with, and the records it keeps.

Values are synthetic (example.com, 555 numbers, random passwords) on purpose:
vendor-apis.md's sources warn against copying credential-shaped examples.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from switchboard.plugins.mirta.const import FLOW_STATE_MAP

FIRST_NUMBER = 100
NODES = ("srv01", "srv02")
_NAMES = (
    "Anne Holm", "Bo Madsen", "Carla Jensen", "Dennis Berg", "Eva Lund", "Frede Kjær",
    "Gitte Dahl", "Hans Vestergaard", "Ida Friis", "Jonas Krog", "Karen Bech", "Lars Munk",
    "Mette Skov", "Niels Bach", "Olivia Storm", "Peter Lind", "Rikke Hald", "Søren Brandt",
    "Tina Koch", "Ulrik Mørch", "Vibeke Holt", "William Ravn", "Yvonne Juhl", "Zenia Aagaard",
)  # fmt: skip


def _secret(rng: random.Random, length: int = 16) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(alphabet) for _ in range(length))


@dataclass
class EmuExtension:
    """An extension with everything the vendor's 148-field record leaks."""

    ex_id: int
    number: str
    name: str
    tech: str
    username: str
    email: str
    password: str
    webpassword: str
    twofa: tuple[str, str, str]
    lockpin: str
    registered: bool
    reachable: bool = True
    dnd: bool = False
    host: str = ""
    node: str = NODES[0]

    def credentials(self) -> list[str]:
        """Every secret of this record (tests check none of them leaks)."""
        return [self.password, self.webpassword, *self.twofa, self.lockpin]


@dataclass
class EmuChannel:
    """A live channel, Asterisk style."""

    channel: str
    context: str
    extension: str
    state: str
    application: str
    callerid: str
    connectedline: str
    uniqueid: str
    linkedid: str
    created: float = field(default_factory=time.time)

    @property
    def peer(self) -> str:
        """``101-ACME`` for ``PJSIP/101-ACME-0000001b``."""
        _, _, rest = self.channel.partition("/")
        return rest.rpartition("-")[0]


@dataclass
class EmuFlow:
    """A flow (day/night switch): a BLF state kept in step with a variable."""

    fl_id: int
    number: str
    name: str
    variable: str
    state: str
    open_value: str = FLOW_STATE_MAP["open"].value
    closed_value: str = FLOW_STATE_MAP["closed"].value

    @property
    def value(self) -> str:
        """The variable's value for the current state."""
        return (
            self.open_value
            if self.state == FLOW_STATE_MAP["open"].state
            else self.closed_value
        )


@dataclass
class EmuOrigination:
    """A call placed with DIAL."""

    id: str
    source: str
    dest: str
    status: str
    uniqueid: str
    recording: str


@dataclass
class TenantState:
    """Everything one emulated tenant holds."""

    tenant: str
    extensions: dict[str, EmuExtension] = field(default_factory=dict)
    channels: list[EmuChannel] = field(default_factory=list)
    flows: list[EmuFlow] = field(default_factory=list)
    originations: dict[str, EmuOrigination] = field(default_factory=dict)
    recordings: dict[str, bytes] = field(default_factory=dict)
    dids: list[dict[str, str]] = field(default_factory=list)
    cdrs: list[dict[str, str]] = field(default_factory=list)
    sequence: int = 0x1A

    def next_seq(self) -> int:
        """A fresh channel sequence number."""
        self.sequence += 1
        return self.sequence

    def new_uniqueid(self) -> str:
        """An Asterisk-style unique id (``srv01-1763900000.42``)."""
        return f"{NODES[0]}-{int(time.time())}.{self.next_seq()}"

    def peer_channel(self, number: str) -> str:
        """A fresh channel name for an extension's phone."""
        ext = self.extensions[number]
        return f"{ext.tech}/{ext.username}-{self.next_seq():08x}"

    def trunk_channel(self) -> str:
        """A fresh channel name on the tenant's trunk."""
        return f"SIP/trunk-{self.tenant.lower()}-{self.next_seq():08x}"

    def busy_peers(self) -> set[str]:
        """Peers with a channel."""
        return {c.peer for c in self.channels}

    def device_state(self, ext: EmuExtension) -> str:
        """The BLF device state of an extension."""
        if not ext.registered:
            return "UNAVAILABLE"
        if ext.username in self.busy_peers():
            return "INUSE"
        return "NOT_INUSE"

    def call_count(self) -> int:
        """Calls in progress (channels grouped by linked id)."""
        return len({c.linkedid for c in self.channels})

    def add_call(self, caller: str, callee: str, *, answered: bool, age: float) -> str:
        """Seed a two-leg call between numbers (extensions or outside numbers); its id."""
        linked = self.new_uniqueid()
        started = time.time() - age
        legs = []
        for own, other in ((caller, callee), (callee, caller)):
            name = (
                self.peer_channel(own)
                if own in self.extensions
                else self.trunk_channel()
            )
            legs.append(
                EmuChannel(
                    channel=name,
                    context=f"{self.tenant}-internal"
                    if own in self.extensions
                    else f"{self.tenant}-inbound",
                    extension=other,
                    state="Up" if answered else "Ringing",
                    application="Dial" if own == caller else "AppDial",
                    callerid=own,
                    connectedline=other,
                    uniqueid=linked if own == caller else self.new_uniqueid(),
                    linkedid=linked,
                    created=started,
                )
            )
        self.channels.extend(legs)
        return linked


def seed_tenant(tenant: str, count: int, *, seed: int = 4) -> TenantState:
    """Build a realistic tenant: ``count`` extensions, calls, flows, DIDs, CDRs.

    About a quarter of the phones are not registered, one registered phone does
    not answer qualify, one user has DND on, two calls are in progress.
    """
    rng = random.Random(seed)
    state = TenantState(tenant=tenant)
    for i in range(count):
        number = str(FIRST_NUMBER + i)
        name = _NAMES[i % len(_NAMES)] + (
            "" if i < len(_NAMES) else f" {i // len(_NAMES) + 1}"
        )
        state.extensions[number] = EmuExtension(
            ex_id=3600 + i,
            number=number,
            name=name,
            tech="PJSIP" if i % 2 == 0 else "SIP",
            username=f"{number}-{tenant}",
            email=f"{name.split()[0].lower()}.{number}@example.com",
            password=_secret(rng),
            webpassword=_secret(rng, 12),
            twofa=(_secret(rng, 24), _secret(rng, 8), _secret(rng, 8)),
            lockpin=str(rng.randint(1000, 9999)) + str(rng.randint(1000, 9999)),
            registered=i % 4 != 3,
            reachable=i != 10,
            dnd=i == 6,
            host=f"10.20.{i // 200}.{10 + i % 200}",
            node=NODES[i % 2],
        )
    registered = [
        n for n, e in state.extensions.items() if e.registered and e.reachable
    ]
    if len(registered) >= 2:
        state.add_call("+4555501234", registered[1], answered=True, age=182)
    if len(registered) >= 5:
        state.add_call(registered[3], registered[4], answered=True, age=47)
    for fl_id, (number, name, is_open) in enumerate(
        (
            ("7001", "Day", True),
            ("7002", "Night", False),
            ("7003", "Lunch", False),
            ("7004", "Holiday", False),
        ),
        start=61,
    ):
        wire = FLOW_STATE_MAP["open" if is_open else "closed"]
        state.flows.append(
            EmuFlow(fl_id, number, name, f"{name.upper()}MODE", wire.state)
        )
    for i, (number, comment, dest) in enumerate(
        (
            ("4555500100", "Main line", "FLOW-7001"),
            ("4555500101", "Support", "QUEUE-1"),
            ("4555500102", "Fax", "EXT-100"),
        ),
    ):
        state.dids.append(
            {
                "di_id": str(900 + i),
                "di_number": number,
                "di_comment": comment,
                "di_destination": dest,
            }
        )
    for i in range(6):
        uniqueid = f"{NODES[i % 2]}-1763{i:02d}0000.{i + 1}"
        state.cdrs.append(
            {
                "uniqueid": uniqueid,
                "ID": str(5000 + i),
                "te_id": "17",
                "realsrc": "+4555509876"
                if i % 2
                else str(FIRST_NUMBER + i % max(count, 1)),
                "lastdst": str(FIRST_NUMBER + (i + 1) % max(count, 1))
                if i % 2
                else "+4555501111",
                "start": f"2026-11-{20 + i % 3:02d} 0{8 + i}:15:00",
                "duration": str(30 + 17 * i),
                "answer": f"2026-11-{20 + i % 3:02d} 0{8 + i}:15:09",
                "direction": "in" if i % 2 else "out",
                "disposition": "ANSWERED" if i != 4 else "NO ANSWER",
            }
        )
        state.recordings[uniqueid] = fake_wav()
    return state


def fake_wav() -> bytes:
    """A tiny valid WAV file (0.01 s of silence)."""
    samples = b"\x00\x00" * 80
    header = (
        b"RIFF" + (36 + len(samples)).to_bytes(4, "little") + b"WAVEfmt "
        + (16).to_bytes(4, "little") + (1).to_bytes(2, "little") + (1).to_bytes(2, "little")
        + (8000).to_bytes(4, "little") + (16000).to_bytes(4, "little")
        + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
        + b"data" + len(samples).to_bytes(4, "little")
    )  # fmt: skip
    return header + samples
