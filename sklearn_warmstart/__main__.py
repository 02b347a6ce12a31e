"""``python -m sklearn_warmstart``: the ``sklearn-warmstart`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
