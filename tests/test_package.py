"""Package-level promises: light imports and a public surface."""

import subprocess
import sys

import sklearn_warmstart


def test_import_does_not_load_heavy_optional_packages():
    """Importing the package loads neither torch, skorch, matplotlib nor river."""
    code = (
        "import sys, sklearn_warmstart; "
        "print(sorted(m for m in ('torch', 'skorch', 'matplotlib', 'river') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_public_names_are_importable():
    """Everything in __all__ exists."""
    for name in sklearn_warmstart.__all__:
        assert hasattr(sklearn_warmstart, name), name
