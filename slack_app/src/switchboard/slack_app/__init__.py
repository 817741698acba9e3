"""The Slack front-end of Switchboard: ``/pbx``, buttons, App Home, a message shortcut.

Layout (one handler per file, routing in each ``listeners/<kind>/__init__.py``)::

    app.py              fail fast on settings, build the Bolt AsyncApp once, run it
    settings.py         tokens and mode from [slack] and the environment
    context.py          the command service + Slack helpers, injected per request;
                        background work after ack() (tracked, drained on shutdown)
    directory.py        cached users.info e-mails and admin user-group members
    policy.py           the core policy plus the admin user group
    home.py             publish a user's App Home
    answers.py          respond / response_url / DM without raising
    errors.py           plain-words answers for anything that failed
    phone_numbers.py    numbers in a message (phonenumbers.PhoneNumberMatcher)
    http_server.py      HTTP mode (aiohttp, /slack/events, /healthz)
    socket_mode.py      Socket Mode (AsyncSocketModeHandler)
    manifest.py/.yaml   the Slack app manifest
    listeners/          commands, actions, events, shortcuts, views (+ *_builder.py)
"""
