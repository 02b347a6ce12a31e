"""Hostile and careless use of a checkpoint store, one test per way it went wrong.

Each test checks what the user sees: nothing outside the store or foreign to it
is deleted, no code named in a file runs (a marker file would prove it), the
error says what happened, and the previous checkpoint still loads.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.neural_network import MLPClassifier

from sklearn_warmstart import (
    CheckpointError,
    CheckpointStore,
    DivergenceError,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart.checkpoints import (
    CorruptCheckpointWarning,
    UnsafeCheckpointError,
    load_model,
)
from tests.checkpoint_attacks import (
    forge,
    plant_module,
    renamed_skops,
    rewrite_lineage,
    snapshot,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=300, n_features=5, random_state=0)


def _store_with_runs(path, data, n_runs=3, **store_kwargs):
    """A store holding ``n_runs`` checkpoints of an SGD classifier."""
    X, y = data
    store = CheckpointStore(path, **store_kwargs)
    clf = WarmStartClassifier(
        SGDClassifier(max_iter=10, tol=None), checkpoint=store, random_state=0
    )
    for i in range(n_runs):
        clf.fit(X[: 150 + 50 * i], y[: 150 + 50 * i])
    return clf, store


def _victim(tmp_path):
    """A folder outside the store that nothing may delete."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    return victim


# 1 ---------------------------------------------------------------------------------
def test_store_missing_lineage_is_reported_and_rebuilt_not_wiped(tmp_path, data):
    """Without lineage.json, verify says so, loads use the manifests, a save keeps all."""
    X, y = data
    clf, store = _store_with_runs(tmp_path / "s", data)
    (store.path / "lineage.json").unlink()
    problems = store.verify()
    assert [(p.file, p.problem) for p in problems] == [("lineage.json", "missing")]
    assert str(problems[0]) == "lineage.json: missing"
    assert store.load().id == "ckpt-000002"
    clf.fit(X, y)
    assert clf.history_[-1].checkpoint == "ckpt-000003"  # no id reused
    assert store.ids() == ["ckpt-000000", "ckpt-000001", "ckpt-000002", "ckpt-000003"]
    assert store.verify() == []
    assert store.load("ckpt-000002").history[-1].run == 2
    (store.path / "lineage.json").write_text("{damaged")
    assert [(p.file, p.problem) for p in store.verify()] == [
        ("lineage.json", "unreadable")
    ]
    with pytest.raises(CheckpointError, match="lineage log .* is unreadable"):
        clf.fit(X, y)  # a save never overwrites a log a person may restore
    assert len(list(store.path.glob("ckpt-*"))) == 4


# 2 ---------------------------------------------------------------------------------
def test_store_refuses_a_foreign_folder_and_deletes_nothing_in_it(tmp_path, data):
    """A user folder that merely has a ckpt-* name inside is refused before training."""
    X, y = data
    folder = tmp_path / "models"
    (folder / "ckpt-best").mkdir(parents=True)
    (folder / "ckpt-best" / "weights.bin").write_bytes(b"\x00" * 64)
    (folder / ".staging-mine").mkdir()
    (folder / "notes.txt").write_text("mine")
    before = snapshot(folder)
    clf = WarmStartClassifier(SGDClassifier(), checkpoint=folder, random_state=0)
    with pytest.raises(CheckpointError, match=r"models is not a checkpoint store"):
        clf.fit(X, y)
    assert not hasattr(clf, "estimator_")
    with pytest.raises(CheckpointError, match="not a checkpoint store"):
        CheckpointStore(folder, keep_last=1).save(
            WarmStartClassifier(SGDClassifier()).fit(X, y)
        )
    with pytest.raises(CheckpointError, match="not a checkpoint store"):
        WarmStartClassifier.resume(folder)
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == [
        ".staging-mine",
        "ckpt-best",
        "notes.txt",
    ]
    # A store written before the marker existed is recognised and adopted.
    legacy = tmp_path / "legacy"
    shutil.copytree(Path(__file__).parent / "fixtures" / "legacy_store" / "sgd", legacy)
    assert not (legacy / "sklearn_warmstart_store.json").exists()
    from tests.fixtures.make_legacy_store import data as legacy_data

    X_old, y_old = legacy_data()
    back = WarmStartClassifier.resume(legacy)
    back.partial_fit(X_old[:50], y_old[:50])
    assert (legacy / "sklearn_warmstart_store.json").exists()
    assert CheckpointStore(legacy).load("ckpt-000002").id == "ckpt-000002"


# 3 ---------------------------------------------------------------------------------
def test_store_lineage_ids_and_file_names_cannot_escape_it(tmp_path, data):
    """Ids like ../victim or absolute paths are corrupt entries: never read or deleted."""
    X, y = data
    victim = _victim(tmp_path)
    before = snapshot(victim)
    clf, store = _store_with_runs(tmp_path / "s", data, n_runs=2)

    def plant(entries):
        good = dict(entries[-1])
        entries.append({**good, "id": "../victim", "seq": 7})
        entries.append({**good, "id": str(victim), "seq": 8})
        entries.append({**good, "files": {"../../victim/precious.txt": {}}})

    rewrite_lineage(store, plant)
    found = {(p.checkpoint, p.problem.split(" (")[0]) for p in store.verify()}
    assert ("../victim", "corrupt lineage entry") in found
    assert (str(victim)[:80], "corrupt lineage entry") in found
    assert ("ckpt-000001", "corrupt lineage entry") in found
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert store.load().id == "ckpt-000001"
    assert {type(w.message) for w in caught} == {CorruptCheckpointWarning}
    assert "invalid id '../victim'" in " ".join(str(w.message) for w in caught)
    pruning = CheckpointStore(store.path, keep_last=1)
    clf.set_params(checkpoint=pruning).fit(X, y)  # prunes: only sound entries
    assert (store.path / "ckpt-000001").exists() is False
    assert snapshot(victim) == before
    assert pruning.ids() == ["ckpt-000002"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pruning.load().id == "ckpt-000002"
    assert len(caught) == 3  # the three planted entries, still reported


# 4 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["resume", "init", "load_model"])
def test_store_refuses_a_module_named_in_skops_before_importing_it(
    tmp_path, data, monkeypatch, how
):
    """A .skops naming a module that runs code on import is refused unimported."""
    X, y = data
    marker = tmp_path / "pwned"
    plant_module(tmp_path, "ckpt_payload_mod", marker)
    monkeypatch.syspath_prepend(str(tmp_path))
    _, store = _store_with_runs(tmp_path / "s", data, n_runs=2)
    blob = (store.path / "ckpt-000001" / "model.skops").read_bytes()
    cases = [
        ("ckpt_payload_mod", "Thing", "ckpt_payload_mod.Thing"),
        ("numpy.f2py.__main__", "main", r"numpy.f2py.__main__.main \(a module"),
    ]
    for module, name, refused in cases:
        forge(store, "ckpt-000001", "model.skops", renamed_skops(blob, module, name))
        with pytest.raises(UnsafeCheckpointError, match=refused):
            if how == "resume":
                WarmStartClassifier.resume(store.path)
            elif how == "init":
                WarmStartClassifier(SGDClassifier(), init=store.path).fit(X, y)
            else:
                load_model(store.path)
    assert not marker.exists()
    assert "ckpt_payload_mod" not in sys.modules
    assert "numpy.f2py.__main__" not in sys.modules
    assert store.load("ckpt-000000").model.predict(X).shape == (300,)
    # Even a module the user trusts cannot end the process while loading.
    forge(
        store,
        "ckpt-000001",
        "model.skops",
        renamed_skops(blob, "ckpt_payload_mod", "Thing"),
    )
    trusting = CheckpointStore(store.path, trusted=["ckpt_payload_mod.Thing"])
    with pytest.raises(UnsafeCheckpointError, match="SystemExit"):
        trusting.load()
    sys.modules.pop("ckpt_payload_mod", None)


# 5 ---------------------------------------------------------------------------------
def test_resume_and_init_refuse_a_model_of_another_family(tmp_path, data):
    """An MLP resuming an SGD store, a forest into an SGD wrapper: ValueError naming both."""
    X, y = data
    _, store = _store_with_runs(tmp_path / "s", data, n_runs=1)
    with pytest.raises(ValueError, match=r"SGDClassifier.*MLPClassifier"):
        WarmStartClassifier.resume(store.path, estimator=MLPClassifier())
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    clf = WarmStartClassifier(SGDClassifier(), init=forest)
    with pytest.raises(ValueError, match=r"init holds a RandomForestClassifier.*SGD"):
        clf.fit(X, y)
    assert not hasattr(clf, "estimator_")
    reg = WarmStartClassifier(
        SGDClassifier(), init=SGDRegressor(random_state=0).fit(X, y)
    )
    with pytest.raises(ValueError, match=r"SGDRegressor.*regressor.*classifier"):
        reg.fit(X, y)
    child = WarmStartClassifier(MLPClassifier(), init=store.path)
    with pytest.raises(ValueError, match=r"init=.*SGDClassifier.*MLPClassifier"):
        child.fit(X, y)
    resumed = WarmStartClassifier.resume(store.path)
    assert resumed.n_runs_ == 1 and resumed.predict(X).shape == (300,)


# 6 ---------------------------------------------------------------------------------
def test_resume_refuses_an_unfitted_model_in_a_verified_checkpoint(tmp_path, data):
    """A .skops holding an unfitted estimator (hashes forged) is refused at load."""
    X, y = data
    _, store = _store_with_runs(tmp_path / "s", data, n_runs=2)
    forge(store, "ckpt-000001", "model.skops", sio.dumps(SGDClassifier()))
    assert store.verify() == []
    with pytest.raises(CheckpointError, match="SGDClassifier that is not fitted"):
        WarmStartClassifier.resume(store.path)
    with pytest.raises(CheckpointError, match="not fitted"):
        WarmStartClassifier(SGDClassifier(), init=store.path).fit(X, y)
    assert store.load("ckpt-000000").model.coef_.shape == (1, 5)


def test_resume_refuses_a_skorch_payload_without_its_state_dicts(tmp_path):
    """A skorch payload with its state dicts emptied is refused, not an untrained net."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("skorch")
    import io

    from skorch import NeuralNetClassifier

    X = np.random.default_rng(0).normal(size=(80, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    net = NeuralNetClassifier(
        torch.nn.Linear,
        module__in_features=4,
        module__out_features=2,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        train_split=None,
        verbose=0,
    )
    store = CheckpointStore(tmp_path / "s")
    WarmStartClassifier(net, checkpoint=store, random_state=0).fit(X, y).fit(X, y)
    for emptied in ({}, {"modules": {}, "criteria": {}, "optimizers": {}}):
        buffer = io.BytesIO()
        torch.save(emptied, buffer)
        forge(store, "ckpt-000001", "payload.pt", buffer.getvalue())
        with pytest.raises(CheckpointError, match=r"lacks the state of modules"):
            WarmStartClassifier.resume(store, estimator=net)
    back = store.load("ckpt-000000", template=net).model
    assert back.predict(X).shape == (80,)


# 7 ---------------------------------------------------------------------------------
def test_resume_by_path_keeps_the_stores_retention(tmp_path, data):
    """keep_last lives in the store: resume(path) keeps pruning as configured."""
    X, y = data
    _store_with_runs(tmp_path / "s", data, n_runs=3, keep_last=2)
    back = WarmStartClassifier.resume(tmp_path / "s")
    assert (back.checkpoint.keep_last, back.checkpoint.keep_every) == (2, None)
    back.fit(X, y).fit(X, y)
    store = CheckpointStore(tmp_path / "s")
    assert store.ids() == ["ckpt-000003", "ckpt-000004"]
    assert store.log()["status"].tolist() == ["pruned"] * 3 + ["kept"] * 2
    assert store.load("ckpt-000003").history[-1].run == 3


# 8 ---------------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_store_skips_a_symlink_planted_at_the_next_name(tmp_path, data):
    """A link at the next checkpoint's name is left alone; the save takes the next id."""
    X, y = data
    victim = _victim(tmp_path)
    before = snapshot(victim)
    clf, store = _store_with_runs(tmp_path / "s", data, n_runs=1)
    os.symlink(victim, store.path / "ckpt-000001")
    os.symlink(tmp_path / "nowhere", store.path / "ckpt-000002")
    clf.fit(X, y).fit(X, y)
    assert [r.checkpoint for r in clf.history_] == [
        "ckpt-000000",
        "ckpt-000003",
        "ckpt-000004",
    ]
    assert snapshot(victim) == before
    assert (store.path / "ckpt-000001").is_symlink()
    assert store.verify() == []
    assert store.load().id == "ckpt-000004"
    assert store.load("ckpt-000000").history[-1].run == 0


# 9 ---------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_streaming_regressor_with_non_finite_predictions_is_a_divergence(tmp_path):
    """A previous model predicting inf names the run in a DivergenceError; nothing moves."""
    X, y = make_regression(n_samples=200, n_features=4, noise=1.0, random_state=0)
    reg = WarmStartRegressor(SGDRegressor(), checkpoint=tmp_path / "s", random_state=0)
    reg.partial_fit(X[:100], y[:100])
    coef = reg.estimator_.coef_.copy()
    huge = np.sign(coef) * 1e308  # finite rows whose prediction overflows
    X_bad = np.tile(huge, (10, 1))
    with pytest.raises(DivergenceError, match=r"Run 1 cannot start.*non-finite"):
        reg.partial_fit(X_bad, y[:10])
    assert reg.n_runs_ == 1
    np.testing.assert_array_equal(reg.estimator_.coef_, coef)
    store = CheckpointStore(tmp_path / "s")
    assert store.ids() == ["ckpt-000000"]
    np.testing.assert_array_equal(store.load().model.coef_, coef)


# 10 --------------------------------------------------------------------------------
def test_clones_of_an_estimator_with_a_checkpoint_are_refused_at_fit(tmp_path, data):
    """GridSearchCV / cross_validate clones would share one lineage: refused clearly."""
    X, y = data
    clf, store = _store_with_runs(tmp_path / "s", data, n_runs=1)
    search = GridSearchCV(
        clf, {"start": ["warm", "cold"]}, cv=2, error_score="raise", n_jobs=1
    )
    with pytest.raises(ValueError, match="is a clone .* would write into .*s, the"):
        search.fit(X, y)
    with pytest.raises(ValueError, match="checkpoint=None in searches"):
        cross_validate(clf, X, y, cv=2, error_score="raise")
    assert store.ids() == ["ckpt-000000"]
    from sklearn.base import clone

    own = clone(clf).set_params(checkpoint=tmp_path / "own").fit(X, y)
    assert own.history_[-1].checkpoint == "ckpt-000000"
    assert CheckpointStore(tmp_path / "own").ids() == ["ckpt-000000"]
    clf.fit(X, y)  # the original keeps its store
    assert store.ids() == ["ckpt-000000", "ckpt-000001"]
    assert json.loads((store.path / "lineage.json").read_text())["entries"][0][
        "id"
    ] == ("ckpt-000000")
