"""The Slack front-end of Switchboard."""
