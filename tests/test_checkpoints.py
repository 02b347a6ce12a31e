"""Checkpoints: atomic writes, lineage, verification, safe loading, resume, faults."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.neural_network import MLPClassifier

from sklearn_warmstart import (
    CheckpointError,
    CheckpointStore,
    Every,
    ShrinkPerturb,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart import checkpoints as ck
from sklearn_warmstart._serial import check_trees, payload_from_files
from sklearn_warmstart.adapters import Adapter
from sklearn_warmstart.checkpoints import (
    CorruptCheckpointWarning,
    Payload,
    UnsafeCheckpointError,
    fingerprint,
    load_model,
)
from sklearn_warmstart.policies import Trigger
from tests.checkpoint_attacks import Evil, forge

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=600, n_features=6, random_state=0)
    return X, y


def _fitted(path, data, n_runs=2, **kwargs):
    X, y = data
    store = path if isinstance(path, CheckpointStore) else CheckpointStore(path)
    clf = WarmStartClassifier(
        SGDClassifier(max_iter=20, tol=None), checkpoint=store, random_state=0, **kwargs
    )
    for i in range(n_runs):
        clf.fit(X[: 200 + 100 * i], y[: 200 + 100 * i])
    return clf, store


def _snapshot(path: Path) -> dict[str, str]:
    """Every file under ``path`` (but the lock) with its sha256."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _crafted_skops(module: str, name: str, args: list) -> bytes:
    """A skops file whose schema calls ``module.name(*args)`` when loaded."""
    items = [
        {
            "__class__": type(a).__name__,
            "__module__": "builtins",
            "__loader__": "JsonNode",
            "content": json.dumps(a),
            "is_json": True,
            "__id__": 10 + i,
        }
        for i, a in enumerate(args)
    ]
    schema = {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": {
            "__class__": "tuple",
            "__module__": "builtins",
            "__loader__": "TupleNode",
            "content": items,
            "__id__": 2,
        },
        "__id__": 1,
        "protocol": 2,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("schema.json", json.dumps(schema))
    return buffer.getvalue()


# ----------------------------------------------------------------------------- lineage


def test_checkpoint_store_writes_one_checkpoint_per_committed_run(tmp_path, data):
    """Each run writes a checkpoint whose manifest records its lineage."""
    X, y = data
    clf, store = _fitted(tmp_path / "s", data, n_runs=3)
    assert [r.checkpoint for r in clf.history_] == [
        "ckpt-000000",
        "ckpt-000001",
        "ckpt-000002",
    ]
    log = store.log()
    assert log["id"].tolist() == store.ids() == [r.checkpoint for r in clf.history_]
    assert log["parent"].isna().tolist() == [True, False, False]
    assert log["parent"].tolist()[1:] == ["ckpt-000000", "ckpt-000001"]
    assert log["run"].tolist() == [0, 1, 2]
    assert log["start"].tolist() == ["cold", "warm", "warm"]
    assert log["data_sha256"].iloc[2] == fingerprint(X[:400], y[:400])["sha256"]
    assert log["data_sha256"].nunique() == 3
    manifest = json.loads((store.path / "ckpt-000002" / "manifest.json").read_bytes())
    assert manifest["reason"] == clf.history_[2].reason
    assert manifest["created"].endswith("+00:00")
    assert manifest["versions"]["scikit-learn"] and manifest["versions"]["numpy"]
    for name, info in manifest["files"].items():
        blob = (store.path / "ckpt-000002" / name).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == info["sha256"]
    state = json.loads((store.path / "ckpt-000002" / "state.json").read_bytes())
    assert state["history"][-1]["checkpoint"] == "ckpt-000002"
    assert store.verify() == []


def test_checkpoint_store_failed_run_writes_nothing(tmp_path, data):
    """A run that raises commits nothing and writes no checkpoint."""
    X, y = data
    clf, store = _fitted(tmp_path / "s", data, n_runs=1)
    before = _snapshot(store.path)
    y_bad = y.copy()
    y_bad[:5] = 7  # a class never seen before: the run fails validation
    with pytest.raises(ValueError, match="never seen"):
        clf.fit(X, y_bad)
    assert clf.n_runs_ == 1
    assert _snapshot(store.path) == before


def test_checkpoint_store_retention_keeps_lineage(tmp_path, data):
    """Pruned checkpoints disappear from disk but stay in the lineage log."""
    store = CheckpointStore(tmp_path / "s", keep_last=2, keep_every=3)
    clf, _ = _fitted(store, data, n_runs=7)
    log = store.log()
    assert len(log) == 7
    kept = log.loc[log["status"] == "kept", "run"].tolist()
    assert kept == [0, 3, 5, 6]
    assert sorted(p.name for p in store.path.glob("ckpt-*")) == store.ids()
    assert log["pruned"].notna().sum() == 3
    assert log["parent"].tolist()[1:] == log["id"].tolist()[:-1]
    assert store.verify() == []
    assert store.load().id == "ckpt-000006"


def test_checkpoint_store_validates_its_parameters(tmp_path):
    """Bad retention values and checkpoint types raise clear errors."""
    with pytest.raises(ValueError, match="keep_last must be None or an int"):
        CheckpointStore(tmp_path, keep_last=0)
    with pytest.raises(ValueError, match="keep_every"):
        CheckpointStore(tmp_path, keep_every=1.5)
    clf = WarmStartClassifier(SGDClassifier(), checkpoint=3)
    with pytest.raises(TypeError, match="checkpoint must be None, a path"):
        clf.fit(*make_classification(n_samples=50, random_state=0))
    assert not hasattr(clf, "estimator_")


def test_checkpoint_store_lineage_unreadable_is_clear(tmp_path, data):
    """A damaged lineage log is reported by name, not silently ignored."""
    _, store = _fitted(tmp_path / "s", data, n_runs=1)
    (store.path / "lineage.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="lineage log .* unreadable"):
        store.load()


# ----------------------------------------------------------------------------- resume


def test_resume_continues_run_numbering_and_history(tmp_path, data):
    """A resumed MLP's next run equals the uninterrupted one, numbering included."""
    X, y = data
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=15)
    kwargs = dict(start=ShrinkPerturb(0.5, 0.1), random_state=3)
    a = WarmStartClassifier(mlp, checkpoint=tmp_path / "s", **kwargs)
    a.fit(X[:300], y[:300]).fit(X[:450], y[:450])
    b = WarmStartClassifier.resume(tmp_path / "s")
    assert b.n_runs_ == 2 and b.get_params()["start"].shrink == 0.5
    fields = ("run", "start", "reason", "seed", "n_samples", "loss_curve", "checkpoint")
    for r, s in zip(a.history_, b.history_):
        assert [getattr(r, f) for f in fields] == [getattr(s, f) for f in fields]
    a.fit(X, y)
    b.fit(X, y)
    assert b.n_runs_ == 3 and b.history_[2].run == 2
    assert b.history_[2].seed == a.history_[2].seed
    for c1, c2 in zip(a.estimator_.coefs_, b.estimator_.coefs_):
        np.testing.assert_array_equal(c1, c2)
    log = CheckpointStore(tmp_path / "s").log()
    assert log["parent"].tolist()[1:] == ["ckpt-000000", "ckpt-000001", "ckpt-000001"]


def test_resume_restores_streaming_buffer_and_trigger_state(tmp_path):
    """Streaming resume: buffer, seen rows and trigger state continue exactly."""
    X, y = make_regression(n_samples=400, n_features=4, noise=1.0, random_state=0)
    kwargs = dict(reset=Every(3), buffer_size=50, random_state=0)
    a = WarmStartRegressor(SGDRegressor(), checkpoint=tmp_path / "s", **kwargs)
    for chunk in range(4):
        rows = slice(chunk * 50, chunk * 50 + 50)
        a.partial_fit(X[rows], y[rows])
    b = WarmStartRegressor.resume(tmp_path / "s")
    stored = CheckpointStore(tmp_path / "s").load()
    np.testing.assert_array_equal(stored.buffer_X, X[150:200])
    np.testing.assert_array_equal(stored.buffer_y, y[150:200])
    assert stored.n_seen == 200 and stored.buffer_size == 50
    for chunk in range(4, 8):
        rows = slice(chunk * 50, chunk * 50 + 50)
        a.partial_fit(X[rows], y[rows])
        b.partial_fit(X[rows], y[rows])
    assert [r.start for r in b.history_] == [r.start for r in a.history_]
    assert b.history_[6].start == "cold"
    np.testing.assert_array_equal(a.estimator_.coef_, b.estimator_.coef_)


def test_resume_restores_object_classes_and_feature_names(tmp_path):
    """String labels and DataFrame column names survive without pickle."""
    pd = pytest.importorskip("pandas")
    X, y = make_classification(
        n_samples=200, n_features=3, n_informative=2, n_redundant=0, random_state=0
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    labels = np.where(y == 1, "yes", "no").astype(object)
    clf = WarmStartClassifier(SGDClassifier(), checkpoint=tmp_path, random_state=0)
    clf.fit(frame, labels)
    back = WarmStartClassifier.resume(tmp_path)
    assert back.classes_.tolist() == ["no", "yes"] and back.classes_.dtype == object
    assert back.feature_names_in_.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))


def test_resume_rejects_the_wrong_class(tmp_path, data):
    """A classifier checkpoint cannot be resumed as a regressor."""
    _fitted(tmp_path / "s", data, n_runs=1)
    with pytest.raises(ValueError, match="use WarmStartClassifier.resume"):
        WarmStartRegressor.resume(tmp_path / "s")


class _CountTrigger(Trigger):
    """A user trigger (not trusted) whose state is a river detector."""

    def __init__(self, k=2):
        self.k = k

    def init_state(self):
        from river import drift

        return drift.ADWIN()

    def check(self, state, evidence):
        if evidence.errors is not None:
            for e in evidence.errors:
                state.update(float(e))
        return None


def test_resume_asks_for_unstorable_parameters_and_restarts_detectors(tmp_path):
    """Untrusted parameters must be passed again; river states restart fresh."""
    pytest.importorskip("river")
    X, y = make_classification(n_samples=300, random_state=0)
    clf = WarmStartClassifier(
        SGDClassifier(), reset=_CountTrigger(), checkpoint=tmp_path, random_state=0
    )
    clf.fit(X[:150], y[:150]).fit(X, y)
    assert clf.policy_state_[0].width == 300  # fed every row the second run scored
    log = CheckpointStore(tmp_path).log()
    assert log["payload"].iloc[-1] == "skops"
    with pytest.raises(CheckpointError, match=r"parameter\(s\) \['reset'\]"):
        WarmStartClassifier.resume(tmp_path)
    with pytest.warns(UserWarning, match="restarts fresh"):
        back = WarmStartClassifier.resume(tmp_path, reset=_CountTrigger())
    assert back.n_runs_ == 2 and back.policy_state_[0].width == 0
    assert back.fit(X, y).n_runs_ == 3


def test_init_path_starts_first_run_from_checkpoint(tmp_path, data):
    """init=path (store or checkpoint directory) starts run 0 from that model."""
    X, y = data
    clf, store = _fitted(tmp_path / "s", data, n_runs=2)
    saved = load_model(store.path / "ckpt-000000")
    assert not np.array_equal(saved.coef_, clf.estimator_.coef_)
    np.testing.assert_array_equal(load_model(store.path).coef_, clf.estimator_.coef_)
    child = WarmStartClassifier(
        SGDClassifier(max_iter=20, tol=None), init=store.path, random_state=0
    )
    child.fit(X, y)
    assert child.history_[0].start == "warm"
    twin = WarmStartClassifier(
        SGDClassifier(max_iter=20, tol=None), init=clf.estimator_, random_state=0
    ).fit(X, y)
    assert child.history_[0].seed == twin.history_[0].seed
    np.testing.assert_array_equal(child.estimator_.coef_, twin.estimator_.coef_)
    assert child.history_[0].distance_from_prev == twin.history_[0].distance_from_prev
    with pytest.raises(CheckpointError, match="neither a checkpoint store"):
        load_model(tmp_path)


# ----------------------------------------------------------------------------- corruption


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete"])
def test_checkpoint_store_corrupt_file_falls_back_with_warning(tmp_path, data, damage):
    """A damaged newest checkpoint is named in a warning; the previous one loads."""
    clf, store = _fitted(tmp_path / "s", data, n_runs=3)
    target = store.path / "ckpt-000002" / "model.skops"
    blob = bytearray(target.read_bytes())
    if damage == "flip":
        blob[len(blob) // 2] ^= 0xFF
        target.write_bytes(bytes(blob))
    elif damage == "truncate":
        target.write_bytes(bytes(blob[: len(blob) // 3]))
    else:
        target.unlink()
    problems = store.verify()
    assert [(p.checkpoint, p.file) for p in problems] == [
        ("ckpt-000002", "model.skops")
    ]
    with pytest.warns(CorruptCheckpointWarning, match="ckpt-000002.*model.skops"):
        ckpt = store.load()
    assert ckpt.id == "ckpt-000001" and ckpt.history[-1].run == 1
    with pytest.warns(CorruptCheckpointWarning):
        resumed = WarmStartClassifier.resume(store)
    assert resumed.n_runs_ == 2
    with pytest.raises(CheckpointError, match="ckpt-000002 .* failed verification"):
        store.load("ckpt-000002")


def test_checkpoint_store_raises_when_no_verified_checkpoint_left(tmp_path, data):
    """Every checkpoint damaged: loading raises, naming the failures."""
    _, store = _fitted(tmp_path / "s", data, n_runs=2)
    for folder in store.path.glob("ckpt-*"):
        (folder / "state.json").write_text("{}")
    with pytest.warns(CorruptCheckpointWarning):
        with pytest.raises(CheckpointError, match="ckpt-000000/state.json"):
            store.load()


def test_checkpoint_store_verify_reports_unexpected_files(tmp_path, data):
    """A file dropped into a checkpoint is reported and never opened."""
    _, store = _fitted(tmp_path / "s", data, n_runs=1)
    (store.path / "ckpt-000000" / "model.pkl").write_bytes(b"junk")
    problems = store.verify()
    assert [(p.file, p.problem) for p in problems] == [("model.pkl", "unexpected file")]
    assert store.load().id == "ckpt-000000"


# ----------------------------------------------------------------------------- safety


def test_checkpoint_store_refuses_malicious_pickle(tmp_path, data):
    """A pickle in place of the model is refused and its payload never runs."""
    _, store = _fitted(tmp_path / "s", data, n_runs=2)
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(Evil(control)))
    assert control.exists()  # the payload is live when unpickled
    marker = tmp_path / "pwned"
    evil = pickle.dumps(Evil(marker))
    # Without matching hashes it is corruption: skipped with a warning.
    (store.path / "ckpt-000001" / "model.skops").write_bytes(evil)
    with pytest.warns(CorruptCheckpointWarning, match="ckpt-000001"):
        assert store.load().id == "ckpt-000000"
    # With forged hashes it verifies, and is refused as unsafe.
    forge(store, "ckpt-000001", "model.skops", evil)
    assert store.verify() == []
    with pytest.raises(UnsafeCheckpointError, match="not a valid skops file"):
        store.load()
    with pytest.raises(UnsafeCheckpointError, match="ckpt-000001.*model.skops"):
        WarmStartClassifier.resume(store.path)
    forge(store, "ckpt-000001", "estimator.skops", evil)
    with pytest.raises(UnsafeCheckpointError, match="estimator.skops"):
        store.load()
    assert not marker.exists()


@pytest.mark.parametrize(
    "module, name, args, refused",
    [
        ("os", "system", ["touch {marker}"], "os.system"),
        ("numpy", "memmap", ["{marker}", "w+"], "numpy.memmap (via Constructor"),
        ("builtins", "open", ["{marker}", "w"], "builtins.open"),
    ],
)
def test_checkpoint_store_refuses_crafted_skops(
    tmp_path, data, module, name, args, refused
):
    """A skops file that would call code named in it is refused unexecuted."""
    _, store = _fitted(tmp_path / "s", data, n_runs=1)
    marker = tmp_path / "pwned"
    crafted = _crafted_skops(module, name, [a.format(marker=marker) for a in args])
    forge(store, "ckpt-000000", "model.skops", crafted)
    with pytest.raises(UnsafeCheckpointError, match=refused.replace("(", r"\(")):
        store.load()
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_checkpoint_store_refuses_crafted_torch_pickle(tmp_path):
    """A pickle in place of a torch state dict is refused by weights_only."""
    pytest.importorskip("torch")
    store = CheckpointStore(tmp_path / "s")
    content, net = _torch_net_content()
    store.save(content)
    marker = tmp_path / "pwned"
    forge(store, "ckpt-000000", "payload.pt", pickle.dumps(Evil(marker)))
    with pytest.raises(UnsafeCheckpointError, match="weights_only"):
        store.load(template=net)
    assert not marker.exists()


class _MyRegressor(RegressorMixin, BaseEstimator):
    """A user estimator outside the trusted packages."""

    def fit(self, X, y):
        self.coef_ = np.linalg.lstsq(X, y, rcond=None)[0]
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return X @ self.coef_


def test_checkpoint_store_refuses_untrusted_model_unless_listed(tmp_path):
    """Saving an unknown class fails clearly (run kept); trusted= allows it."""
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    reg = WarmStartRegressor(_MyRegressor(), checkpoint=tmp_path / "a")
    with pytest.raises(CheckpointError, match="_MyRegressor"):
        reg.fit(X, y)
    assert reg.n_runs_ == 1 and reg.history_[-1].checkpoint is None
    name = f"{_MyRegressor.__module__}._MyRegressor"
    store = CheckpointStore(tmp_path / "b", trusted=[name])
    reg = WarmStartRegressor(_MyRegressor(), checkpoint=store).fit(X, y)
    back = WarmStartRegressor.resume(store)
    np.testing.assert_array_equal(back.predict(X), reg.predict(X))


def test_checkpoint_store_checks_loaded_trees(tmp_path, data):
    """Forest checkpoints load; a tree with cyclic node indices is refused."""
    X, y = data
    clf = WarmStartClassifier(
        RandomForestClassifier(n_estimators=3, random_state=0),
        start="cold",
        checkpoint=tmp_path,
    ).fit(X, y)
    model = load_model(tmp_path)
    np.testing.assert_array_equal(model.predict(X), clf.predict(X))
    tree = model.estimators_[0].tree_
    state = tree.__getstate__()
    nodes = state["nodes"].copy()
    nodes["left_child"][0] = 0  # points at itself: predict would loop
    state["nodes"] = nodes
    tree.__setstate__(state)
    with pytest.raises(UnsafeCheckpointError, match="cyclic"):
        check_trees(model, "the model")


def test_package_import_is_light():
    """Importing the package imports neither torch, skops nor a boosting library."""
    code = (
        "import sys, sklearn_warmstart;"
        "print(sorted(m for m in ('torch', 'skops', 'skorch', 'lightgbm', "
        "'xgboost', 'catboost') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- torch


def _torch_net_content(adapter=None):
    """Checkpoint content holding a fitted skorch net, and the configured net."""
    pytest.importorskip("skorch")
    import torch
    from skorch import NeuralNetClassifier

    from sklearn_warmstart.adapters import adapter_for
    from sklearn_warmstart.checkpoints import CheckpointContent
    from sklearn_warmstart.history import History, RunRecord

    X, y = make_classification(n_samples=120, n_features=5, random_state=0)

    class Linear(torch.nn.Module):
        def __init__(self, n_in=5):
            super().__init__()
            self.layer = torch.nn.Linear(n_in, 2)

        def forward(self, X):
            return self.layer(X)

    net = NeuralNetClassifier(
        Linear,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        max_epochs=2,
        train_split=None,
        verbose=0,
    )
    torch.manual_seed(0)
    fitted = NeuralNetClassifier(**net.get_params(deep=False))
    fitted.fit(X.astype(np.float32), y)
    record = RunRecord(
        run=0,
        method="fit",
        start="cold",
        reason="first run",
        trigger=None,
        seed=1,
        n_samples=120,
        sample_start=0,
        n_iter=2,
        loss_curve=(),
        grad_norms=(),
        theta_start_norm=0.0,
        theta_end_norm=0.0,
        distance_from_start=0.0,
        distance_from_prev=0.0,
        prequential_score=float("nan"),
        train_score=1.0,
        fit_time=0.1,
        peak_memory=float("nan"),
    )
    content = CheckpointContent(
        model=fitted,
        adapter=adapter_for(net) if adapter is None else adapter,
        history=History([record]),
        policy_states=(),
        triggers=(),
        base_seed=0,
        n_features=5,
        n_seen=120,
        feature_names=None,
        classes=np.array([0, 1]),
        buffer_X=None,
        buffer_y=None,
        buffer_size=0,
        estimator_class="WarmStartClassifier",
        params=WarmStartClassifier(net).get_params(deep=False),
    )
    return content, net


class _OldTorchNetWriter(Adapter):
    """Writes a net as checkpoints.py did before adapters owned their payloads."""

    def state_payload(self, model):
        return Payload(
            kind="torch-net",
            json={
                "class": f"{type(model).__module__}.{type(model).__qualname__}",
                "attributes": {},
                "array_attributes": ["classes_inferred_"],
                "array_layout": {"classes_inferred_": {"object": False}},
            },
            arrays={"classes_inferred_": np.asarray(model.classes_inferred_)},
            tensors={
                "module": model.module_.state_dict(),
                "optimizer": model.optimizer_.state_dict(),
            },
        )


@pytest.mark.parametrize("writer", ["adapter:SkorchAdapter", "torch-net"])
def test_checkpoint_torch_net_state_dict_roundtrip(tmp_path, writer):
    """A skorch net round-trips as state dicts (its adapter, or an old store's format)."""
    pytest.importorskip("torch")
    legacy = writer == "torch-net"
    content, net = _torch_net_content(_OldTorchNetWriter(None) if legacy else None)
    store = CheckpointStore(tmp_path)
    store.save(content)
    assert (store.path / "ckpt-000000" / "payload.pt").exists()
    expected = "adapter:_OldTorchNetWriter" if legacy else writer
    assert store.log()["payload"].tolist() == [expected]
    with (
        pytest.raises(CheckpointError, match="estimator=")
        if legacy
        else pytest.raises(CheckpointError, match="resume\\(path, estimator=...\\)")
    ):
        WarmStartClassifier.resume(store)
    back = WarmStartClassifier.resume(store, estimator=net)
    X = make_classification(n_samples=20, n_features=5, random_state=1)[0]
    X = X.astype(np.float32)
    np.testing.assert_array_equal(
        back.estimator_.predict_proba(X), content.model.predict_proba(X)
    )
    a = content.model.optimizer_.state_dict()["state"][0]["exp_avg"]
    b = back.estimator_.optimizer_.state_dict()["state"][0]["exp_avg"]
    assert bool((a == b).all())
    assert back.estimator_ is not net and back.estimator_ is not content.model
    assert back.history_[0].checkpoint == "ckpt-000000"


def test_checkpoint_payload_hook_of_an_adapter_is_used(tmp_path, data):
    """The content's adapter writes the model payload; the template's adapter reads it."""
    clf, _ = _fitted(tmp_path / "a", data, n_runs=1)

    class Hooked(Adapter):
        def state_payload(self, model):
            return Payload(
                "coef", {"intercept": model.intercept_.tolist()}, {"coef": model.coef_}
            )

    content = dataclasses.replace(
        clf._checkpoint_content(), adapter=Hooked(clf.estimator)
    )
    store = CheckpointStore(tmp_path / "b")
    store.save(content)
    assert store.log()["payload"].tolist() == ["adapter:Hooked"]
    files = {p.name for p in (store.path / "ckpt-000000").iterdir()}
    assert "model.skops" not in files and {"payload.json", "payload.npz"} <= files
    blobs = {n: (store.path / "ckpt-000000" / n).read_bytes() for n in files}
    payload = payload_from_files(blobs, "test")
    np.testing.assert_array_equal(payload.arrays["coef"], clf.estimator_.coef_)
    assert payload.json == {"intercept": clf.estimator_.intercept_.tolist()}
    with pytest.raises(CheckpointError, match="LinearAdapter cannot load a 'coef'"):
        store.load_model()


# ----------------------------------------------------------------------------- faults


def _in_store(root: Path, target) -> bool:
    if isinstance(target, int):
        try:
            target = os.readlink(f"/proc/self/fd/{target}")
        except OSError:
            return False
    return os.fspath(target).startswith(os.fspath(root))


def test_checkpoint_disk_full_keeps_run_committed(tmp_path, data, monkeypatch):
    """ENOSPC mid-save: the run stays committed, the store is unchanged."""
    X, y = data
    clf, store = _fitted(tmp_path / "s", data, n_runs=1)
    before = _snapshot(store.path)
    real_write = os.write

    def disk_full(fd, payload):
        if _in_store(store.path, fd):
            real_write(fd, bytes(payload[: max(len(payload) // 2, 1)]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, payload)

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(CheckpointError, match="No space left.*Run 1 is committed"):
        clf.fit(X, y)
    monkeypatch.undo()
    assert clf.n_runs_ == 2 and clf.history_[-1].checkpoint is None
    assert clf.history_[-1].n_samples == len(y)
    np.testing.assert_array_equal(
        clf.predict(X),
        WarmStartClassifier(SGDClassifier(max_iter=20, tol=None), random_state=0)
        .fit(X[:200], y[:200])
        .fit(X, y)
        .predict(X),
    )  # the run that could not be saved is the one in memory
    assert _snapshot(store.path) == before
    assert not list(store.path.glob(".staging-*"))
    clf.fit(X, y)
    assert clf.history_[-1].checkpoint == "ckpt-000001"
    assert store.log()["parent"].iloc[1] == "ckpt-000000"
    assert WarmStartClassifier.resume(store).n_runs_ == 3


@pytest.mark.parametrize("call", ["rename", "replace"])
def test_checkpoint_permission_denied_keeps_store_unchanged(
    tmp_path, data, monkeypatch, call
):
    """EACCES on the directory rename or the lineage replace changes nothing."""
    X, y = data
    clf, store = _fitted(tmp_path / "s", data, n_runs=1)
    before = _snapshot(store.path)
    real = getattr(os, call)

    def denied(src, dst, *args, **kwargs):
        if _in_store(store.path, dst):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, call, denied)
    with pytest.raises(CheckpointError, match="Permission denied"):
        clf.fit(X, y)
    monkeypatch.undo()
    assert clf.n_runs_ == 2 and clf.history_[-1].checkpoint is None
    assert _snapshot(store.path) == before
    assert store.ids() == ["ckpt-000000"]


def _fork(target) -> tuple[int, int]:
    """Run ``target(write_fd)`` in a forked child; return (pid, read_fd)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read_fd)
        code = 0
        try:
            target(write_fd)
        except BaseException as exc:  # noqa: BLE001
            os.write(write_fd, f"ERR {exc!r}\n".encode())
            code = 1
        os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _read_all(fd: int) -> list[str]:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode().split()


def _assert_store_sound(store: CheckpointStore, at_least: str | None) -> str:
    """The store verifies and loads its newest checkpoint without warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorruptCheckpointWarning)
        assert store.verify() == []
        loaded = store.load()
    assert loaded.history[-1].run == len(loaded.history) - 1
    assert loaded.history[-1].checkpoint == loaded.id
    if at_least is not None:
        assert loaded.id >= at_least
    return loaded.id


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_checkpoint_store_survives_sigkill_at_random_points(tmp_path, data):
    """24 writers killed after random delays mid-save leave a loadable store."""
    clf, store = _fitted(tmp_path / "s", data, n_runs=2)
    store = CheckpointStore(store.path, keep_last=3)
    rng = np.random.default_rng(20240605)
    newest = store.load().id
    n_entries = len(store.log())

    def writer(fd):
        while True:
            os.write(fd, (store.save(clf) + "\n").encode())

    tic = time.perf_counter()
    store.save(clf)
    one_save = time.perf_counter() - tic
    newest = _assert_store_sound(store, newest)
    n_entries += 1
    debris = 0
    for _ in range(24):
        pid, fd = _fork(writer)
        time.sleep(rng.uniform(0.2, 4.0) * one_save)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        done = _read_all(fd)
        assert not any(d.startswith("ERR") for d in done), done
        debris += any(p.name not in store.ids() for p in store.path.glob("*ckpt-*"))
        debris += any(store.path.glob(".staging-*")) or any(
            store.path.glob(".lineage.json.tmp-*")
        )
        loaded = _assert_store_sound(store, done[-1] if done else newest)
        log = store.log()
        # Every completed save is in the lineage; at most one more committed.
        assert len(log) - n_entries in (len(done), len(done) + 1)
        assert set(done) <= set(log["id"])
        assert log["seq"].tolist() == list(range(len(log)))
        newest, n_entries = loaded, len(log)
    assert len(store.ids()) == 3
    assert debris >= 5  # many kills landed mid-save (left staging or orphans)


_STEPS = ("write", "fsync", "replace", "rename", "mkdir", "unlink", "rmdir")


def _kill_at_step(step: float, fd: int) -> list[int]:  # pragma: no cover - child
    """SIGKILL this process just before its ``step``-th filesystem call."""
    count = [0]
    for name in _STEPS:
        real = getattr(os, name)

        def gate(*args, _real=real, **kwargs):
            if not (args and args[0] == fd):  # the report pipe is not the store
                count[0] += 1
                if count[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
            return _real(*args, **kwargs)

        setattr(os, name, gate)
    return count


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_checkpoint_store_survives_sigkill_at_every_write_step(tmp_path, data):
    """A writer killed before each filesystem call of a save leaves a sound store."""
    clf, store = _fitted(tmp_path / "s", data, n_runs=2)
    store = CheckpointStore(store.path, keep_last=2)

    def dry_run(fd):
        count = _kill_at_step(float("inf"), fd)
        store.save(clf)
        os.write(fd, f"{count[0]}\n".encode())

    pid, fd = _fork(dry_run)
    os.waitpid(pid, 0)
    n_steps = int(_read_all(fd)[0])
    assert n_steps >= 15  # writes, fsyncs, renames, prune
    for step in range(1, n_steps + 1):
        before = _assert_store_sound(store, None)

        def killed(fd, step=step):
            _kill_at_step(step, fd)
            store.save(clf)
            os.write(fd, b"survived\n")

        pid, fd = _fork(killed)
        os.waitpid(pid, 0)
        assert _read_all(fd) == []
        after = _assert_store_sound(store, before)
        assert after in (before, f"ckpt-{int(before[5:]) + 1:06d}")
    assert len(store.ids()) == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_checkpoint_store_serialises_two_writer_processes(tmp_path, data):
    """Two processes saving concurrently: every entry kept, none interleaved."""
    X, y = data
    a, store = _fitted(tmp_path / "s", data, n_runs=1)
    b = WarmStartClassifier(SGDClassifier(), random_state=1).fit(X, y).fit(X, y)

    def writer(est):
        def run(fd):
            for _ in range(8):
                os.write(fd, (store.save(est) + "\n").encode())

        return run

    children = [_fork(writer(a)), _fork(writer(b))]
    done = []
    for pid, fd in children:
        os.waitpid(pid, 0)
        ids = _read_all(fd)
        assert len(ids) == 8 and ids == sorted(ids)
        done.append(ids)
    log = store.log()
    assert len(log) == 17 and log["id"].is_unique
    assert set(done[0]) | set(done[1]) == set(log["id"][1:])
    assert log["seq"].tolist() == list(range(17))
    by_id = dict(zip(log["id"], log["n_runs"]))
    assert {by_id[i] for i in done[0]} == {1} and {by_id[i] for i in done[1]} == {2}
    assert store.verify() == []
    assert not list(store.path.glob(".staging-*"))


def test_checkpoint_directory_fsync_failure_after_commit_keeps_it(
    tmp_path, data, monkeypatch
):
    """If only the final directory sync fails, the committed checkpoint stays."""
    X, y = data
    clf, store = _fitted(tmp_path / "s", data, n_runs=1)
    real = ck.store.atomic_write

    def replaced_then_failed(path, payload):
        real(path, payload)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(ck.store, "atomic_write", replaced_then_failed)
    with pytest.warns(RuntimeWarning, match="may not survive a power loss"):
        clf.fit(X, y)
    monkeypatch.undo()
    assert clf.history_[-1].checkpoint == "ckpt-000001"
    assert store.verify() == [] and store.load().id == "ckpt-000001"


_LEGACY = Path(__file__).resolve().parent / "fixtures" / "legacy_store"


@pytest.mark.parametrize("name", ["sgd", "pipeline"])
def test_resume_legacy_store_continues_as_recorded(tmp_path, name):
    """A store written before the checkpoint package resumes and continues exactly."""
    from tests.fixtures.make_legacy_store import data

    expected = json.loads((_LEGACY / "expected.json").read_text())[name]
    store = tmp_path / name
    shutil.copytree(_LEGACY / name, store)  # never write into the fixture
    X, y = data()
    back = WarmStartClassifier.resume(store)
    assert back.n_runs_ == expected["n_runs"] == 3
    assert [r.checkpoint for r in back.history_] == expected["checkpoints"]
    assert back.predict(X).tolist() == expected["predict"]
    np.testing.assert_allclose(
        back.decision_function(X[:40]), expected["decision_function"], atol=1e-6
    )
    if expected["method"] == "partial_fit":
        back.partial_fit(X[240:], y[240:])
    else:
        back.fit(X, y)
    assert back.predict(X).tolist() == expected["continued_predict"]
    assert back.history_[-1].checkpoint == "ckpt-000003"
    assert CheckpointStore(store).verify() == []


def test_checkpoint_store_verify_reports_a_tampered_manifest(tmp_path, data):
    """A checkpoint's own manifest.json is verified like its other files."""
    clf, store = _fitted(tmp_path / "s", data, n_runs=2)
    target = store.path / "ckpt-000001" / "manifest.json"
    manifest = json.loads(target.read_bytes())
    manifest["start"] = "cold"  # same keys, a rewritten lineage fact
    target.write_bytes(json.dumps(manifest, sort_keys=True).encode())
    problems = store.verify()
    assert [(p.checkpoint, p.file, p.problem) for p in problems] == [
        ("ckpt-000001", "manifest.json", "hash mismatch")
    ]
    with pytest.warns(CorruptCheckpointWarning, match="ckpt-000001/manifest.json"):
        assert store.load().id == "ckpt-000000"


def test_checkpoint_store_loads_an_older_checkpoint_by_id(tmp_path, data):
    """store.load(id) returns that run's model and history, not the newest."""
    X, y = data
    store = CheckpointStore(tmp_path / "s")
    clf = WarmStartClassifier(
        SGDClassifier(max_iter=20, tol=None), checkpoint=store, random_state=0
    )
    first = clf.fit(X[:200], y[:200]).estimator_
    first_coef = first.coef_.copy()
    clf.fit(X[:300], y[:300]).fit(X, y)
    old = store.load("ckpt-000000")
    assert old.id == "ckpt-000000" and len(old.history) == 1
    assert old.history[-1].checkpoint == "ckpt-000000"
    np.testing.assert_array_equal(old.model.coef_, first_coef)
    assert not np.array_equal(old.model.coef_, clf.estimator_.coef_)
    np.testing.assert_array_equal(
        store.load_model("ckpt-000001").predict(X),
        WarmStartClassifier(SGDClassifier(max_iter=20, tol=None), random_state=0)
        .fit(X[:200], y[:200])
        .fit(X[:300], y[:300])
        .predict(X),
    )
    with pytest.raises(CheckpointError, match="No kept checkpoint 'ckpt-000009'"):
        store.load("ckpt-000009")


def test_checkpoint_scheduled_fit_writes_once_and_resumes(tmp_path, data):
    """A schedule commits once: one checkpoint with every run; resume continues it."""
    from sklearn_warmstart import Retrain

    X, y = data
    kwargs = dict(schedule=Retrain(n_runs=3), reset=Every(2), random_state=0)
    model = SGDClassifier(max_iter=20, tol=None)
    clf = WarmStartClassifier(model, checkpoint=tmp_path / "s", **kwargs).fit(X, y)
    store = CheckpointStore(tmp_path / "s")
    assert store.ids() == ["ckpt-000000"]
    assert [r.checkpoint for r in clf.history_] == [None, None, "ckpt-000000"]
    back = WarmStartClassifier.resume(store)
    assert back.n_runs_ == 3 and repr(back.schedule) == repr(Retrain(n_runs=3))
    assert [r.start for r in back.history_] == [r.start for r in clf.history_]
    assert back.policy_state_ == clf.policy_state_
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))
    back.fit(X, y)  # a schedule replays from a fresh state, as a new clf would
    twin = WarmStartClassifier(model, **kwargs).fit(X, y)
    np.testing.assert_array_equal(back.predict(X), twin.predict(X))
    assert store.ids() == ["ckpt-000000", "ckpt-000001"]
    assert store.log()["n_runs"].tolist() == [3, 3]


def _rewrite_format(store, checkpoint_id, value):
    """Set (or, for None, drop) a checkpoint's format in its manifest and lineage."""
    folder = store.path / checkpoint_id
    manifest = json.loads((folder / "manifest.json").read_bytes())
    manifest.pop("format", None)
    if value is not None:
        manifest["format"] = value
    data = json.dumps(manifest).encode()
    (folder / "manifest.json").write_bytes(data)
    doc = json.loads((store.path / "lineage.json").read_bytes())
    for entry in doc["entries"]:
        if entry["id"] == checkpoint_id:
            entry.pop("format", None)
            if value is not None:
                entry["format"] = value
            entry["manifest_sha256"] = hashlib.sha256(data).hexdigest()
    (store.path / "lineage.json").write_text(json.dumps(doc))


def test_checkpoint_manifest_carries_its_format_version(tmp_path, data):
    """Manifests say their format; none means 0 (read); a newer one is refused."""
    clf, store = _fitted(tmp_path / "s", data, n_runs=2)
    manifest = json.loads((store.path / "ckpt-000001" / "manifest.json").read_bytes())
    assert manifest["format"] == ck.FORMAT == 1
    assert store.log()["id"].tolist() == ["ckpt-000000", "ckpt-000001"]
    _rewrite_format(store, "ckpt-000001", None)
    assert store.verify() == []
    assert store.load().id == "ckpt-000001"
    _rewrite_format(store, "ckpt-000001", 99)
    with pytest.raises(CheckpointError, match="has format 99.*reads formats 0 to 1"):
        store.load()
    with pytest.raises(CheckpointError, match="has format 99"):
        WarmStartClassifier.resume(store)


@pytest.mark.parametrize(
    "module, allowed",
    [
        ("checkpoints/store.py", {"_serial"}),
        ("_serial.py", {"_compat"}),
        ("checkpoints/codec.py", {"_serial", "adapters", "records", "store"}),
    ],
)
def test_checkpoint_layers_import_only_below_them(module, allowed):
    """The store knows bytes; the primitives are a leaf; the codec needs no estimator."""
    import ast

    package = Path(__file__).parents[1] / "sklearn_warmstart"
    tree = ast.parse((package / module).read_text())
    found = {
        (node.module or "").split(".")[0] or "."
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level > 0
    }
    assert found <= allowed, f"{module} imports {sorted(found - allowed)}"
