"""The ``switchboard`` command-line interface (needs the ``chatops`` extra)."""
