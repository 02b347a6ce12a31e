"""The ``sklearn-warmstart`` command (also ``python -m sklearn_warmstart``).

``sklearn-warmstart study`` compares initialisation policies on a built-in
scenario with a built-in model, prints the verdicts and the summary, and
writes a self-contained HTML report (or Markdown, for a ``.md`` path; a
directory gets ``warmstart-report.html`` inside it). Invalid options, an
unknown report suffix and a report folder that is missing or not writable exit
with status 2 before anything is trained. With the default policy list,
policies the model's family cannot run are skipped (one line each on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main", "models"]

DEFAULT_SCENARIO = "sea_abrupt"
DEFAULT_MODEL = "mlp"
DEFAULT_POLICIES = ("cold", "warm", "shrink_perturb", "drift_reset")
DEFAULT_N_SAMPLES = 4000
DEFAULT_RUNS = 8
DEFAULT_REPORT = "warmstart-report.html"
#: The terminal's summary tables wrap at this width.
WIDTH = 100


class UsageError(ValueError):
    """An invalid command-line option (exit status 2)."""


def _mlp(task: str) -> Any:
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    options = dict(
        hidden_layer_sizes=(16,),
        learning_rate_init=0.01,
        max_iter=100,
        tol=1e-3,
        n_iter_no_change=5,
    )
    model = (
        MLPClassifier(**options)
        if task == "classification"
        else MLPRegressor(**options)
    )
    return make_pipeline(StandardScaler(), model)


def _sgd(task: str) -> Any:
    from sklearn.linear_model import SGDClassifier, SGDRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "classification":
        return make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss"))
    return make_pipeline(StandardScaler(), SGDRegressor())


def _logreg(task: str) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task != "classification":
        raise UsageError(
            "model 'logreg' is a classifier; this scenario is a regression task. "
            "Use --model mlp or --model sgd."
        )
    return make_pipeline(StandardScaler(), LogisticRegression())


def _forest(task: str) -> Any:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    options = dict(n_estimators=20, max_depth=8)
    if task == "classification":
        return RandomForestClassifier(**options)
    return RandomForestRegressor(**options)


def _lightgbm(task: str) -> Any:
    try:
        import lightgbm
    except ImportError as error:
        raise UsageError(
            f"model 'lightgbm' needs LightGBM ({error}); install it with: "
            'pip install "sklearn-warmstart[gbdt]"'
        ) from None
    options = dict(n_estimators=100, n_jobs=1, verbose=-1)
    if task == "classification":
        return lightgbm.LGBMClassifier(**options)
    return lightgbm.LGBMRegressor(**options)


def models() -> dict[str, tuple[str, Callable[[str], Any]]]:
    """Built-in models: ``name -> (description, factory(task))``.

    Examples
    --------
    >>> from sklearn_warmstart.cli import models
    >>> sorted(models())
    ['forest', 'lightgbm', 'logreg', 'mlp', 'sgd']
    """
    return {
        "mlp": (
            "StandardScaler + MLP (16 hidden units, Adam lr 0.01, <= 100 epochs)",
            _mlp,
        ),
        "sgd": ("StandardScaler + SGD (log loss / squared error)", _sgd),
        "logreg": ("StandardScaler + LogisticRegression (lbfgs)", _logreg),
        "forest": (
            "RandomForest, 20 trees of depth <= 8 (warm = grow more trees; "
            "supports cold and warm only)",
            _forest,
        ),
        "lightgbm": (
            "LightGBM, 100 rounds (warm = 10 more rounds; supports cold, warm, "
            "refresh and partial reset; needs the gbdt extra)",
            _lightgbm,
        ),
    }


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def _n_jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("n-jobs must not be 0 (use 1, 2, ... or -1)")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (``study`` subcommand)."""
    parser = _Parser(
        prog="sklearn-warmstart",
        description="Measure when warm-starting repeated training runs helps, is "
        "neutral, or hurts.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    study = commands.add_parser(
        "study",
        help="compare policies on a built-in scenario and write a report",
        description="Compare initialisation policies by time-ordered "
        "cross-validation of a retraining schedule; print the verdicts and "
        "write a report.",
    )
    study.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        help=f"built-in scenario (default: {DEFAULT_SCENARIO}; see --list)",
    )
    study.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"built-in model (default: {DEFAULT_MODEL}; see --list)",
    )
    study.add_argument(
        "--policies",
        default=None,
        help="comma-separated built-in policies (default: "
        f"{','.join(DEFAULT_POLICIES)})",
    )
    study.add_argument(
        "--baseline", default="cold", help="policy the others are compared with"
    )
    study.add_argument(
        "--seeds", type=_positive_int, default=3, help="number of seeds (default: 3)"
    )
    study.add_argument(
        "--runs",
        type=_positive_int,
        default=DEFAULT_RUNS,
        help=f"runs of the retraining schedule (default: {DEFAULT_RUNS})",
    )
    study.add_argument(
        "--folds",
        type=_positive_int,
        default=3,
        help="time-ordered CV folds (default: 3)",
    )
    study.add_argument(
        "--n-samples",
        type=_positive_int,
        default=None,
        help=f"rows of the scenario, from its start (default: {DEFAULT_N_SAMPLES}, "
        "or all rows of a smaller real data set)",
    )
    study.add_argument(
        "--window",
        choices=("expanding", "sliding"),
        default="expanding",
        help="train each run on all data so far or on the last slice",
    )
    study.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=1,
        help="parallel fits through joblib (default: 1; -1 = all cores)",
    )
    study.add_argument(
        "--test",
        choices=("wilcoxon", "ttest"),
        default="wilcoxon",
        help="paired test of the verdicts (default: wilcoxon; ttest gives a "
        "verdict from fewer seeds x folds)",
    )
    study.add_argument(
        "--out",
        default=DEFAULT_REPORT,
        help="report file (.html/.htm, or .md for Markdown) or an existing "
        f"directory to write {DEFAULT_REPORT} in (default: {DEFAULT_REPORT})",
    )
    study.add_argument(
        "--list",
        action="store_true",
        help="list the scenarios, models and policies, then exit",
    )
    study.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _listing() -> str:
    from .datasets import list_scenarios
    from .study import builtin_policies

    lines = ["Scenarios (--scenario):"]
    lines += [f"  {name:<16} {text}" for name, text in list_scenarios().items()]
    lines.append("Models (--model):")
    lines += [f"  {name:<16} {text}" for name, (text, _) in models().items()]
    lines.append("Policies (--policies):")
    for name, (start, reset) in builtin_policies().items():
        text = start.describe() + (
            "" if reset is None else f" + reset on {type(reset).__name__}"
        )
        lines.append(f"  {name:<16} {text}")
    return "\n".join(lines)


def _report_path(out: str) -> Path:
    """Where the report goes; refuses, before training, what cannot be written."""
    from .report import report_format

    path = Path(out)
    if path.is_dir():
        path = path / DEFAULT_REPORT
    try:
        report_format(path)
    except ValueError as error:
        raise UsageError(f"--out: {error}") from None
    parent = path.parent.resolve()
    if not parent.is_dir():
        raise UsageError(f"--out: the folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out: the folder {str(parent)!r} is not writable")
    if path.is_dir() or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--out: {str(path)!r} cannot be written")
    return path


def _default_policies(estimator: Any) -> list[str]:
    """The default policies the model can run; one stderr line per skipped one."""
    from .study import unsupported_policies

    problems = unsupported_policies(estimator, list(DEFAULT_POLICIES))
    for name, reason in problems.items():
        print(
            f"sklearn-warmstart: skipping default policy {name!r}: {reason}",
            file=sys.stderr,
        )
    return [name for name in DEFAULT_POLICIES if name not in problems]


def _prepare(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Validate the options; return the scenario, the plan and the policy names."""
    from .datasets import list_scenarios, load_scenario
    from .schedules import Retrain
    from .study import StudyConfig

    args.out = _report_path(args.out)
    if args.scenario not in list_scenarios():
        raise UsageError(
            f"unknown scenario {args.scenario!r}; available: "
            f"{', '.join(list_scenarios())} (see --list)"
        )
    if args.model not in models():
        raise UsageError(
            f"unknown model {args.model!r}; available: {', '.join(models())} "
            "(see --list)"
        )
    if args.policies is not None:
        names = [p.strip() for p in args.policies.split(",") if p.strip()]
        if len(names) < 2:
            raise UsageError("--policies needs at least two policies, comma-separated")
    n_samples = DEFAULT_N_SAMPLES if args.n_samples is None else args.n_samples
    if n_samples < 2:
        raise UsageError("--n-samples must be at least 2")
    scenario = load_scenario(args.scenario, n_samples=n_samples, seed=0)
    estimator = models()[args.model][1](scenario.task)
    if args.policies is None:
        names = _default_policies(estimator)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            config = StudyConfig(
                names,
                schedule=Retrain(args.runs, window=args.window),
                seeds=args.seeds,
                cv=args.folds,
                baseline=args.baseline,
                test=args.test,
                n_jobs=args.n_jobs,
                drift_positions=scenario.drift_positions,
                progress=not args.quiet,
            )
            plan = config.plan(estimator, scenario.X, scenario.y)
    except (TypeError, ValueError) as error:
        raise UsageError(str(error)) from None
    for warning in caught:
        print(f"sklearn-warmstart: warning: {warning.message}", file=sys.stderr)
    return scenario, plan, names


def _study(args: argparse.Namespace) -> int:
    from sklearn.exceptions import ConvergenceWarning

    from .report import summary_table, verdict_table

    if args.list:
        print(_listing())
        return 0
    scenario, plan, names = _prepare(args)
    _say(
        f"Study: {args.model} on {scenario.name} ({scenario.n_samples} rows, drift at "
        f"{list(scenario.drift_positions) or 'none'}); policies {', '.join(names)}; "
        f"baseline {args.baseline}"
    )
    print(
        f"{len(names)} policies x {args.seeds} seeds x {args.folds} folds = "
        f"{plan.n_fits} fits of {args.runs} runs each",
        flush=True,
    )
    tic = time.perf_counter()
    with warnings.catch_warnings():
        # Early-stopped runs are part of what is measured; don't flood the terminal.
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = plan.run()
    elapsed = time.perf_counter() - tic
    print("\nVerdicts vs baseline (paired test over seeds x folds):")
    print(verdict_table(result).round(4).to_string(line_width=WIDTH))
    _say(f"\nSummary (means over seeds x folds; compute in {_unit(result)}):")
    print(summary_table(result).to_string(line_width=WIDTH))
    for text in result.config.get("warnings", ()):
        _say(f"\nWarning: {text}")
    path = result.report(args.out)
    print(f"\nReport: {path}  ({elapsed:.1f} s)")
    return 0


def _say(text: str) -> None:
    """Print prose wrapped to the terminal summary's width."""
    lead = "\n" if text.startswith("\n") else ""
    print(lead + textwrap.fill(text.strip("\n"), WIDTH), flush=True)


def _unit(result: Any) -> str:
    if result.config.get("compute") == "fit_time":
        return "seconds of fit time"
    return "n_iter, the model's reported iterations"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    status : int
        0 on success, 2 for invalid options.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        return _study(args)
    except UsageError as error:
        print(f"sklearn-warmstart: error: {error}", file=sys.stderr)
        return 2
