"""The ``switchboard`` command-line interface."""
