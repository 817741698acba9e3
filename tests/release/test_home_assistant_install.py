"""A real Home Assistant installs the integration the way a user's does.

Not the test harness: a ``hass`` process in a venv that has Home Assistant and no
Switchboard. The freshly built distributions are served by a package index on
loopback (pypiserver), which Home Assistant's installer (uv) is pointed at through
the environment, as an operator with a private index would. The integration is
copied into ``custom_components/`` from the HACS zip. Then, only through Home
Assistant's REST API: onboard, add a Switchboard entry against a PBXware emulator
on loopback (Home Assistant installs the requirement itself), read the DND switch
and switch it from Home Assistant.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from switchboard.core.emulator import serve
from switchboard.core.registry import get_vendor

from .conftest import CACHE, UV, VERSION, run

if TYPE_CHECKING:
    from collections.abc import Iterator

HA_VERSION = version("homeassistant")  # the one the test harness pins
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
HASS_VENV = CACHE / f"hass-{HA_VERSION}-py{PY}"
CLIENT_ID = "http://127.0.0.1/"
OUR_DISTRIBUTIONS = (
    "switchboard-pbx",
    "switchboard-pbx-core",
    "switchboard-pbx-plugins",
)
INSTALLED_FROM = """
import json, sys, importlib.metadata as m, switchboard.core
dist = m.distribution("switchboard-pbx-core")
print(json.dumps({
    "version": m.version("switchboard-pbx"),
    "core": sys.prefix if switchboard.core.__file__.startswith(sys.prefix) else switchboard.core.__file__,
    "editable": dist.read_text("direct_url.json") is not None,
}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(
    url: str, process: subprocess.Popen[bytes], log: Path, seconds: float
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"{process.args} exited {process.returncode}:\n{log.read_text()[-6000:]}"
            )
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer in {seconds} s:\n{log.read_text()[-6000:]}")


@pytest.fixture(scope="session")
def hass_venv() -> Path:
    """A venv with Home Assistant (its own constraints) and, checked, no Switchboard.

    Kept in the cache between runs; Home Assistant installs Switchboard into it
    during the test, so it is uninstalled again first.
    """
    python = HASS_VENV / "bin/python"
    stamp = HASS_VENV / ".switchboard-hass-ready"
    if not stamp.exists():
        constraints = Path(sys.prefix).glob(
            "lib/python*/site-packages/homeassistant/package_constraints.txt"
        )
        run(UV, "venv", "-q", "--python", sys._base_executable, HASS_VENV)
        run(
            UV,
            "pip",
            "install",
            "-q",
            "--python",
            python,
            f"homeassistant=={HA_VERSION}",
            "-c",
            next(constraints),
        )
        stamp.touch()
    installed = run(UV, "pip", "list", "--python", python, "--format", "json")
    present = [
        p["name"] for p in json.loads(installed) if p["name"] in OUR_DISTRIBUTIONS
    ]
    if present:
        run(UV, "pip", "uninstall", "-q", "--python", python, *present)
    probe = subprocess.run(
        [python, "-c", "import switchboard"], capture_output=True, check=False
    )
    assert probe.returncode != 0, (
        "the Home Assistant venv must start without Switchboard"
    )
    return HASS_VENV


@pytest.fixture
def package_index(dist_dir: Path, tmp_path: Path) -> Iterator[str]:
    """pypiserver on loopback serving the built wheels and sdists, nothing else."""
    packages = tmp_path / "packages"
    packages.mkdir()
    for file in [*dist_dir.glob("*.whl"), *dist_dir.glob("*.tar.gz")]:
        (packages / file.name).write_bytes(file.read_bytes())
    port = _free_port()
    log = tmp_path / "pypiserver.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pypiserver",
                "run",
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "--disable-fallback",
                "-a",
                ".",
                "-P",
                ".",
                str(packages),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/simple/", process, log, 30)
        yield f"http://127.0.0.1:{port}/simple/"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def hass(
    hass_venv: Path, package_index: str, dist_dir: Path, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    """A running ``hass`` (URL, log file): the HACS zip installed, our index in its environment."""
    config = tmp_path / "config"
    integration = config / "custom_components/switchboard"
    integration.mkdir(parents=True)
    with zipfile.ZipFile(dist_dir / "switchboard.zip") as archive:
        archive.extractall(integration)
    port = _free_port()
    (config / "configuration.yaml").write_text(
        "homeassistant:\n  name: Switchboard install test\n  time_zone: UTC\n"
        f"http:\n  server_host: 127.0.0.1\n  server_port: {port}\n"
        "api:\nconfig:\nonboarding:\n",
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "PIP_", "VIRTUAL_ENV"))
    }
    # The operator's way to offer a private index to Home Assistant's installer (uv):
    # searched before PyPI, which still serves everything else.
    env["UV_EXTRA_INDEX_URL"] = package_index
    log = tmp_path / "hass.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [hass_venv / "bin/hass", "-c", config, "--log-no-color"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/onboarding", process, log, 300)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        print(log.read_text()[-4000:])  # noqa: T201 - shown when the test fails


async def _onboard(client: httpx.AsyncClient) -> None:
    """Create the owner through onboarding and use their token from then on."""
    response = await client.post(
        "/api/onboarding/users",
        json={
            "client_id": CLIENT_ID,
            "name": "Owner",
            "username": "owner",
            "password": "correct-horse-battery",
            "language": "en",
        },
    )
    assert response.status_code == 200, response.text
    token = await client.post(
        "/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": response.json()["auth_code"],
            "client_id": CLIENT_ID,
        },
    )
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"


async def _states(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/states")
    assert response.status_code == 200, response.text
    return {state["entity_id"]: state for state in response.json()}


async def _wait_for_state(
    client: httpx.AsyncClient, entity_id: str, wanted: str
) -> None:
    for _ in range(60):
        if (await _states(client))[entity_id]["state"] == wanted:
            return
        await asyncio.sleep(0.5)
    pytest.fail(f"{entity_id} never became {wanted}")


async def test_home_assistant_installs_switchboard_and_runs_an_entry(
    hass: tuple[str, Path],
) -> None:
    url, log = hass
    plugin = get_vendor("pbxware")
    emulator = plugin.emulator_factory()
    async with (
        serve(emulator) as pbx_url,
        httpx.AsyncClient(base_url=url, timeout=600) as client,
    ):
        await _onboard(client)

        # "Add integration -> Switchboard": Home Assistant installs the requirement now.
        flow = await client.post(
            "/api/config/config_entries/flow", json={"handler": "switchboard"}
        )
        assert flow.status_code == 200, flow.text
        assert flow.json()["step_id"] == "user", flow.json()
        flow_id = flow.json()["flow_id"]
        step = await client.post(
            f"/api/config/config_entries/flow/{flow_id}", json={"vendor": "pbxware"}
        )
        assert step.json()["step_id"] == "connection", step.json()
        settings = plugin.demo_settings(pbx_url)
        done = await client.post(
            f"/api/config/config_entries/flow/{flow_id}",
            json={"url": pbx_url, "api_key": settings.secret_values()[0]},
        )
        assert done.json()["type"] == "create_entry", done.json()

        # Home Assistant installed the release itself, from the built files.
        where = run(HASS_VENV / "bin/python", "-c", INSTALLED_FROM, cwd=HASS_VENV)
        assert json.loads(where) == {
            "version": VERSION,
            "core": str(HASS_VENV),
            "editable": False,
        }
        states = await _states(client)
        dnd = sorted(
            e for e in states if e.startswith("switch.") and "do_not_disturb" in e
        )
        assert dnd, sorted(states)
        entity_id = dnd[0]
        before = states[entity_id]["state"]
        assert before in {"on", "off"}, states[entity_id]
        service = "turn_off" if before == "on" else "turn_on"
        response = await client.post(
            f"/api/services/switch/{service}", json={"entity_id": entity_id}
        )
        assert response.status_code == 200, response.text
        await _wait_for_state(client, entity_id, "off" if before == "on" else "on")

    # What a user's log shows: no blocking call in the event loop, no error.
    problems = [
        line
        for line in log.read_text().splitlines()
        if "ERROR" in line or "Detected blocking call" in line or "Traceback" in line
    ]
    assert not problems, "\n".join(problems[:20])
