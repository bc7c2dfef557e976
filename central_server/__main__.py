"""``python -m central_server``: the same as ``desk-app server``."""

import sys

from .cli import main

sys.exit(main())
