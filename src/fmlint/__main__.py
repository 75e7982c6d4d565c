"""Allow ``python -m fmlint``."""

import sys

from fmlint.cli import main

if __name__ == "__main__":
    sys.exit(main())
