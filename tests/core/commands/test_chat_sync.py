"""What chat state does to the PBX (``sync dnd``/``sync presence``): the decision alone."""

from __future__ import annotations

from switchboard.core.commands.chat_sync import LEFT_ALONE, plan


def test_the_chat_state_starts_and_ends() -> None:
    saved, value, note = plan(None, "off", "on", "office")
    assert (value, note) == ("on", None)
    assert saved == {"pbx": "office", "before": "off", "set": "on"}
    assert plan(saved, "on", None, "office") == (None, "off", None)


def test_nothing_to_switch_when_the_pbx_already_shows_it() -> None:
    saved, value, _ = plan(None, "on", "on", "office")
    assert value is None
    assert saved is not None
    assert plan(saved, "on", None, "office") == (None, None, None)  # it was on before


def test_a_change_on_the_pbx_in_between_wins() -> None:
    saved, _, _ = plan(None, "on", "on", "office")  # DND was already on
    assert saved is not None
    # By hand: off. Going back would mean "on"; the hand wins.
    assert plan(saved, "off", None, "office") == (None, None, LEFT_ALONE)
    # And a new chat state meanwhile does not override it either.
    assert plan(saved, "off", "on", "office") == (saved, None, LEFT_ALONE)


def test_a_new_status_while_one_lasts_keeps_what_was_before() -> None:
    saved, _, _ = plan(None, "work", "holiday", "office")
    assert saved is not None
    saved, value, _ = plan(saved, "holiday", "busy", "office")
    assert value == "busy"
    assert saved == {"pbx": "office", "before": "work", "set": "busy"}
    assert plan(saved, "busy", None, "office") == (None, "work", None)


def test_nothing_saved_nothing_to_undo() -> None:
    assert plan(None, "off", None, "office") == (None, None, None)
