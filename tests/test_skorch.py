"""skorch nets: every start, records, streaming, determinism and the device data path."""

import importlib
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skorch import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402
from skorch.dataset import Dataset, ValidSplit  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, Subset  # noqa: E402

from sklearn_warmstart import (  # noqa: E402
    ArchitectureChangedError,
    Cold,
    Every,
    PartialReset,
    Perturb,
    ShrinkPerturb,
    UnsupportedStartError,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart.adapters import adapter_for  # noqa: E402
from sklearn_warmstart.adapters.skorch import SkorchAdapter, torch_rng  # noqa: E402
from sklearn_warmstart.torch_data import DeviceDataLoader  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny nets: torch's thread pool only adds contention on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class MLP(nn.Module):
    """Two hidden ReLU layers with dropout, then a linear output."""

    def __init__(self, n_in=5, hidden=8, n_out=2, dropout=0.1):
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.output = nn.Linear(hidden, n_out)

    def forward(self, X):
        return self.output(self.hidden(X.float()))


def make_net(**params):
    defaults = dict(
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=3,
        batch_size=32,
        train_split=None,
        verbose=0,
    )
    return NeuralNetClassifier(MLP, **(defaults | params))


def data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)
    return X, y


def weights(model):
    return {k: v.detach().clone() for k, v in model.module_.state_dict().items()}


def assert_same(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_adapter_for_skorch_net():
    """A skorch net is handled by the SkorchAdapter."""
    assert isinstance(adapter_for(make_net()), SkorchAdapter)


def test_shrink_perturb_one_zero_equals_warm():
    """ShrinkPerturb(1, 0) gives exactly the warm run's weights (Adam, dropout)."""
    X, y = data()
    warm = WarmStartClassifier(make_net(), start="warm", random_state=0)
    sp = WarmStartClassifier(make_net(), start=ShrinkPerturb(1.0, 0.0), random_state=0)
    for est in (warm, sp):
        est.fit(X[:120], y[:120]).fit(X, y)
    assert_same(weights(warm.estimator_), weights(sp.estimator_))
    # both really started from run 0's weights
    for est in (warm, sp):
        assert est.history_[1].theta_start_norm == est.history_[0].theta_end_norm


def test_shrink_perturb_zero_one_equals_cold_from_same_seed():
    """ShrinkPerturb(0, 1) trains exactly as a cold run from the same seed."""
    X, y = data()
    sp = WarmStartClassifier(make_net(), start=ShrinkPerturb(0.0, 1.0), random_state=0)
    sp.fit(X[:120], y[:120]).fit(X, y)
    seed = sp.history_[1].seed
    adapter = SkorchAdapter(make_net())
    with adapter.seeded(seed):
        cold, theta0 = adapter.train(
            make_net(), None, Cold(), X, y, seed=seed, fit_params={}
        )
    assert_same(weights(sp.estimator_), weights(cold))
    norm0 = float(torch.sqrt(sum(v.double().pow(2).sum() for v in theta0.values())))
    assert sp.history_[1].theta_start_norm == pytest.approx(norm0, rel=1e-12)


def test_warm_start_flag_keeps_optimizer_state():
    """The net's warm_start=True carries Adam's step count; the default resets it."""
    X, y = data()
    steps = {}
    for flag in (False, True):
        est = WarmStartClassifier(make_net(warm_start=flag), random_state=0)
        est.fit(X, y).fit(X, y)
        state = est.estimator_.optimizer_.state_dict()["state"]
        steps[flag] = int(next(iter(state.values()))["step"])
    per_run = 3 * int(np.ceil(len(X) / 32))
    assert steps == {False: per_run, True: 2 * per_run}


def test_same_random_state_gives_identical_weights():
    """A sequence of runs with every start is reproducible from random_state."""
    X, y = data()

    def sequence(random_state):
        est = WarmStartClassifier(make_net(), random_state=random_state)
        est.fit(X[:80], y[:80])
        for start in (
            ShrinkPerturb(0.4, 0.1),
            Perturb(0.05),
            PartialReset(layers="output.*", dormant=0.1),
        ):
            est.set_params(start=start).fit(X, y)
        return weights(est.estimator_)

    first, again, other = sequence(0), sequence(0), sequence(1)
    assert_same(first, again)
    assert any(not torch.equal(first[k], other[k]) for k in first)


def test_runs_leave_torch_global_rng_untouched():
    """fit and partial_fit neither use nor advance torch's global generator."""
    X, y = data()
    before = torch.get_rng_state()
    est = WarmStartClassifier(make_net(), start=ShrinkPerturb(), random_state=0)
    est.fit(X, y).fit(X, y)
    est = WarmStartClassifier(make_net(), random_state=0)
    est.partial_fit(X[:60], y[:60]).partial_fit(X[60:], y[60:])
    assert torch.equal(before, torch.get_rng_state())


def test_architecture_change_raises_for_warm():
    """A changed module__hidden is a clear error for warm and commits nothing."""
    X, y = data()
    est = WarmStartClassifier(make_net(module__hidden=8), random_state=0).fit(X, y)
    kept = weights(est.estimator_)
    est.set_params(estimator__module__hidden=16)
    with pytest.raises(ArchitectureChangedError, match=r"module__\* parameters"):
        est.fit(X, y)
    assert est.n_runs_ == 1
    assert_same(kept, weights(est.estimator_))
    est.set_params(start="cold").fit(X, y)
    assert est.estimator_.module_.output.in_features == 16


def test_partial_reset_fraction_is_unsupported():
    """PartialReset(fraction=...) names the options a net supports, at the first fit."""
    X, y = data()
    est = WarmStartClassifier(make_net(), start=PartialReset(fraction=0.5))
    with pytest.raises(UnsupportedStartError, match="layers="):
        est.fit(X, y)
    assert not hasattr(est, "estimator_")


def test_partial_reset_layers_replaces_matched_parameters():
    """layers='output.*' gives the output layer fresh weights and keeps the rest."""
    X, y = data()
    est = WarmStartClassifier(make_net(), random_state=0).fit(X, y)
    prev = weights(est.estimator_)
    est.set_params(start=PartialReset(layers="output.*"), estimator__max_epochs=0)
    est.fit(X, y)
    theta0 = weights(est.estimator_)  # no epochs: the run's start state
    fresh = SkorchAdapter(make_net()).fresh_parameters(
        make_net(), X, y, est.history_[1].seed, None
    )
    for name in prev:
        expected = fresh[name] if name.startswith("output.") else prev[name]
        assert torch.equal(theta0[name], expected), name


def test_partial_reset_dormant_resets_dead_units():
    """ReDo: dead hidden units get fresh incoming and zero outgoing weights."""
    X, y = data()
    with torch_rng("cpu", seed=0):
        init = make_net(module__dropout=0.0).fit(X, y)
    with torch.no_grad():
        init.module_.hidden[3].bias[:3] = -1e3  # units 0-2 of layer 2 never fire
        init.module_.hidden[3].bias[3:] = 1e3  # the others always do
    prev = weights(init)
    est = WarmStartClassifier(
        make_net(module__dropout=0.0, max_epochs=0),
        start=PartialReset(dormant=0.0),
        init=init,
        random_state=0,
    ).fit(X, y)
    theta0 = weights(est.estimator_)
    fresh = SkorchAdapter(make_net()).fresh_parameters(
        make_net(module__dropout=0.0), X, y, est.history_[0].seed, None
    )
    dead = torch.zeros(8, dtype=torch.bool)
    dead[:3] = True
    assert torch.equal(theta0["hidden.3.weight"][dead], fresh["hidden.3.weight"][dead])
    assert torch.equal(theta0["hidden.3.bias"][dead], fresh["hidden.3.bias"][dead])
    assert torch.equal(theta0["hidden.3.weight"][~dead], prev["hidden.3.weight"][~dead])
    assert torch.count_nonzero(theta0["output.weight"][:, dead]) == 0
    assert torch.equal(
        theta0["output.weight"][:, ~dead], prev["output.weight"][:, ~dead]
    )
    assert torch.equal(theta0["hidden.0.weight"], prev["hidden.0.weight"])


def test_perturb_adds_relative_noise_on_device():
    """Perturb(σ) adds noise of relative size σ; Perturb(0) is the warm start."""
    X, y = data()
    est = WarmStartClassifier(make_net(), random_state=0).fit(X, y)
    prev = weights(est.estimator_)
    est.set_params(start=Perturb(0.0), estimator__max_epochs=0).fit(X, y)
    assert_same(prev, weights(est.estimator_))
    est.set_params(start=Perturb(0.1)).fit(X, y)
    w_prev, w_new = prev["hidden.3.weight"], weights(est.estimator_)["hidden.3.weight"]
    relative = (w_new - w_prev).pow(2).mean().sqrt() / w_prev.pow(2).mean().sqrt()
    assert 0.05 < float(relative) < 0.2


class _BatchNorms(Callback):
    """Independent reference: total gradient norm of every training batch."""

    def initialize(self):
        self.norms_ = []
        return self

    def on_grad_computed(self, net, named_parameters, training=False, **kwargs):
        grads = [p.grad for _, p in named_parameters if p.grad is not None]
        self.norms_.append(float(torch.norm(torch.stack([g.norm() for g in grads]))))


def test_grad_norms_recorded_per_epoch():
    """Records hold one gradient norm per epoch: the mean of the batch norms."""
    X, y = data()
    ref = _BatchNorms()
    net = make_net(callbacks=[("ref", ref)], max_epochs=4)
    est = WarmStartClassifier(net, random_state=0).fit(X, y)
    record = est.history_[0]
    n_batches = int(np.ceil(len(X) / 32))
    batch_norms = dict(est.estimator_.callbacks_)["ref"].norms_
    assert record.n_iter == 4 and len(batch_norms) == 4 * n_batches
    expected = np.mean(np.reshape(batch_norms, (4, n_batches)), axis=1)
    np.testing.assert_allclose(record.grad_norms, expected, rtol=1e-5)
    assert len(record.loss_curve) == 4 and record.valid_loss_curve == ()


def test_valid_loss_recorded_with_a_validation_split():
    """With a validation split, each run records its valid loss per epoch."""
    X, y = data()
    net = make_net(train_split=ValidSplit(4, stratified=True))
    est = WarmStartClassifier(net, random_state=0).fit(X, y).fit(X, y)
    assert len(est.history_[1].valid_loss_curve) == 3
    assert all(np.isfinite(est.history_[1].valid_loss_curve))


def test_partial_fit_trains_one_epoch_per_chunk():
    """Each streaming chunk is one pass; older per-batch history is dropped."""
    X, y = data()
    est = WarmStartClassifier(make_net(max_epochs=5), random_state=0)
    for start in range(0, 240, 60):
        est.partial_fit(X[start : start + 60], y[start : start + 60], classes=[0, 1])
    assert [r.n_iter for r in est.history_] == [1, 1, 1, 1]
    assert all(len(r.grad_norms) == 1 for r in est.history_)
    history = est.estimator_.history
    assert len(history) == 4
    assert [len(row["batches"]) for row in history] == [0, 0, 0, 2]


def test_partial_fit_reset_trains_on_the_buffer():
    """A triggered streaming reset trains a fresh net on the buffered rows."""
    X, y = data()
    est = WarmStartClassifier(
        make_net(max_epochs=4), reset=Every(3), buffer_size=100, random_state=0
    )
    for start in range(0, 240, 60):
        est.partial_fit(X[start : start + 60], y[start : start + 60])
    records = est.history_
    assert [r.start for r in records] == ["cold", "warm", "warm", "cold"]
    assert records[3].n_iter == 4 and records[3].n_samples == 100
    assert records[3].trigger == "every(3)"


def test_shrink_perturb_one_zero_equals_warm_in_partial_fit():
    """In streaming too, ShrinkPerturb(1, 0) is exactly the warm chunk."""
    X, y = data()
    runs = {}
    for start in ("warm", ShrinkPerturb(1.0, 0.0)):
        est = WarmStartClassifier(make_net(), start=start, random_state=0)
        est.partial_fit(X[:120], y[:120]).partial_fit(X[120:], y[120:])
        runs[str(start)] = weights(est.estimator_)
    assert_same(*runs.values())


def test_grid_search_over_net_parameters():
    """GridSearchCV searches estimator__lr and estimator__module__hidden."""
    X, y = data()
    search = GridSearchCV(
        WarmStartClassifier(make_net(), random_state=0),
        {"estimator__lr": [0.01, 0.05], "estimator__module__hidden": [4, 8]},
        cv=2,
    ).fit(X, y)
    assert set(search.best_params_) == {"estimator__lr", "estimator__module__hidden"}
    hidden = search.best_params_["estimator__module__hidden"]
    assert search.best_estimator_.estimator_.module_.output.in_features == hidden


def test_pipeline_runs_record_every_run():
    """In a Pipeline, cold and warm runs of the net are seeded and recorded."""
    X, y = data()
    pipe = Pipeline([("scale", StandardScaler()), ("net", make_net())])
    runs = []
    for _ in range(2):
        est = WarmStartClassifier(pipe, start=ShrinkPerturb(), random_state=0)
        est.fit(X[:120], y[:120]).fit(X, y)
        runs.append(weights(est.estimator_[-1]))
        assert [len(r.grad_norms) for r in est.history_] == [3, 3]
    assert_same(*runs)


def test_clone_and_pickle_round_trip():
    """A fitted wrapper pickles, predicts the same and keeps training."""
    X, y = data()
    est = WarmStartClassifier(make_net(), start=ShrinkPerturb(), random_state=0)
    assert clone(est).get_params()["estimator__lr"] == 0.01
    est.fit(X[:120], y[:120])
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.predict_proba(X), est.predict_proba(X))
    est.fit(X, y)
    copy.fit(X, y)
    assert_same(weights(est.estimator_), weights(copy.estimator_))


def test_regressor_takes_one_dimensional_targets():
    """A NeuralNetRegressor trains on 1-D y (as a column) with finite records."""
    X, _ = data()
    y = (X @ np.arange(1, 6, dtype=np.float32)).astype(np.float32)
    net = NeuralNetRegressor(
        MLP,
        module__n_out=1,
        lr=0.01,
        optimizer=torch.optim.Adam,
        max_epochs=5,
        train_split=None,
        verbose=0,
    )
    est = WarmStartRegressor(net, random_state=0).fit(X, y).fit(X, y)
    record = est.history_[1]
    assert np.isfinite(record.prequential_score)
    assert record.loss_curve[-1] < est.history_[0].loss_curve[0]


def test_device_data_loader_batches_every_row_once():
    """Shuffled resident batches cover each row once, reproducibly, on Subsets too."""
    X, y = np.arange(40, dtype=np.float32).reshape(20, 2), np.arange(20)
    subset = Subset(Dataset(X, y), np.arange(3, 18))
    gen = torch.Generator().manual_seed(0)
    loader = DeviceDataLoader(subset, batch_size=4, shuffle=True, generator=gen)
    assert loader.resident and len(loader) == 4
    epoch1 = torch.cat([yb for _, yb in loader])
    epoch2 = torch.cat([yb for _, yb in loader])
    assert sorted(epoch1.tolist()) == list(range(3, 18))
    assert not torch.equal(epoch1, epoch2)
    again = DeviceDataLoader(
        subset, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    assert torch.equal(epoch1, torch.cat([yb for _, yb in again]))
    Xb, _ = next(iter(DeviceDataLoader(Dataset(X, y), batch_size=3)))
    assert torch.equal(Xb, torch.as_tensor(X[:3]))
    dropped = DeviceDataLoader(Dataset(X, None), batch_size=8, drop_last=True)
    assert [tuple(yb.shape) for _, yb in dropped] == [(8, 1), (8, 1)]


def test_device_data_loader_falls_back_cleanly(monkeypatch):
    """Unsupported datasets or data too large for the device use DataLoader."""
    X, y = np.ones((10, 2), np.float32), np.arange(10)
    loader = DeviceDataLoader(Dataset({"a": X}, y), batch_size=4)
    assert not loader.resident and "plain dense arrays" in loader.fallback_reason
    assert [len(yb) for _, yb in loader] == [4, 4, 2]
    monkeypatch.setattr("sklearn_warmstart.torch_data._free_bytes", lambda d: 100.0)
    small = DeviceDataLoader(Dataset(X, y), batch_size=4)
    assert not small.resident and "MiB" in small.fallback_reason
    assert isinstance(small._loader, DataLoader)


def test_device_data_path_selected_by_iterator_train():
    """iterator_train=DeviceDataLoader switches training and validation to it."""
    X, y = data()
    net = make_net(iterator_train=DeviceDataLoader, iterator_train__shuffle=True)
    est = WarmStartClassifier(net, random_state=0).fit(X, y).fit(X, y)
    model = est.estimator_
    assert model.iterator_valid is DeviceDataLoader
    assert model.iterator_train__device == "cpu"
    assert est.history_[1].train_score > 0.9
    default = WarmStartClassifier(make_net(), random_state=0).fit(X, y)
    assert default.estimator_.iterator_train is DataLoader  # auto: CUDA only


def test_import_does_not_import_torch():
    """Importing sklearn_warmstart imports neither torch nor skorch."""
    code = (
        "import sys, sklearn_warmstart; "
        "print(sorted(m for m in ('torch', 'skorch', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_missing_torch_error_names_the_extra(monkeypatch):
    """Without torch, wrapping a skorch net says which extra to install."""
    net = make_net()
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.delitem(sys.modules, "sklearn_warmstart.adapters.skorch")
    monkeypatch.delitem(sys.modules, "sklearn_warmstart.torch_data")
    extra = r'pip install "sklearn-warmstart\[torch\]"'
    with pytest.raises(ImportError, match=extra):
        adapter_for(net)
    with pytest.raises(ImportError, match=extra):
        importlib.import_module("sklearn_warmstart.torch_data")


@pytest.mark.gpu
@cuda
def test_cuda_end_to_end_keeps_policy_on_device():
    """device='cuda': resident data by default, θ and the start arithmetic on the GPU."""
    X, y = data(n=2000)
    est = WarmStartClassifier(
        make_net(device="cuda", batch_size=256), start=ShrinkPerturb(), random_state=0
    )
    est.fit(X[:1000], y[:1000]).fit(X, y)
    model = est.estimator_
    assert model.iterator_train is DeviceDataLoader
    assert all(t.is_cuda for t in model.module_.state_dict().values())
    assert est.history_[1].train_score > 0.9
    theta = SkorchAdapter(model).combine(
        ShrinkPerturb(0.5, 0.5), weights(model), weights(model), seed=0
    )
    assert all(t.is_cuda for t in theta.values())


@pytest.mark.gpu
@cuda
def test_cuda_partial_fit_and_pickle():
    """Streaming on CUDA trains one pass per chunk and pickles."""
    X, y = data(n=600)
    est = WarmStartClassifier(make_net(device="cuda"), random_state=0)
    for start in range(0, 600, 200):
        est.partial_fit(X[start : start + 200], y[start : start + 200])
    assert [r.n_iter for r in est.history_] == [1, 1, 1]
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.predict(X), est.predict(X))
