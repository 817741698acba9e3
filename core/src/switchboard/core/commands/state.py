"""User links, the audit log and the dial count, in SQLite by default (PostgreSQL by URL).

SQLAlchemy 2 async: ``sqlite+aiosqlite:///path/state.db`` by default, or
``postgresql+asyncpg://...`` when several Slack workers share state. Tables are
created on start. Every write is its own transaction, committed before the
call returns, so killing the process between two commands loses nothing.

The audit log is written in two steps around every state-changing command: an
intent row (who, what, where; outcome ``pending``) committed *before* the PBX is
asked, then completed with the outcome. A process killed in between leaves the
row ``pending`` -- never an action without a row.
"""

from __future__ import annotations

import importlib
import json
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    Text,
    delete,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from switchboard.core.commands.types import Link
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.redaction import get_logger, redact_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy import ColumnElement
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
    from sqlalchemy.orm import InstrumentedAttribute

_LOGGER = get_logger(__name__)

# Links are read on every command; a short cache saves a database round trip
# per command. Writes through this store invalidate it at once; a link changed
# by another worker (PostgreSQL) is seen after at most this many seconds.
LINK_CACHE_SECONDS = 30.0

_SYNC_TO_ASYNC = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def _open_errors(engine: AsyncEngine) -> tuple[type[Exception], ...]:
    """What opening the database raises when it cannot be used.

    asyncpg raises its own errors while connecting (a wrong password, say);
    SQLAlchemy does not wrap them.
    """
    errors: tuple[type[Exception], ...] = (SQLAlchemyError, OSError)
    if engine.dialect.driver == "asyncpg":
        errors += (importlib.import_module("asyncpg").PostgresError,)
    return errors


class _Base(DeclarativeBase):
    pass


class _LinkRow(_Base):
    __tablename__ = "switchboard_links"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    pbx: Mapped[str] = mapped_column(String(128), primary_key=True)
    extension: Mapped[str] = mapped_column(String(32))
    linked_by: Mapped[str] = mapped_column(String(128), default="")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _AuditRow(_Base):
    __tablename__ = "switchboard_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    user_name: Mapped[str] = mapped_column(String(256), default="")
    surface: Mapped[str] = mapped_column(String(16))
    pbx: Mapped[str | None] = mapped_column(String(128), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(256), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    # When the outcome was written; NULL while the row is pending (schema 2).
    completed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


# The outcome of an intent row until the command ends.
PENDING = "pending"

# Columns added to an existing table on start, in order (schema 1 had none of them).
_AUDIT_MIGRATIONS = (("completed_at", "TIMESTAMP WITH TIME ZONE NULL"),)


def _migrate_audit(sync_conn: Connection) -> None:
    """Add the columns a database made by an older version lacks (idempotent)."""
    have = {c["name"] for c in inspect(sync_conn).get_columns(_AuditRow.__tablename__)}
    for column, ddl in _AUDIT_MIGRATIONS:
        if column not in have:
            sync_conn.exec_driver_sql(
                f"ALTER TABLE {_AuditRow.__tablename__} ADD COLUMN {column} {ddl}"
            )


class _DialRow(_Base):
    """One click-to-dial, kept for the rate limit's window only."""

    __tablename__ = "switchboard_dials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class _SettingRow(_Base):
    """One per-user setting (``notify_missed``, ``sync_dnd``...)."""

    __tablename__ = "switchboard_user_settings"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class _MissedCallRow(_Base):
    """A missed call told to one user: recorded *before* the message is sent."""

    __tablename__ = "switchboard_missed_calls"

    pbx: Mapped[str] = mapped_column(String(128), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    caller: Mapped[str] = mapped_column(String(64))
    caller_name: Mapped[str] = mapped_column(String(256), default="")
    extension: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    noted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """When it was recorded; a row without ``ts`` is recorded but not (known) sent."""
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(64), nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class _LeaseRow(_Base):
    """Who polls a PBX: an expiring row, renewed by its holder on every poll."""

    __tablename__ = "switchboard_leases"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _WebhookInboxRow(_Base):
    """Where a PBX's webhooks go now: the SHA-256 of the leader's inbox token.

    Only the hash: a worker that receives a delivery checks the path token against
    it; the token itself lives in the leader's memory (and the vendor's registration).
    """

    __tablename__ = "switchboard_webhook_inboxes"

    pbx: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _WebhookDeliveryRow(_Base):
    """One webhook call received by any worker, until the leader's inbox has read it."""

    __tablename__ = "switchboard_webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pbx: Mapped[str] = mapped_column(String(128), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    fields: Mapped[str] = mapped_column(Text)
    """The form fields, as a JSON object."""
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """What the leader's inbox made of it; NULL until it has read it."""


@dataclass(frozen=True)
class WebhookDelivery:
    """A stored webhook call waiting for the leader.

    Attributes:
        id: The row's id.
        fields: The form fields the vendor sent.
    """

    id: int
    fields: dict[str, str]


@dataclass(frozen=True)
class MissedCallNote:
    """A missed call as its user is told about it.

    Attributes:
        pbx: The configured PBX name.
        call_id: The vendor's call id.
        user_id: Who is told.
        caller: The caller's number.
        caller_name: Their name, where the PBX knows it.
        extension: The extension that was called.
        at: When the call came in (UTC).
        channel: The DM channel of the message, once sent.
        ts: The message's timestamp (its id in Slack), once sent.
        done: The user marked it done.
        noted_at: When it was recorded (before the message was sent).
    """

    pbx: str
    call_id: str
    user_id: str
    caller: str
    caller_name: str
    extension: str
    at: datetime
    channel: str | None = None
    ts: str | None = None
    done: bool = False
    noted_at: datetime | None = None


def _note(row: _MissedCallRow) -> MissedCallNote:
    return MissedCallNote(
        row.pbx,
        row.call_id,
        row.user_id,
        row.caller,
        row.caller_name,
        row.extension,
        _utc(row.at),
        row.channel,
        row.ts,
        row.done,
        _utc(row.noted_at),
    )


@dataclass(frozen=True)
class AuditEntry:
    """One audited action.

    Attributes:
        at: When (UTC).
        user_id: Who.
        user_name: Their display name.
        surface: ``cli`` or ``slack``.
        pbx: Which PBX.
        action: What, as a normalised command (``dnd on for 2h``).
        target: The extension, flow, number or user acted on.
        outcome: ``success``, ``refused``, ``failed``, ``unknown`` (the PBX did
            not answer a write in time) or ``pending`` (the command has not
            ended, or the process stopped before it did).
        detail: The sentence the user was told.
        id: The row's id, once stored.
        completed_at: When the outcome was written (``None`` while pending).
    """

    at: datetime
    user_id: str
    user_name: str
    surface: str
    pbx: str | None
    action: str
    target: str | None
    outcome: str
    detail: str
    id: int | None = None
    completed_at: datetime | None = None

    @property
    def pending(self) -> bool:
        """True while no outcome was written: the action may or may not have happened."""
        return self.outcome == PENDING


def _utc(value: datetime) -> datetime:
    # SQLite drops the timezone; everything is stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _insert_for(
    session: AsyncSession,
) -> Callable[[type[_Base]], postgresql.Insert | sqlite.Insert]:
    """The INSERT of the session's database, which can say what to do on a conflict."""
    if session.bind.dialect.name == "postgresql":
        return postgresql_insert
    return sqlite_insert


async def _upsert(
    session: AsyncSession,
    model: type[_Base],
    row: dict[str, Any],
    *,
    keys: list[InstrumentedAttribute[Any]],
    updated: Iterable[str],
) -> None:
    """Insert ``row``, or update its ``updated`` columns where ``keys`` match.

    One atomic statement on PostgreSQL and SQLite: a read-then-write (merge) lets
    two workers writing the same row at once both insert, and one fails. Other
    databases get the merge.
    """
    if session.bind.dialect.name not in ("postgresql", "sqlite"):
        await session.merge(model(**row))
        return
    statement = _insert_for(session)(model).values(row)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={key: statement.excluded[key] for key in updated},
        )
    )


# Any number (the same in every worker) naming the lock held while the tables are created.
_CREATE_LOCK_ID = 0x5B_57A7E
# The high half of the PostgreSQL lock that serialises one user's dial count.
_DIAL_LOCK_NAMESPACE = 0x5B_57D1A1


async def _write_lock(conn: AsyncConnection, lock_id: int) -> None:
    """Serialise a read-then-write between workers, until the transaction ends.

    PostgreSQL: an advisory lock named ``lock_id``, so that only that work waits.
    SQLite: the database's write lock, taken before the reads (it waits up to the
    busy timeout); SQLite has no finer lock.
    """
    backend = conn.dialect.name
    if backend == "postgresql":
        await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({lock_id})")
    elif backend == "sqlite":
        await conn.exec_driver_sql("BEGIN IMMEDIATE")


# The high half of the PostgreSQL lock that serialises taking one lease.
_LEASE_LOCK_NAMESPACE = 0x5B_57EA5E


def _lease_lock_id(name: str) -> int:
    return (_LEASE_LOCK_NAMESPACE << 32) | zlib.crc32(name.encode())


def _dial_lock_id(user_id: str) -> int:
    # Stable across processes (hash() is salted per process).
    return (_DIAL_LOCK_NAMESPACE << 32) | zlib.crc32(user_id.encode())


class _SqlitePathError(Exception):
    """The SQLite file cannot be where the URL says."""


def _check_sqlite_path(path: Path, *, create_dirs: bool) -> None:
    """Refuse a directory, or a missing parent directory the user did not ask for.

    Once, at start-up: blocking file-system calls are fine here.
    """
    if path.is_dir():
        msg = f"{path} is a directory; name a file in it, like {path / 'state.db'}"
        raise _SqlitePathError(msg)
    parent = path.parent
    if parent.is_dir():
        return
    if not create_dirs:
        msg = f"the directory {parent} does not exist; create it first"
        raise _SqlitePathError(msg)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        msg = f"cannot create the directory {parent} ({err.strerror})"
        raise _SqlitePathError(msg) from None


def normalise_url(url: str) -> str:
    """Use the async driver for plain ``sqlite://`` and ``postgresql://`` URLs."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    return f"{_SYNC_TO_ASYNC.get(scheme, scheme)}://{rest}"


class StateStore:
    """Links and audit log behind one async engine."""

    def __init__(self, engine: AsyncEngine, *, link_cache_seconds: float) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._cache_seconds = link_cache_seconds
        self._cache: dict[str, tuple[float, list[Link]]] = {}

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        link_cache_seconds: float = LINK_CACHE_SECONDS,
        source: Path | None = None,
        create_dirs: bool = False,
    ) -> StateStore:
        """Connect to ``url`` and create (or migrate) the tables.

        Args:
            url: The SQLAlchemy URL.
            link_cache_seconds: How long a user's links are cached.
            source: The configuration file, named in every error.
            create_dirs: Create a missing parent directory of an SQLite file
                (only for the default location: a path the user wrote must exist).

        Raises:
            SwitchboardConfigError: The URL is unusable or the database is unreachable.
        """
        where = f"{source}: " if source is not None else ""
        url = normalise_url(url)
        try:
            engine = create_async_engine(url)
        except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as err:
            # ValueError: a port that is not a number (``host:abc``).
            msg = f"{where}state.database_url: cannot use it ({redact_text(str(err))}). Example: sqlite+aiosqlite:///path/state.db"
            raise SwitchboardConfigError(msg) from None
        database = engine.url.database
        open_errors = _open_errors(engine)
        try:
            if engine.url.get_backend_name() == "sqlite" and database not in (
                None,
                "",
                ":memory:",
            ):
                # Checked before connecting: aiosqlite would fail in its own
                # thread, after the event loop that waits for it has gone.
                _check_sqlite_path(
                    Path(database).expanduser(),  # noqa: ASYNC240 - once, at start-up
                    create_dirs=create_dirs,
                )
            async with engine.begin() as conn:
                # Two workers starting together on a fresh database would both
                # create the tables, and the second would fail to start.
                await _write_lock(conn, _CREATE_LOCK_ID)
                await conn.run_sync(_Base.metadata.create_all)
                await conn.run_sync(_migrate_audit)
        except _SqlitePathError as err:
            await engine.dispose()
            msg = f"{where}state.database_url: {err}"
            raise SwitchboardConfigError(msg) from None
        except open_errors as err:
            await engine.dispose()
            msg = f"{where}state.database_url: cannot open the database ({type(err).__name__})."
            raise SwitchboardConfigError(msg) from None
        return cls(engine, link_cache_seconds=link_cache_seconds)

    async def aclose(self) -> None:
        """Close every database connection."""
        await self._engine.dispose()

    def _session(self) -> AsyncSession:
        return self._sessions()

    # -- links ---------------------------------------------------------------

    async def links(self, user_id: str) -> list[Link]:
        """Return every link of ``user_id`` (sorted by PBX name)."""
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self._session() as session:
            rows = await session.scalars(
                select(_LinkRow)
                .where(_LinkRow.user_id == user_id)
                .order_by(_LinkRow.pbx)
            )
            links = [
                Link(r.user_id, r.pbx, r.extension, r.linked_by, _utc(r.linked_at))
                for r in rows
            ]
        if self._cache_seconds > 0:
            self._cache[user_id] = (now + self._cache_seconds, links)
        return links

    async def set_link(
        self, user_id: str, pbx: str, extension: str, *, linked_by: str
    ) -> Link:
        """Link ``user_id`` to ``extension`` on ``pbx`` (replacing an earlier link there)."""
        at = datetime.now(UTC)
        row = {
            "user_id": user_id,
            "pbx": pbx,
            "extension": extension,
            "linked_by": linked_by,
            "linked_at": at,
        }
        async with self._session() as session, session.begin():
            await _upsert(
                session,
                _LinkRow,
                row,
                keys=[_LinkRow.user_id, _LinkRow.pbx],
                updated=("extension", "linked_by", "linked_at"),
            )
        self._cache.pop(user_id, None)
        return Link(user_id, pbx, extension, linked_by, at)

    async def delete_links(self, user_id: str, pbx: str | None = None) -> int:
        """Remove the links of ``user_id`` (on ``pbx`` only, when given); return how many."""
        statement = delete(_LinkRow).where(_LinkRow.user_id == user_id)
        if pbx is not None:
            statement = statement.where(_LinkRow.pbx == pbx)
        async with self._session() as session, session.begin():
            result = await session.execute(statement)
        self._cache.pop(user_id, None)
        return int(getattr(result, "rowcount", 0) or 0)

    async def users_linked_to(self, pbx: str, extension: str) -> list[str]:
        """Return the users linked to ``extension`` on ``pbx``."""
        async with self._session() as session:
            rows = await session.scalars(
                select(_LinkRow.user_id).where(
                    _LinkRow.pbx == pbx, _LinkRow.extension == extension
                )
            )
            return list(rows)

    # -- dial count ----------------------------------------------------------

    async def count_dial(
        self, user_id: str, *, limit: int, window: float
    ) -> float | None:
        """Count one dial of ``user_id`` unless ``limit`` were counted already.

        The rate limit's :class:`~switchboard.core.policy.DialCounter`, shared by every
        worker on this database; a lock per user makes concurrent dials count one
        by one. Wall-clock time, because the workers share no monotonic clock.

        Returns:
            ``None`` when counted; otherwise the seconds until a dial is allowed.
        """
        async with self._session() as session, session.begin():
            await _write_lock(await session.connection(), _dial_lock_id(user_id))
            # Read once the lock is held: a dial counted while this one waited
            # must not look as if it came after "now".
            now = datetime.now(UTC)
            # Old dials of everyone go: the table holds one window at most.
            await session.execute(
                delete(_DialRow).where(_DialRow.at <= now - timedelta(seconds=window))
            )
            recent = list(
                await session.scalars(
                    select(_DialRow.at)
                    .where(_DialRow.user_id == user_id)
                    .order_by(_DialRow.at)
                )
            )
            if len(recent) >= limit:
                # Allowed again when enough of them have left the window.
                oldest_to_leave = _utc(recent[len(recent) - limit])
                return window - (now - oldest_to_leave).total_seconds()
            session.add(_DialRow(user_id=user_id, at=now))
        return None

    # -- audit ---------------------------------------------------------------

    async def audit(self, entry: AuditEntry) -> int:
        """Write one audit entry, committed before returning; return its id.

        An entry whose outcome is :data:`PENDING` is an intent row: write it
        before acting, then :meth:`complete_audit` it with the outcome.
        """
        row = _AuditRow(
            at=entry.at,
            user_id=entry.user_id,
            user_name=entry.user_name,
            surface=entry.surface,
            pbx=entry.pbx,
            action=entry.action,
            target=entry.target,
            outcome=entry.outcome,
            detail=entry.detail,
            completed_at=None if entry.outcome == PENDING else datetime.now(UTC),
        )
        async with self._session() as session, session.begin():
            session.add(row)
            await session.flush()
            return row.id

    async def complete_audit(
        self, audit_id: int, *, outcome: str, target: str | None, detail: str
    ) -> None:
        """Write the outcome of the intent row ``audit_id``, committed before returning."""
        values: dict[str, object] = {
            "outcome": outcome,
            "detail": detail,
            "completed_at": datetime.now(UTC),
        }
        if target is not None:
            values["target"] = target
        async with self._session() as session, session.begin():
            await session.execute(
                update(_AuditRow).where(_AuditRow.id == audit_id).values(values)
            )

    async def audit_entries(self, limit: int = 50) -> list[AuditEntry]:
        """Return the newest ``limit`` audit entries, oldest first."""
        async with self._session() as session:
            rows = list(
                await session.scalars(
                    select(_AuditRow).order_by(_AuditRow.id.desc()).limit(limit)
                )
            )
        return [
            AuditEntry(
                at=_utc(r.at),
                user_id=r.user_id,
                user_name=r.user_name,
                surface=r.surface,
                pbx=r.pbx,
                action=r.action,
                target=r.target,
                outcome=r.outcome,
                detail=r.detail,
                id=r.id,
                completed_at=_utc(r.completed_at) if r.completed_at else None,
            )
            for r in reversed(rows)
        ]

    # -- per-user settings -----------------------------------------------------------

    async def setting(self, user_id: str, key: str) -> str | None:
        """Return one of the user's settings, ``None`` when never set."""
        async with self._session() as session:
            row = await session.get(_SettingRow, (user_id, key))
            return None if row is None else row.value

    async def set_setting(self, user_id: str, key: str, value: str | None) -> None:
        """Set (or with ``None`` remove) one of the user's settings."""
        async with self._session() as session, session.begin():
            row = await session.get(_SettingRow, (user_id, key))
            if value is None:
                if row is not None:
                    await session.delete(row)
            elif row is None:
                session.add(_SettingRow(user_id=user_id, key=key, value=value))
            else:
                row.value = value

    # -- missed calls ------------------------------------------------------------------

    async def claim_missed_call(self, note: MissedCallNote) -> bool:
        """Record a missed call for its user; False when it was recorded already.

        One atomic insert: of several workers that saw the same call, exactly one
        gets True, and only that one sends the message.
        """
        row = {
            "pbx": note.pbx,
            "call_id": note.call_id,
            "user_id": note.user_id,
            "caller": note.caller,
            "caller_name": note.caller_name,
            "extension": note.extension,
            "at": note.at,
            "noted_at": datetime.now(UTC),
            "done": False,
        }
        async with self._session() as session, session.begin():
            result = await session.execute(
                _insert_for(session)(_MissedCallRow)
                .values(row)
                .on_conflict_do_nothing()
            )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def missed_call_group(
        self, user_id: str, pbx: str, caller: str, since: datetime
    ) -> list[MissedCallNote]:
        """Return the user's missed calls from ``caller`` since ``since``, oldest first."""
        return await self._notes(
            _MissedCallRow.user_id == user_id,
            _MissedCallRow.pbx == pbx,
            _MissedCallRow.caller == caller,
            _MissedCallRow.at >= since,
        )

    async def set_missed_call_message(
        self, notes: list[MissedCallNote], channel: str, ts: str
    ) -> None:
        """Remember which message tells about these missed calls."""
        async with self._session() as session, session.begin():
            for note in notes:
                await session.execute(
                    update(_MissedCallRow)
                    .where(
                        _MissedCallRow.pbx == note.pbx,
                        _MissedCallRow.call_id == note.call_id,
                        _MissedCallRow.user_id == note.user_id,
                    )
                    .values(channel=channel, ts=ts)
                )

    async def unsent_missed_calls(self, pbx: str) -> list[MissedCallNote]:
        """Return the missed calls recorded on ``pbx`` with no message known, oldest first.

        A worker that died between recording a call and sending its message leaves
        one; the next leader finishes it.
        """
        return await self._notes(_MissedCallRow.pbx == pbx, _MissedCallRow.ts.is_(None))

    async def missed_calls_of_message(
        self, channel: str, ts: str
    ) -> list[MissedCallNote]:
        """Return the missed calls one message tells about, oldest first."""
        return await self._notes(
            _MissedCallRow.channel == channel, _MissedCallRow.ts == ts
        )

    async def mark_missed_calls_done(self, channel: str, ts: str) -> int:
        """Mark the calls of one message done; return how many."""
        async with self._session() as session, session.begin():
            result = await session.execute(
                update(_MissedCallRow)
                .where(_MissedCallRow.channel == channel, _MissedCallRow.ts == ts)
                .values(done=True)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def recent_missed_calls(
        self, user_id: str, limit: int = 5
    ) -> list[MissedCallNote]:
        """Return the user's newest missed calls, newest first (the App Home)."""
        return await self._notes(
            _MissedCallRow.user_id == user_id, newest_first=True, limit=limit
        )

    async def _notes(
        self,
        *where: ColumnElement[bool],
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[MissedCallNote]:
        order = _MissedCallRow.at.desc() if newest_first else _MissedCallRow.at
        statement = select(_MissedCallRow).where(*where).order_by(order)
        if limit is not None:
            statement = statement.limit(limit)
        async with self._session() as session:
            return [_note(r) for r in await session.scalars(statement)]

    # -- leases --------------------------------------------------------------------------

    async def acquire_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; False when another holds it.

        A holder that dies stops renewing: its lease expires and the next worker
        to ask takes it over. Workers serialise on a lock named after the lease.
        """
        async with self._session() as session, session.begin():
            await _write_lock(await session.connection(), _lease_lock_id(name))
            now = datetime.now(UTC)
            row = await session.get(_LeaseRow, name)
            if row is not None and row.holder != holder and _utc(row.expires_at) > now:
                return False
            expires = now + timedelta(seconds=seconds)
            if row is None:
                session.add(_LeaseRow(name=name, holder=holder, expires_at=expires))
            else:
                row.holder, row.expires_at = holder, expires
        return True

    async def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean shutdown), if ``holder`` has it."""
        async with self._session() as session, session.begin():
            await session.execute(
                delete(_LeaseRow).where(
                    _LeaseRow.name == name, _LeaseRow.holder == holder
                )
            )

    # -- webhook deliveries (switchboard.core.commands.webhook_relay) -----------------

    async def publish_webhook_inbox(
        self, pbx: str, holder: str, token_hash: str
    ) -> None:
        """Make ``token_hash`` the one a delivery for ``pbx`` must match (the leader)."""
        row = {
            "pbx": pbx,
            "holder": holder,
            "token_hash": token_hash,
            "published_at": datetime.now(UTC),
        }
        async with self._session() as session, session.begin():
            await _upsert(
                session,
                _WebhookInboxRow,
                row,
                keys=[_WebhookInboxRow.pbx],
                updated=("holder", "token_hash", "published_at"),
            )

    async def withdraw_webhook_inbox(self, pbx: str, holder: str) -> None:
        """Stop accepting deliveries for ``pbx``, if ``holder`` published the inbox.

        Its unread deliveries go with it: nobody else can read them (a successor
        has another token, and its first reading heals what they announced).
        """
        async with self._session() as session, session.begin():
            row = await session.get(_WebhookInboxRow, pbx)
            if row is None or row.holder != holder:
                return
            await session.execute(
                delete(_WebhookDeliveryRow).where(
                    _WebhookDeliveryRow.pbx == pbx,
                    _WebhookDeliveryRow.token_hash == row.token_hash,
                )
            )
            await session.delete(row)

    async def webhook_token_hash(self, pbx: str) -> str | None:
        """The hash a delivery for ``pbx`` must match; ``None`` when nobody receives."""
        async with self._session() as session:
            row = await session.get(_WebhookInboxRow, pbx)
            return None if row is None else row.token_hash

    async def store_webhook_delivery(
        self, pbx: str, token_hash: str, fields: dict[str, str]
    ) -> int:
        """Keep one delivery for the leader; return its id."""
        row = _WebhookDeliveryRow(
            pbx=pbx,
            token_hash=token_hash,
            fields=json.dumps(fields, sort_keys=True),
            received_at=datetime.now(UTC),
        )
        async with self._session() as session, session.begin():
            session.add(row)
            await session.flush()
            return row.id

    async def pending_webhook_deliveries(
        self, pbx: str, token_hash: str
    ) -> list[WebhookDelivery]:
        """The deliveries for ``pbx`` under ``token_hash`` no inbox has read, oldest first."""
        async with self._session() as session:
            rows = await session.scalars(
                select(_WebhookDeliveryRow)
                .where(
                    _WebhookDeliveryRow.pbx == pbx,
                    _WebhookDeliveryRow.token_hash == token_hash,
                    _WebhookDeliveryRow.verdict.is_(None),
                )
                .order_by(_WebhookDeliveryRow.id)
            )
            return [WebhookDelivery(r.id, json.loads(r.fields)) for r in rows]

    async def set_webhook_verdicts(self, verdicts: dict[int, str]) -> None:
        """Write what the leader's inbox made of each delivery (id -> verdict)."""
        async with self._session() as session, session.begin():
            for delivery_id, verdict in verdicts.items():
                await session.execute(
                    update(_WebhookDeliveryRow)
                    .where(_WebhookDeliveryRow.id == delivery_id)
                    .values(verdict=verdict)
                )

    async def webhook_verdict(self, delivery_id: int) -> str | None:
        """What the leader made of a delivery; ``None`` while it has not read it."""
        async with self._session() as session:
            row = await session.get(_WebhookDeliveryRow, delivery_id)
            return None if row is None else row.verdict

    async def delete_webhook_deliveries(
        self, *, delivery_id: int | None = None, before: datetime | None = None
    ) -> int:
        """Remove one delivery (answered), or every one received before ``before``."""
        if delivery_id is None and before is None:
            return 0
        statement = delete(_WebhookDeliveryRow)
        if delivery_id is not None:
            statement = statement.where(_WebhookDeliveryRow.id == delivery_id)
        if before is not None:
            statement = statement.where(_WebhookDeliveryRow.received_at < before)
        async with self._session() as session, session.begin():
            result = await session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def webhook_delivery_count(self, pbx: str | None = None) -> int:
        """How many deliveries are stored (all PBXs unless ``pbx``); for checks and tests."""
        statement = select(func.count()).select_from(_WebhookDeliveryRow)
        if pbx is not None:
            statement = statement.where(_WebhookDeliveryRow.pbx == pbx)
        async with self._session() as session:
            return int(await session.scalar(statement) or 0)
