import sys

from arkit.cli import main

sys.exit(main())
