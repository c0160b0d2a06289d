"""``python -m lstmlab fit FILE ...``: see ``lstmlab.cli``."""

import sys

from lstmlab.cli import main

sys.exit(main())
