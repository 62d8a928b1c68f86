"""`python -m core.fleet --task-queue Q`: a standalone worker serving one task queue."""

import sys

from core.fleet.standalone import main

sys.exit(main())
