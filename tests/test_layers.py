"""The package's import structure: no cycles, privates only through compat, layers in order.

An AST walk over ``sklearn_warmstart/`` reads every ``import`` and
``from ... import`` (module level, inside functions and classes alike;
relative and absolute). Imports under ``if TYPE_CHECKING:`` never run and are
left out. Importing ``a.b`` counts as an import of ``a.b`` only, not of the
package ``a`` (every module would otherwise depend on the package root).

The layer order is DESIGN.md's: ``LAYERS`` maps each module (or sub-package)
to its layer; a new module must be added there, or the test says so.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import sklearn_warmstart

PACKAGE = "sklearn_warmstart"
ROOT = Path(sklearn_warmstart.__file__).resolve().parent

#: The one import allowed against the layer order (and inside a cycle):
#: ``StudyResult.plot`` / ``StudyResult.report`` call the report module, which
#: renders a ``StudyResult``. (importer package, function, imported module)
ALLOWED = {
    ("study", "StudyResult.plot", "report"),
    ("study", "StudyResult.report", "report"),
}

#: Only these modules may import private names of sklearn or river.
COMPAT = {
    "sklearn": "_compat",
    "river": "_river_compat",
}

#: DESIGN.md's layers: module (or sub-package, covering its modules) -> (layer,
#: rank). A module may import modules of a lower layer, or of the same layer
#: and a lower or equal rank (the cycle test keeps those acyclic). The most
#: specific dotted name wins, so ``"checkpoints.codec": (3, 1)`` may refine
#: ``"checkpoints": (3, 0)``.
LAYERS: dict[str, tuple[int, int]] = {
    # L0 leaves
    "exceptions": (0, 0),
    "records": (0, 0),
    "history": (0, 0),  # re-exports records
    "_validation": (0, 0),
    "_compat": (0, 0),
    "_river_compat": (0, 0),
    "_serial": (0, 0),
    "_tensors": (0, 0),
    "_seeds": (0, 0),
    "_buffer": (0, 0),
    "_optional": (0, 0),
    "serving": (0, 0),
    # L1 decide
    "policies": (1, 0),
    "drift": (1, 0),
    "challenger": (1, 0),
    "schedules": (1, 0),
    # L2 act
    "adapters": (2, 0),
    "torch_data": (2, 0),  # skorch's device data path, used by adapters.skorch
    # L3 store
    "checkpoints": (3, 0),
    # L4 orchestrate
    "_runloop": (4, 0),
    "_portfolio": (4, 0),
    "estimators": (4, 0),
    "search": (4, 0),
    # L5 use
    "prequential": (5, 0),
    "datasets": (5, 0),
    # L6 top: study -> report -> cli
    "study": (6, 0),
    "report": (6, 1),
    "cli": (6, 2),
    # the public facade
    "": (7, 0),  # sklearn_warmstart/__init__.py
    "__main__": (7, 0),
}


@dataclass(frozen=True)
class Import:
    """One import statement's view of one imported module."""

    module: str  # importing module, relative to the package ("" for the root)
    path: str  # file and line, for messages
    function: str | None  # qualified name of the enclosing function, if any
    target: str  # imported module, dotted and absolute
    names: tuple[str, ...]  # names taken from it (``from x import a, b``)


def _modules(root: Path) -> dict[str, Path]:
    """Package-relative dotted module name -> file, ``""`` for the root package."""
    out = {}
    for file in sorted(root.rglob("*.py")):
        parts = list(file.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = file
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(name: str) -> str:
    return PACKAGE if not name else f"{PACKAGE}.{name}"


def _local(target: str, modules: dict[str, Path]) -> str | None:
    """The package-relative name of the deepest package module ``target`` names."""
    if target != PACKAGE and not target.startswith(PACKAGE + "."):
        return None
    parts = target.split(".")[1:]
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)


def _imports(root: Path) -> list[Import]:
    modules = _modules(root)
    found: list[Import] = []
    for name, file in modules.items():
        found += _file_imports(root, modules, name, file)
    return found


def _file_imports(
    root: Path, modules: dict[str, Path], name: str, file: Path
) -> list[Import]:
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    where = file.relative_to(root.parent).as_posix()
    found: list[Import] = []

    def visit(node: ast.AST, scope: tuple[str, ...], function: str | None) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child, scope, function)
            return
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            scope = (*scope, node.name)
            if not isinstance(node, ast.ClassDef):
                function = ".".join(scope)
        path = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(name, path, function, alias.name, ()))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)]
                target = _absolute(".".join([*base, *filter(None, [node.module])]))
            else:
                target = node.module or ""
            names = tuple(alias.name for alias in node.names)
            local = _local(target, modules)
            if local is None:
                found.append(Import(name, path, function, target, names))
            else:
                # ``from . import drift`` imports the module drift.
                for alias in names:
                    sub = f"{local}.{alias}" if local else alias
                    to = _absolute(sub if sub in modules else local)
                    found.append(Import(name, path, function, to, (alias,)))
        for child in ast.iter_child_nodes(node):
            visit(child, scope, function)

    visit(tree, (), None)
    return found


def _edges(root: Path) -> list[tuple[str, str, Import]]:
    """(importer, imported, import) for every import between package modules."""
    modules = _modules(root)
    out, seen = [], set()
    for imp in _imports(root):
        target = _local(imp.target, modules)
        if target is None or target == imp.module or _allowed(imp, target):
            continue
        if target == "" and all(_is_dunder(n) for n in imp.names):
            continue  # ``from . import __version__``: package metadata
        if (imp.path, target) not in seen:
            seen.add((imp.path, target))
            out.append((imp.module, target, imp))
    return out


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _allowed(imp: Import, target: str) -> bool:
    top = imp.module.split(".")[0]
    return (top, imp.function, target) in ALLOWED


def _cycles(root: Path) -> list[tuple[list[str], list[Import]]]:
    """Per tangle of mutually importing modules (Tarjan's strongly connected
    components): its modules and one loop through them, as imports."""
    graph: dict[str, dict[str, Import]] = {}
    for source, target, imp in _edges(root):
        graph.setdefault(source, {}).setdefault(target, imp)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def strongconnect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, {}):
            if succ not in index:
                strongconnect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    cycles = []
    for component in components:
        members = set(component)
        # One concrete loop through the component, as a path of imports.
        path, seen, node = [], [], component[0]
        while node not in seen:
            seen.append(node)
            succ = min(s for s in graph[node] if s in members)
            path.append(graph[node][succ])
            node = succ
        cycles.append((component, path[seen.index(node) :]))
    return cycles


def _describe(imports: list[Import]) -> str:
    return "\n".join(
        f"  {_absolute(i.module)} -> {i.target}  ({i.path}"
        + (f", in {i.function}()" if i.function else "")
        + ")"
        for i in imports
    )


def _private_imports(root: Path) -> list[Import]:
    """Imports of a private name of sklearn or river outside their compat module."""
    bad = []
    for imp in _imports(root):
        top = imp.target.split(".")[0]
        if top not in COMPAT or imp.module == COMPAT[top]:
            continue
        parts = [*imp.target.split("."), *imp.names]
        if any(p.startswith("_") and not _is_dunder(p) for p in parts):
            bad.append(imp)
    return bad


def _layer(module: str) -> tuple[int, int] | None:
    parts = module.split(".") if module else [""]
    while parts:
        key = ".".join(parts)
        if key in LAYERS:
            return LAYERS[key]
        parts.pop()
    return None


def _layer_violations(root: Path) -> tuple[list[str], list[str]]:
    """(modules missing from LAYERS, imports that go up the layers)."""
    unknown = [
        f"  {_absolute(m)} ({p.relative_to(root.parent).as_posix()})"
        for m, p in _modules(root).items()
        if _layer(m) is None
    ]
    upward = []
    for source, target, imp in _edges(root):
        low, high = _layer(source), _layer(target)
        if low is not None and high is not None and high > low:
            upward.append(
                _describe([imp])
                + f"  [L{low[0]}.{low[1]} imports L{high[0]}.{high[1]}]"
            )
    return unknown, upward


# --- the checks on the package ----------------------------------------------------


def test_layers_no_import_cycles():
    """No module reaches itself through imports (function-level ones included)."""
    cycles = _cycles(ROOT)
    assert not cycles, "Import cycles in the package:\n" + "\n\n".join(
        f"  modules that import each other: {', '.join(members)}\n  one loop:\n"
        + _describe(loop)
        for members, loop in cycles
    )


def test_layers_privates_of_sklearn_and_river_only_in_compat():
    """Only _compat imports sklearn privates and only _river_compat river's."""
    bad = _private_imports(ROOT)
    assert not bad, (
        "Private sklearn/river names imported outside sklearn_warmstart/_compat.py "
        "and _river_compat.py (import them there and use the compat name):\n"
        + _describe(bad)
    )


def test_layers_every_module_has_a_layer():
    """Every module of the package is placed in DESIGN.md's layers."""
    unknown, _ = _layer_violations(ROOT)
    assert not unknown, (
        "Modules with no layer: add each to LAYERS in tests/test_layers.py (and to "
        "the layer list in DESIGN.md):\n" + "\n".join(unknown)
    )


def test_layers_imports_go_down_the_layers():
    """A module imports only modules of its own layer or below (DESIGN.md)."""
    _, upward = _layer_violations(ROOT)
    assert not upward, "Imports against DESIGN.md's layer order:\n" + "\n".join(upward)


def test_layers_cli_uses_only_public_study_api():
    """The CLI imports no private name of the study."""
    bad = [
        i
        for i in _imports(ROOT)
        if i.module == "cli"
        and (i.target == f"{PACKAGE}.study" or i.target.startswith(f"{PACKAGE}.study."))
        and any(
            p.startswith("_") and not _is_dunder(p)
            for p in [*i.target.split(".")[2:], *i.names]
        )
    ]
    assert not bad, "The CLI imports study privates:\n" + _describe(bad)


# --- the checks catch what they are for (a planted package each) ------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / PACKAGE
    for name, text in {"__init__.py": "", **files}.items():
        file = root / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_layers_cycle_check_finds_function_level_and_relative_cycles(tmp_path):
    """A cycle closed by an import inside a function, across a sub-package, is found."""
    root = _package(
        tmp_path,
        {
            "estimators.py": "from .adapters import linear\n",
            "adapters/__init__.py": "",
            "adapters/linear.py": "from ..checkpoints import store\n",
            "checkpoints/__init__.py": "",
            "checkpoints/store.py": """
                def load():
                    import sklearn_warmstart.estimators
                """,
            "policies.py": "from . import drift\n",
            "drift.py": "",
        },
    )
    ((members, cycle),) = _cycles(root)
    assert members == ["adapters.linear", "checkpoints.store", "estimators"]
    assert {i.module for i in cycle} == {
        "estimators",
        "adapters.linear",
        "checkpoints.store",
    }
    assert "in load()" in _describe(cycle)


def test_layers_cycle_check_allows_only_the_study_report_exception(tmp_path):
    """StudyResult.plot/report -> report is allowed; any other way back is not."""
    files = {
        "report.py": "from .study import StudyResult\n",
        "study/__init__.py": "from .result import StudyResult\n",
        "study/result.py": """
            class StudyResult:
                def plot(self):
                    from ..report import plot_study
                def report(self, path):
                    from .. import report
            """,
    }
    root = _package(tmp_path, files)
    assert _cycles(root) == []
    files["study/stats.py"] = "def f():\n    from ..report import write_report\n"
    files["report.py"] += "from .study import stats\n"
    ((_, cycle),) = _cycles(_package(tmp_path, files))
    assert any(i.function == "f" for i in cycle)


def test_layers_private_check_finds_each_spelling(tmp_path):
    """Private modules and names of sklearn and river are found, in compat allowed."""
    root = _package(
        tmp_path,
        {
            "_compat.py": "from sklearn.utils._param_validation import Interval\n",
            "_river_compat.py": "from river import _river_rust\n",
            "a.py": "from sklearn.utils.validation import _check_sample_weight\n",
            "b.py": "def f():\n    import sklearn.ensemble._forest as forest\n",
            "c.py": "from river.drift import _adwin\n",
            "d.py": "from sklearn.model_selection._search import BaseSearchCV\n",
            "e.py": "from river import _river_rust\n",
            "ok.py": """
                from sklearn import __version__
                from sklearn.base import clone
                from river import drift
                from ._compat import Interval
                """,
        },
    )
    assert sorted(i.module for i in _private_imports(root)) == ["a", "b", "c", "d", "e"]


def test_layers_layer_check_finds_upward_imports_and_unknown_modules(tmp_path):
    """An L1 module importing L4, and a module with no layer, both fail."""
    root = _package(
        tmp_path,
        {
            "policies.py": "def f():\n    from .estimators import WarmStartClassifier\n",
            "estimators.py": "from .policies import Warm\nfrom .adapters import base\n",
            "adapters/__init__.py": "",
            "adapters/base.py": "from .. import exceptions\n",
            "exceptions.py": "",
            "cli.py": "from .study import compare_policies\n",
            "study.py": "from .report import write_report\n",
            "report.py": "",
            "gadgets.py": "",
        },
    )
    unknown, upward = _layer_violations(root)
    assert len(unknown) == 1 and "sklearn_warmstart.gadgets" in unknown[0]
    assert len(upward) == 2
    assert "policies -> sklearn_warmstart.estimators" in upward[0] + upward[1]
    assert "study -> sklearn_warmstart.report" in upward[0] + upward[1]
