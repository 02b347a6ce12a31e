"""Collection rules for the whole checkout (doctests included)."""

import importlib.util

collect_ignore = []
if (
    importlib.util.find_spec("torch") is None
    or importlib.util.find_spec("skorch") is None
):
    # These modules import torch; their doctests run wherever the extra is installed.
    collect_ignore += [
        "sklearn_warmstart/adapters/skorch.py",
        "sklearn_warmstart/torch_data.py",
    ]
