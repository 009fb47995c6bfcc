"""``python -m hub.cli``: the ``turnero`` command without its script."""

import sys

from hub.cli import main

sys.exit(main())
