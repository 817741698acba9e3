"""Constants of the Switchboard integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "switchboard"

# Config entry data: the vendor's plugin name plus that vendor's settings fields.
CONF_VENDOR: Final = "vendor"
# Options.
CONF_EXTENSIONS: Final = "extensions"
CONF_ALLOW_INTERNATIONAL: Final = "allow_international"

# A hosted PBX is a cloud service: every 30 s keeps DND and on-call states fresh
# without hammering a vendor that counts requests (Telphin slows this down further,
# see polling.py). Not a user option (Home Assistant's rule for polling integrations):
# an automation that needs fresh data now calls homeassistant.update_entity.
# Entries saved by 0.2.0 may still hold a "scan_interval" option; it is ignored.
DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=30)
# The slowest the quota-aware pacing goes.
MAX_SCAN_INTERVAL: Final = timedelta(hours=1)

# The dial action places at most this many calls per PBX account and minute. A person
# clicks "call" a few times a minute at most, and an automation that rings a few
# numbers (an alarm, a doorbell) stays below it; a looping automation is stopped after
# five calls instead of running up a phone bill. Slack and the CLI default to the same
# number per user (policy.dial_limit_per_minute).
DIAL_LIMIT_PER_MINUTE: Final = 5

# Settings fields the config flow never asks for: Home Assistant's coordinator polls
# again anyway, so the transport must not retry on top of it (style rule 9).
HIDDEN_SETTINGS: Final = frozenset({"max_retries"})
HA_MAX_RETRIES: Final = 0

EVENT_CALL_STARTED: Final = "switchboard_call_started"
EVENT_CALL_ANSWERED: Final = "switchboard_call_answered"
EVENT_CALL_ENDED: Final = "switchboard_call_ended"
EVENT_CALL_MISSED: Final = "switchboard_call_missed"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_EXTENSION: Final = "extension"
ATTR_DESTINATION: Final = "destination"
ATTR_ACTION: Final = "action"
ATTR_ENABLED: Final = "enabled"
ATTR_DURATION: Final = "duration"
ATTR_NUMBER: Final = "number"
ATTR_CONDITION: Final = "condition"
ATTR_RING_TIME: Final = "ring_time"

SERVICE_DIAL: Final = "dial"
SERVICE_RECORD: Final = "record"
SERVICE_SET_DND: Final = "set_dnd"
SERVICE_FORWARD: Final = "forward"
