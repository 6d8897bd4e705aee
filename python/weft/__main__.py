"""python -m weft: the weft command line (weft/cli.py)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
