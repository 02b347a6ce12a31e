"""Every script in examples/ runs end to end (small sizes)."""

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))
SMALL = {
    "quickstart.py": ["--n-samples", "1200", "--runs", "3"],
    "compare_policies.py": ["--n-samples", "900", "--seeds", "2", "--runs", "3"],
}


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, monkeypatch, capsys):
    """The example finishes and prints its result."""
    monkeypatch.setattr(sys, "argv", [str(script), *SMALL.get(script.name, [])])
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()
