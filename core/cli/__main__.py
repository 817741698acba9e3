"""``python -m core.cli`` runs the ``switchboard`` command."""

import sys

from core.cli.main import main

sys.exit(main())
