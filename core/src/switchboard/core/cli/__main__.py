"""``python -m switchboard.core.cli`` runs the ``switchboard`` command."""

import sys

from switchboard.core.cli.launcher import main

sys.exit(main())
