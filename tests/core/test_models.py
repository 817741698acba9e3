"""AccountInfo: recognising the same PBX account reached at another address."""

from __future__ import annotations

import pytest

from switchboard.core.models import AccountInfo


@pytest.mark.parametrize(
    ("old_id", "old_address", "same"),
    [
        ("pbx.example.com#3", "pbx.example.com", True),  # moved to a new host name
        ("pbx.example.com#4", "pbx.example.com", False),  # another tenant
        ("other.example.com#3", "pbx.example.com", False),  # id not of that address
        ("pbx.example.com#3x", "pbx.example.com", False),
    ],
)
def test_address_bound_id_moves_only_its_address(
    old_id: str, old_address: str, *, same: bool
) -> None:
    info = AccountInfo(
        vendor="pbxware",
        unique_id="cloud.example.net#3",
        name="x",
        address="cloud.example.net",
    )
    assert info.moved_from(old_id, old_address) is same


def test_address_free_id_must_match_exactly() -> None:
    info = AccountInfo(vendor="telecomx", unique_id="5f1a", name="x")
    assert info.moved_from("5f1a", "api.example.com")
    assert not info.moved_from("5f1b", "api.example.com")
