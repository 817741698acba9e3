"""The kill test of test_kill.py again, with the state on a real PostgreSQL server.

Set SWITCHBOARD_TEST_POSTGRES_URL (``script/postgres`` prints one; ``script/test``
does both); each run gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.core.cli.test_kill import (  # noqa: F401 - collected again, on PostgreSQL
    test_every_pbx_write_has_an_audit_row,
)
from tests.core.commands.test_state_postgres import (  # noqa: F401 - the fresh database
    pytestmark,
    state_db,
)

if TYPE_CHECKING:
    from tests.core.commands.test_state_postgres import PostgresDb


@pytest.fixture
def state_url(state_db: PostgresDb) -> str:  # noqa: F811 - uses the imported fixture
    """The fresh PostgreSQL database instead of the configured SQLite file."""
    return state_db.url
