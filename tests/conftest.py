"""Shared by the main suite (the Home Assistant harness has its own root).

Logging is set up as the applications set it up: the CLI and the Slack app install
the redacting filter on httpx's and httpcore's loggers at start (a library does not,
see ``switchboard.core.transport``). Installed once here, so no test passes or fails
by the order in which an earlier test happened to start the CLI.
"""

from __future__ import annotations

import pytest

from switchboard.core.redaction import install_log_filter


@pytest.fixture(autouse=True, scope="session")
def _logging_as_the_apps_set_it_up() -> None:
    install_log_filter()
