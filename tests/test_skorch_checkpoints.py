"""skorch nets in checkpoint stores: state-dict payloads, exact resume, init, safety."""

import dataclasses
import io
import json
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skorch import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from torch import nn  # noqa: E402

from sklearn_warmstart import (  # noqa: E402
    ArchitectureChangedError,
    Every,
    ShrinkPerturb,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart.adapters.skorch import (  # noqa: E402
    SkorchAdapter,
    _from_plain,
    _to_plain,
)
from sklearn_warmstart.checkpoints import (  # noqa: E402
    CheckpointError,
    CheckpointStore,
    CorruptCheckpointWarning,
    UnsafeCheckpointError,
    load_model,
)
from sklearn_warmstart.torch_data import DeviceDataLoader  # noqa: E402
from tests.checkpoint_attacks import Evil, forge  # noqa: E402

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny nets: torch's thread pool only adds contention on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class MLP(nn.Module):
    """One hidden ReLU layer with dropout, then a linear output."""

    def __init__(self, n_in=5, hidden=8, n_out=2, dropout=0.1):
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(dropout)
        )
        self.output = nn.Linear(hidden, n_out)

    def forward(self, X):
        return self.output(self.hidden(X.float()))


class Other(nn.Module):
    """A module with other parameter names than MLP."""

    def __init__(self, n_in=5, n_out=2):
        super().__init__()
        self.layer = nn.Linear(n_in, n_out)

    def forward(self, X):
        return self.layer(X.float())


_DEFAULTS = dict(
    optimizer=torch.optim.Adam,
    lr=0.01,
    max_epochs=3,
    batch_size=32,
    train_split=None,
    verbose=0,
)


def make_clf(module=MLP, **params):
    return NeuralNetClassifier(
        module, criterion=nn.CrossEntropyLoss, **(_DEFAULTS | params)
    )


def make_reg(**params):
    return NeuralNetRegressor(
        MLP, module__n_out=1, criterion=nn.MSELoss, **(_DEFAULTS | params)
    )


def data(n=240, seed=0, regression=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    signal = X[:, 0] + 0.5 * X[:, 1]
    if regression:
        return X, (signal + 0.1 * rng.normal(size=n)).astype(np.float32)
    return X, (signal > 0).astype(np.int64)


def weights(net):
    return {k: v.detach().clone() for k, v in net.module_.state_dict().items()}


def assert_same_tensors(a, b):
    """Equal nested dicts/lists of tensors and plain values, bit for bit."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and torch.equal(a.cpu(), b.cpu())
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            assert_same_tensors(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same_tensors(x, y)
    else:
        assert a == b


def comparable(record):
    """A run record without the fields that differ between two processes."""
    fields = dataclasses.asdict(record)
    for name in ("fit_time", "peak_memory", "checkpoint"):
        fields.pop(name)
    return json.dumps(fields, sort_keys=True, default=str)


# ----------------------------------------------------------------------------- payload


def test_skorch_checkpoint_payload_is_state_dicts_not_a_pickled_net(tmp_path):
    """Each committed run writes module and optimizer state dicts, no pickled net."""
    X, y = data()
    store = CheckpointStore(tmp_path / "s")
    clf = WarmStartClassifier(make_clf(), checkpoint=store, random_state=0)
    clf.fit(X[:120], y[:120]).fit(X, y)
    assert [r.checkpoint for r in clf.history_] == ["ckpt-000000", "ckpt-000001"]
    assert store.log()["payload"].tolist() == ["adapter:SkorchAdapter"] * 2
    folder = store.path / "ckpt-000001"
    names = {p.name for p in folder.iterdir()}
    assert {"payload.pt", "payload.json"} <= names and "model.skops" not in names
    raw = (folder / "payload.pt").read_bytes()
    # A pickled net or module would name its classes; state dicts name none.
    for name in (b"skorch", b"NeuralNetClassifier", b"test_skorch_checkpoints"):
        assert name not in raw
    tensors = torch.load(io.BytesIO(raw), weights_only=True)
    assert_same_tensors(tensors["modules"]["module"], weights(clf.estimator_))
    assert_same_tensors(
        tensors["optimizers"]["optimizer"], clf.estimator_.optimizer_.state_dict()
    )
    doc = json.loads((folder / "payload.json").read_bytes())
    assert doc["kind"] == "skorch-net"
    assert doc["json"]["params"]["lr"] == 0.01
    assert store.verify() == []


def test_skorch_plain_values_round_trip_through_json():
    """Tuples, nested dicts and numpy scalars survive the payload's JSON."""
    value = {"a": (1, [2.5, (3, "x")]), "b": np.float32(0.5), "c": None}
    back = _from_plain(json.loads(json.dumps(_to_plain(value))))
    assert back == {"a": (1, [2.5, (3, "x")]), "b": 0.5, "c": None}
    assert isinstance(back["a"], tuple) and isinstance(back["a"][1][1], tuple)


# ----------------------------------------------------------------------------- resume


@pytest.mark.parametrize(
    "kind, start",
    [
        ("classifier", "warm"),
        ("classifier", ShrinkPerturb(0.6, 0.2)),
        ("regressor", ShrinkPerturb(0.6, 0.2)),
    ],
)
def test_skorch_resume_continues_exactly_as_uninterrupted(tmp_path, kind, start):
    """Runs after resume(path, estimator=net) equal the uninterrupted runs, bit for bit."""
    regression = kind == "regressor"
    X, y = data(regression=regression)
    # warm_start=True: each run continues the previous run's Adam moments.
    net = (make_reg if regression else make_clf)(warm_start=True)
    meta = WarmStartRegressor if regression else WarmStartClassifier
    rows = [slice(0, 120), slice(0, 160), slice(0, 200), slice(0, 240)]

    straight = meta(net, start=start, random_state=0)
    for r in rows:
        straight.fit(X[r], y[r])

    first = meta(net, start=start, checkpoint=tmp_path / "s", random_state=0)
    for r in rows[:2]:
        first.fit(X[r], y[r])
    torch_state = torch.random.get_rng_state()
    resumed = meta.resume(tmp_path / "s", estimator=net)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    assert resumed.estimator_ is not first.estimator_
    assert resumed.n_runs_ == 2
    for r in rows[2:]:
        resumed.fit(X[r], y[r])

    assert_same_tensors(weights(resumed.estimator_), weights(straight.estimator_))
    assert_same_tensors(
        resumed.estimator_.optimizer_.state_dict(),
        straight.estimator_.optimizer_.state_dict(),
    )
    assert [comparable(r) for r in resumed.history_] == [
        comparable(r) for r in straight.history_
    ]
    assert [r.checkpoint for r in resumed.history_] == [
        f"ckpt-{i:06d}" for i in range(4)
    ]
    np.testing.assert_array_equal(resumed.predict(X), straight.predict(X))
    if not regression:
        np.testing.assert_array_equal(
            resumed.predict_proba(X), straight.predict_proba(X)
        )


def test_skorch_resume_streaming_keeps_classes_history_and_data_path(tmp_path):
    """A resumed stream continues exactly: declared classes, epochs, device loader."""
    X, _ = data(n=300)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.8)
    y[60:120] = np.minimum(y[60:120], 1)  # the chunk before the interruption lacks 2
    net = make_clf(
        module__n_out=3, iterator_train=DeviceDataLoader, iterator_train__shuffle=True
    )
    chunks = [slice(i, i + 60) for i in range(0, 300, 60)]

    def run(est, parts):
        for part in parts:
            est.partial_fit(X[part], y[part], classes=[0, 1, 2])
        return est

    straight = run(WarmStartClassifier(net, reset=Every(3), random_state=0), chunks)
    first = WarmStartClassifier(
        net, reset=Every(3), checkpoint=tmp_path / "s", random_state=0
    )
    run(first, chunks[:2])
    resumed = WarmStartClassifier.resume(tmp_path / "s", estimator=net)

    loaded, original = resumed.estimator_, first.estimator_
    np.testing.assert_array_equal(loaded.classes_, [0, 1, 2])
    assert loaded.iterator_train is DeviceDataLoader
    assert (
        loaded.get_params()["iterator_train__device"]
        == original.get_params()["iterator_train__device"]
    )
    assert len(loaded.history) == len(original.history) == 2  # one epoch a chunk
    adapter = SkorchAdapter(net)
    for read in (adapter.n_iter, adapter.loss_curve, adapter.grad_norms):
        assert read(loaded) == read(original)

    run(resumed, chunks[2:])
    assert [r.start for r in resumed.history_] == [r.start for r in straight.history_]
    assert [r.start for r in resumed.history_][3] == "cold"  # Every(3) kept counting
    assert_same_tensors(weights(resumed.estimator_), weights(straight.estimator_))
    assert [comparable(r) for r in resumed.history_] == [
        comparable(r) for r in straight.history_
    ]


def test_skorch_pipeline_checkpoints_transformers_and_state_dicts(tmp_path):
    """A Pipeline ending in a net is stored (skops scaler + state dicts) and resumes."""
    X, y = data()
    X = X * 3 + 1

    def pipe():
        return Pipeline([("scale", StandardScaler()), ("net", make_clf())])

    clf = WarmStartClassifier(pipe(), checkpoint=tmp_path, random_state=0)
    clf.fit(X[:120], y[:120]).fit(X, y)
    assert [r.checkpoint for r in clf.history_] == ["ckpt-000000", "ckpt-000001"]
    files = {p.name for p in (tmp_path / "ckpt-000001").iterdir()}
    assert "payload.pt" in files and "model.skops" not in files
    log = CheckpointStore(tmp_path).log()
    assert log["payload"].tolist() == ["adapter:PipelineAdapter"] * 2
    back = WarmStartClassifier.resume(tmp_path, estimator=pipe())
    assert (
        back.estimator_.steps[0][0] == "scale" and back.estimator_.steps[1][0] == "net"
    )
    np.testing.assert_array_equal(back.estimator_[0].mean_, clf.estimator_[0].mean_)
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    clf.fit(X, y)
    back.fit(X, y)
    assert_same_tensors(weights(back.estimator_[-1]), weights(clf.estimator_[-1]))


def test_skorch_load_model_needs_the_configured_net(tmp_path):
    """Without the net, loading says how to pass it; a failed run writes nothing."""
    X, y = data()
    clf = WarmStartClassifier(make_clf(), checkpoint=tmp_path / "s", random_state=0)
    clf.fit(X, y)
    with pytest.raises(CheckpointError, match=r"load_model\(path, template="):
        load_model(tmp_path / "s")
    with pytest.raises(CheckpointError, match=r"resume\(path, estimator="):
        WarmStartClassifier.resume(tmp_path / "s")
    clf.set_params(estimator__module__hidden=4)
    with pytest.raises(ArchitectureChangedError, match="module changed since"):
        clf.fit(X, y)
    assert CheckpointStore(tmp_path / "s").ids() == ["ckpt-000000"]


def test_skorch_load_payload_restores_the_stored_net_on_the_templates_device(
    tmp_path,
):
    """Plain parameters come from the checkpoint, classes and device from the template."""
    X, y = data()
    trained = make_clf(lr=0.05, module__hidden=6)
    WarmStartClassifier(trained, checkpoint=tmp_path / "s", random_state=0).fit(X, y)
    template = make_clf(lr=0.01, module__hidden=6, device="cpu", max_epochs=7)
    net = load_model(tmp_path / "s", template=template)
    assert template.initialized_ is False  # the template is not modified
    assert (net.lr, net.max_epochs, net.device) == (0.05, 3, "cpu")
    assert all(not t.is_cuda for t in net.module_.state_dict().values())
    np.testing.assert_array_equal(net.classes_inferred_, [0, 1])
    assert net.history[-1, "epoch"] == 3 and net.history[-1, "batches"] == []

    # A module without the stored parameter names cannot take the state.
    with pytest.raises(CheckpointError, match="does not fit the given"):
        load_model(tmp_path / "s", template=make_clf(module=Other))
    # module__hidden absent from the template: the module's default (8) is used.
    with pytest.raises(CheckpointError, match="module__"):
        load_model(tmp_path / "s", template=make_clf())


def test_skorch_init_path_starts_from_the_stored_module(tmp_path):
    """init=path: the first run warm-starts from exactly the stored module weights."""
    X, y = data()
    parent = WarmStartClassifier(make_clf(), checkpoint=tmp_path / "s", random_state=0)
    parent.fit(X[:120], y[:120]).fit(X, y)
    stored = weights(parent.estimator_)
    child = WarmStartClassifier(make_clf(), init=tmp_path / "s", random_state=1)
    torch_state = torch.random.get_rng_state()
    child.fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    assert child.history_[0].start == "warm"
    assert child.history_[0].theta_start_norm == parent.history_[1].theta_end_norm
    # The same as training a fresh net from those weights with the child's seed.
    manual = WarmStartClassifier(
        make_clf(), init=parent.estimator_, random_state=1
    ).fit(X, y)
    assert_same_tensors(weights(child.estimator_), weights(manual.estimator_))
    assert not all(
        torch.equal(stored[k], v) for k, v in weights(child.estimator_).items()
    )

    older = WarmStartClassifier(
        make_clf(), init=tmp_path / "s" / "ckpt-000000", random_state=1
    ).fit(X, y)
    assert older.history_[0].theta_start_norm == parent.history_[0].theta_end_norm


# ----------------------------------------------------------------------------- safety


def _evil_pickle(marker):
    return pickle.dumps(Evil(marker))


def _evil_torch_file(marker):
    """A real torch.save archive shaped like the payload, one tensor a pickle bomb."""
    buffer = io.BytesIO()
    torch.save({"modules": {"module": {"output.weight": Evil(marker)}}}, buffer)
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize(
    "make_evil, unsafe_load",
    [
        (_evil_pickle, pickle.loads),
        (_evil_torch_file, lambda b: torch.load(io.BytesIO(b), weights_only=False)),
    ],
)
def test_skorch_malicious_state_dict_file_is_refused_unexecuted(
    tmp_path, make_evil, unsafe_load
):
    """A pickle disguised as payload.pt is refused by weights_only and never runs."""
    control = tmp_path / "control"
    unsafe_load(make_evil(control))
    assert control.exists()  # the payload is live when unpickled unsafely

    X, y = data()
    net = make_clf()
    store = CheckpointStore(tmp_path / "s")
    WarmStartClassifier(net, checkpoint=store, random_state=0).fit(X, y).fit(X, y)
    marker = tmp_path / "pwned"
    evil = make_evil(marker)
    # Hashes not matching: corruption, skipped with a warning naming it.
    (store.path / "ckpt-000001" / "payload.pt").write_bytes(evil)
    with pytest.warns(CorruptCheckpointWarning, match="ckpt-000001"):
        assert store.load(template=net).id == "ckpt-000000"
    # Hashes forged: it verifies, and weights_only refuses it.
    forge(store, "ckpt-000001", "payload.pt", evil)
    assert store.verify() == []
    with pytest.raises(UnsafeCheckpointError, match="weights_only"):
        store.load(template=net)
    with pytest.raises(UnsafeCheckpointError, match="weights_only"):
        WarmStartClassifier.resume(store, estimator=net)
    child = WarmStartClassifier(net, init=store.path)
    with pytest.raises(UnsafeCheckpointError, match="weights_only"):
        child.fit(X, y)
    assert not hasattr(child, "estimator_")
    assert not marker.exists()


def test_skorch_load_payload_refuses_attributes_that_are_not_plain(tmp_path):
    """A payload.json that would overwrite a net component is refused."""
    X, y = data()
    net = make_clf()
    clf = WarmStartClassifier(net, random_state=0).fit(X, y)
    adapter = SkorchAdapter(net)
    payload = adapter.state_payload(clf.estimator_)
    for name in ("module_", "_modules", "fit"):
        forged = dataclasses.replace(
            payload, json={**payload.json, "attributes": {name: 1}}
        )
        with pytest.raises(CheckpointError, match=repr(name)):
            adapter.load_payload(forged, net)
    back = adapter.load_payload(payload, net)
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))


# ----------------------------------------------------------------------------- GPU


@pytest.mark.gpu
@cuda
def test_cuda_checkpoint_resumes_on_the_device_and_moves_to_cpu(tmp_path):
    """A CUDA net's checkpoint resumes on the GPU and loads into a CPU net."""
    X, y = data(n=2000)
    net = make_clf(device="cuda", batch_size=256, warm_start=True)
    rows = [slice(0, 1000), slice(0, 1500), slice(0, 2000)]
    straight = WarmStartClassifier(net, start=ShrinkPerturb(), random_state=0)
    for r in rows:
        straight.fit(X[r], y[r])
    first = WarmStartClassifier(
        net, start=ShrinkPerturb(), checkpoint=tmp_path / "s", random_state=0
    )
    for r in rows[:2]:
        first.fit(X[r], y[r])
    resumed = WarmStartClassifier.resume(tmp_path / "s", estimator=net)
    model = resumed.estimator_
    assert model.iterator_train is DeviceDataLoader
    assert all(t.is_cuda for t in model.module_.state_dict().values())
    state = model.optimizer_.state_dict()["state"]
    assert all(s["exp_avg"].is_cuda for s in state.values())
    resumed.fit(X[rows[2]], y[rows[2]])
    for name, value in weights(straight.estimator_).items():
        torch.testing.assert_close(weights(resumed.estimator_)[name], value)

    on_cpu = load_model(tmp_path / "s", template=make_clf(batch_size=256))
    assert on_cpu.iterator_train is not DeviceDataLoader
    assert_same_tensors(weights(on_cpu), weights(first.estimator_))
    np.testing.assert_array_equal(on_cpu.predict(X), first.predict(X))
