"""LightGBM, XGBoost and CatBoost under every start, with native checkpoints."""

import json
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import SGDClassifier

from sklearn_warmstart import (
    Every,
    OnDrift,
    PartialReset,
    Perturb,
    Refresh,
    Retrain,
    ShrinkPerturb,
    UnsupportedStartError,
    Warm,
    WarmStartClassifier,
    WarmStartRegressor,
)
from sklearn_warmstart.adapters import XGBoostAdapter

lgb = pytest.importorskip("lightgbm")
xgb = pytest.importorskip("xgboost")
cb = pytest.importorskip("catboost")
pd = pytest.importorskip("pandas")


def _lgbm(n=20, **kw):
    return lgb.LGBMClassifier(n_estimators=n, n_jobs=1, verbose=-1, **kw)


def _xgbm(n=20, **kw):
    return xgb.XGBClassifier(n_estimators=n, n_jobs=1, **kw)


def _catm(n=20, **kw):
    return cb.CatBoostClassifier(
        iterations=n, thread_count=1, verbose=0, allow_writing_files=False, **kw
    )


MODELS = {"lightgbm": _lgbm, "xgboost": _xgbm, "catboost": _catm}


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=6000, n_features=10, n_informative=6, random_state=0
    )
    return X, y


def _rounds(model):
    if isinstance(model, lgb.LGBMModel):
        return model.booster_.current_iteration()
    if isinstance(model, xgb.XGBModel):
        return model.get_booster().num_boosted_rounds()
    return model.tree_count_


def _raw(model, X, n_rounds):
    """Raw scores of the model's first ``n_rounds`` rounds."""
    if isinstance(model, lgb.LGBMModel):
        return model.booster_.predict(X, raw_score=True, num_iteration=n_rounds)
    if isinstance(model, xgb.XGBModel):
        return model.get_booster().predict(
            xgb.DMatrix(X), output_margin=True, iteration_range=(0, n_rounds)
        )
    return model.predict(X, prediction_type="RawFormulaVal", ntree_end=n_rounds)


@pytest.mark.parametrize("library", MODELS)
def test_gbdt_warm_on_ten_percent_more_rows_matches_cold_accuracy(data, library):
    """Warm on +10% rows of the same distribution is within 0.3 point of a cold refit."""
    X, y = data
    base, more, test = slice(0, 2000), slice(0, 2200), slice(2200, None)
    make = MODELS[library]
    cold = WarmStartClassifier(make(100), start="cold", random_state=0)
    cold.fit(X[more], y[more])
    warm = WarmStartClassifier(make(100), start="warm", random_state=0)
    warm.fit(X[base], y[base]).fit(X[more], y[more])
    record = warm.history_[-1]
    assert (record.start, record.n_iter, record.n_iter_total) == ("warm", 10, 110)
    assert warm.score(X[test], y[test]) >= cold.score(X[test], y[test]) - 0.003


@pytest.mark.parametrize("library", MODELS)
def test_gbdt_partial_reset_keeps_exactly_the_first_rounds(data, library):
    """PartialReset(0.25) keeps the first 75% of rounds bit-identical and regrows the rest."""
    X, y = data
    clf = WarmStartClassifier(
        MODELS[library](20), start=PartialReset(fraction=0.25), random_state=0
    )
    clf.fit(X[:1000], y[:1000])
    before = clf.estimator_
    clf.fit(X[1000:2000], y[1000:2000])
    after = clf.estimator_
    assert _rounds(after) == 20 and clf.history_[-1].n_iter == 5
    np.testing.assert_array_equal(_raw(after, X[:200], 15), _raw(before, X[:200], 15))
    assert not np.array_equal(_raw(after, X[:200], 20), _raw(before, X[:200], 20))


@pytest.mark.parametrize("library", ["lightgbm", "xgboost"])
def test_gbdt_refresh_decay_one_leaves_predictions_unchanged(data, library):
    """Refresh(decay=1.0) keeps every leaf: predictions are bit-identical."""
    X, y = data
    clf = WarmStartClassifier(MODELS[library](20), start=Refresh(1.0), random_state=0)
    clf.fit(X[:1000], y[:1000])
    before = clf.predict_proba(X[:300])
    clf.fit(X[1000:2000], y[1000:2000])
    np.testing.assert_array_equal(clf.predict_proba(X[:300]), before)
    assert clf.history_[-1].start == "refresh(1.0)"
    assert clf.history_[-1].n_iter == 0 and clf.history_[-1].n_iter_total == 20


def _sequential_leaf_refit(leaves, y, learning_rate, first_shrunk):
    """Raw scores of trees whose leaves are refitted in turn to the residual mean."""
    F = np.zeros(len(y))
    for t in range(leaves.shape[1]):
        leaf = leaves[:, t]
        sums = np.bincount(leaf, weights=y - F)
        counts = np.bincount(leaf)
        step = learning_rate if (t > 0 or first_shrunk) else 1.0
        F = F + step * (sums / np.maximum(counts, 1))[leaf]
    return F


def test_lightgbm_refresh_decay_zero_refits_the_leaves():
    """LightGBM Refresh(0.0): each tree's leaves become the run's residual means."""
    X, y = make_regression(n_samples=3000, n_features=5, noise=1.0, random_state=0)
    est = lgb.LGBMRegressor(
        n_estimators=5, num_leaves=4, reg_lambda=0.0, n_jobs=1, verbose=-1
    )
    reg = WarmStartRegressor(est, start=Refresh(0.0), random_state=0)
    reg.fit(X[:1500], y[:1500]).fit(X[1500:], y[1500:])
    old = reg.history_[0]
    assert old.n_iter_total == reg.history_[1].n_iter_total == 5
    leaves = reg.estimator_.booster_.predict(X[1500:], pred_leaf=True)
    expected = _sequential_leaf_refit(leaves, y[1500:], 0.1, first_shrunk=False)
    np.testing.assert_allclose(reg.predict(X[1500:]), expected, atol=1e-4)


def test_xgboost_refresh_decay_zero_refits_the_leaves():
    """XGBoost Refresh(0.0): leaves become -eta·Σ(F − y)/(n + λ), tree by tree."""
    X, y = make_regression(n_samples=3000, n_features=5, noise=1.0, random_state=0)
    est = xgb.XGBRegressor(
        n_estimators=5, max_depth=2, reg_lambda=0.0, base_score=0.0, n_jobs=1
    )
    reg = WarmStartRegressor(est, start=Refresh(0.0), random_state=0)
    reg.fit(X[:1500], y[:1500]).fit(X[1500:], y[1500:])
    leaves = reg.estimator_.get_booster().predict(xgb.DMatrix(X[1500:]), pred_leaf=True)
    expected = _sequential_leaf_refit(
        leaves.astype(int), y[1500:], 0.3, first_shrunk=True
    )
    np.testing.assert_allclose(reg.predict(X[1500:]), expected, rtol=1e-4, atol=1e-3)


def test_gbdt_refresh_decay_blends_old_and_refitted_leaves(data):
    """XGBoost Refresh(0.5) is halfway between the old model and Refresh(0.0)."""
    X, y = data
    margins = {}
    for decay in (0.0, 0.5, 1.0):
        clf = WarmStartClassifier(_xgbm(10), start=Refresh(decay), random_state=0)
        clf.fit(X[:1000], y[:1000]).fit(X[1000:2000], y[1000:2000])
        margins[decay] = _raw(clf.estimator_, X[:300], 10)
    np.testing.assert_allclose(
        margins[0.5], (margins[0.0] + margins[1.0]) / 2, atol=1e-4
    )


@pytest.mark.parametrize("library", MODELS)
@pytest.mark.parametrize("start", [ShrinkPerturb(0.4, 0.1), Perturb(0.1)])
def test_gbdt_parameter_arithmetic_is_refused_naming_the_tree_starts(
    data, library, start
):
    """Shrink-perturb and perturb are refused at the first fit, naming Refresh and PartialReset."""
    X, y = data
    clf = WarmStartClassifier(MODELS[library](5), start=start, random_state=0)
    with pytest.raises(UnsupportedStartError, match=r"Refresh\(decay\).*PartialReset"):
        clf.fit(X[:300], y[:300])


def test_catboost_refresh_is_refused(data):
    """CatBoost has no leaf refresh: Refresh is refused, naming PartialReset."""
    X, y = data
    clf = WarmStartClassifier(_catm(5), start=Refresh(), random_state=0)
    with pytest.raises(UnsupportedStartError, match="no leaf refresh.*PartialReset"):
        clf.fit(X[:300], y[:300])


def test_refresh_is_refused_by_families_without_leaves(data):
    """A linear model cannot refresh leaves: the usual error lists its starts."""
    X, y = data
    clf = WarmStartClassifier(SGDClassifier(), start=Refresh(), random_state=0)
    with pytest.raises(UnsupportedStartError, match="refresh.*supported starts"):
        clf.fit(X[:300], y[:300])


def test_refresh_validates_decay():
    """decay outside [0, 1] is refused at fit with the parameter's name."""
    X, y = make_classification(n_samples=50, random_state=0)
    clf = WarmStartClassifier(_lgbm(3), start=Refresh(decay=1.5))
    with pytest.raises(ValueError, match="decay"):
        clf.fit(X, y)


def test_forest_refresh_reestimates_leaves_from_apply():
    """Forest Refresh(0.0): every tree's leaves hold the run's mean target."""
    X, y = make_regression(n_samples=600, n_features=4, random_state=0)
    est = RandomForestRegressor(5, max_depth=3, random_state=0)
    reg = WarmStartRegressor(est, start=Refresh(0.0), random_state=0)
    reg.fit(X[:300], y[:300]).fit(X[300:], y[300:])
    trees = reg.estimator_.estimators_
    leaves = reg.estimator_.apply(X[300:])
    per_tree = []
    for t in range(len(trees)):
        sums = np.bincount(leaves[:, t], weights=y[300:])
        counts = np.bincount(leaves[:, t])
        per_tree.append(sums[leaves[:, t]] / counts[leaves[:, t]])
    expected = np.mean(per_tree, axis=0)
    np.testing.assert_allclose(reg.predict(X[300:]), expected)


def test_forest_classifier_refresh_decay_one_is_unchanged(data):
    """Forest Refresh(1.0) keeps the class proportions; Refresh(0.5) moves them."""
    X, y = data
    clf = WarmStartClassifier(
        RandomForestClassifier(5, random_state=0), start=Refresh(1.0), random_state=0
    )
    clf.fit(X[:500], y[:500])
    before = clf.predict_proba(X[:100])
    clf.fit(X[500:1000], y[500:1000])
    np.testing.assert_array_equal(clf.predict_proba(X[:100]), before)
    clf.set_params(start=Refresh(0.5)).fit(X[500:1000], y[500:1000])
    proba = clf.predict_proba(X[:100])
    assert not np.array_equal(proba, before)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_gbdt_bounded_growth_turns_the_next_run_cold(data):
    """A warm run that would pass the cap (4 x n_estimators) starts cold, with the reason."""
    X, y = data
    clf = WarmStartClassifier(_lgbm(10), start=Warm(grow=10), random_state=0)
    for _ in range(5):
        clf.fit(X[:500], y[:500])
    totals = [r.n_iter_total for r in clf.history_]
    assert totals == [10, 20, 30, 40, 10]
    last = clf.history_[-1]
    assert last.start == "cold"
    assert "bounded growth: 40 rounds + 10 would pass the cap of 40" in last.reason


@pytest.mark.parametrize("library", MODELS)
def test_gbdt_records_rounds_and_training_loss(data, library):
    """Records hold rounds trained this run, total rounds and the per-round training loss."""
    X, y = data
    clf = WarmStartClassifier(MODELS[library](20), start=Warm(grow=5), random_state=0)
    clf.fit(X[:500], y[:500]).fit(X[:600], y[:600])
    first, second = clf.history_
    assert (first.n_iter, first.n_iter_total) == (20, 20)
    assert (second.n_iter, second.n_iter_total) == (5, 25)
    assert len(first.loss_curve) == 20 and len(second.loss_curve) == 5
    assert first.loss_curve[-1] < first.loss_curve[0]


def _category_frame(levels, seed=0, n=400):
    rng = np.random.default_rng(seed)
    values = rng.choice(["x", "y", "z"], size=n)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["c"] = pd.Categorical(values, categories=levels)
    y = ((values == "x") ^ (frame["a"] > 0)).astype(int)
    return frame, y.to_numpy()


@pytest.mark.parametrize("library", MODELS)
def test_gbdt_changed_category_levels_are_refused_naming_the_column(library):
    """A warm run whose category levels differ from the first run's is refused; cold works."""
    kw = {"enable_categorical": True} if library == "xgboost" else {}
    if library == "catboost":
        kw = {"cat_features": ("c",)}  # a list would not survive clone
    clf = WarmStartClassifier(MODELS[library](5, **kw), start="warm", random_state=0)
    X1, y1 = _category_frame(["x", "y", "z"])
    clf.fit(X1, y1)
    X2, y2 = _category_frame(["z", "x", "y"], seed=1)
    with pytest.raises(ValueError, match="Categorical column 'c' has levels"):
        clf.fit(X2, y2)
    X3, y3 = _category_frame(["x", "y", "z"], seed=2)
    clf.fit(X3, y3)  # the same levels continue
    assert clf.history_[-1].start == "warm"
    clf.set_params(start="cold").fit(X2, y2)
    assert clf.history_[-1].start == "cold"
    np.testing.assert_array_equal(clf.predict(X2), clf.estimator_.predict(X2))


def test_lightgbm_category_levels_survive_a_checkpoint(tmp_path):
    """The first run's levels are stored with the model: a resumed warm run still refuses."""
    clf = WarmStartClassifier(
        _lgbm(5), start="warm", checkpoint=tmp_path, random_state=0
    )
    clf.fit(*_category_frame(["x", "y", "z"]))
    resumed = WarmStartClassifier.resume(tmp_path, estimator=_lgbm(5))
    with pytest.raises(ValueError, match="Categorical column 'c'"):
        resumed.fit(*_category_frame(["x", "y", "z", "w"], seed=1))


@pytest.mark.parametrize("library", MODELS)
def test_gbdt_checkpoint_is_native_and_resumes_bit_identically(tmp_path, library):
    """Checkpoints use the library's format (no skops model), labels and names included."""
    X, y = make_classification(n_samples=600, n_features=5, random_state=0)
    frame = pd.DataFrame(X, columns=["f0", "f1", "f2", "f3", "f4"])
    labels = np.array(["neg", "pos"])[y] if library != "xgboost" else y
    make = MODELS[library]
    clf = WarmStartClassifier(make(10), start="warm", checkpoint=tmp_path)
    clf.fit(frame[:300], labels[:300]).fit(frame, labels)
    folder = tmp_path / clf.history_[-1].checkpoint
    assert not (folder / "model.skops").exists()
    meta = json.loads((folder / "payload.json").read_text())
    assert meta["kind"] == library
    resumed = WarmStartClassifier.resume(tmp_path, estimator=make(10))
    np.testing.assert_array_equal(
        resumed.predict_proba(frame), clf.predict_proba(frame)
    )
    np.testing.assert_array_equal(resumed.predict(frame), clf.predict(frame))
    assert list(resumed.feature_names_in_) == list(frame.columns)
    assert resumed.estimator_.n_features_in_ == 5
    resumed.fit(frame, labels)
    assert resumed.history_[-1].n_iter_total == 12


def test_gbdt_tampered_native_checkpoint_is_refused(tmp_path, data):
    """The native model is hash-verified like every payload."""
    from sklearn_warmstart.checkpoints import CheckpointError

    X, y = data
    clf = WarmStartClassifier(_lgbm(5), checkpoint=tmp_path, random_state=0)
    clf.fit(X[:300], y[:300])
    path = tmp_path / clf.history_[-1].checkpoint / "payload.npz"
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(CheckpointError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        WarmStartClassifier.resume(tmp_path, estimator=_lgbm(5))


@pytest.mark.parametrize("library", MODELS)
def test_gbdt_partial_fit_grows_and_resets_on_the_buffer(data, library):
    """partial_fit: each chunk grows `grow` rounds; a reset trains on the buffer."""
    X, y = data
    clf = WarmStartClassifier(
        MODELS[library](10),
        start=Warm(grow=2),
        reset=Every(3),
        buffer_size=600,
        random_state=0,
    )
    for i in range(4):
        part = slice(200 * i, 200 * (i + 1))
        clf.partial_fit(X[part], y[part], classes=[0, 1])
    starts = [r.start for r in clf.history_]
    assert starts == ["cold", "warm(2)", "warm(2)", "cold"]
    assert [r.n_iter_total for r in clf.history_] == [10, 12, 14, 10]
    assert clf.history_[-1].n_samples == 600


def test_gbdt_warm_run_lacking_a_class_is_refused(data):
    """A warm run whose rows lack a class would re-encode labels: refused clearly."""
    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, random_state=0
    )
    clf = WarmStartClassifier(_lgbm(5), start="warm", random_state=0)
    clf.fit(X, y)
    keep = y != 2
    with pytest.raises(ValueError, match=r"class\(es\) \[2\] are missing"):
        clf.fit(X[keep], y[keep])


@pytest.mark.parametrize("start", ["warm", Refresh(0.9), PartialReset(fraction=0.5)])
def test_gbdt_schedules_and_drift_resets_work_unchanged(start):
    """A schedule with OnDrift runs every start on LightGBM and records the reset."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 4))
    y = (X[:, 0] > 0).astype(int)
    y[1800:] = 1 - y[1800:]  # the concept flips
    clf = WarmStartClassifier(
        _lgbm(20),
        start=start,
        reset=OnDrift("adwin"),
        schedule=Retrain(5),
        random_state=0,
    )
    clf.fit(X, y)
    starts = [r.start for r in clf.history_]
    assert "cold" in starts[1:]
    assert clf.history_[-1].train_score > 0.9


def test_xgboost_warm_continues_from_the_best_iteration(data):
    """After early stopping, a warm run continues from the best round and uses every new one."""
    X, y = data
    est = _xgbm(200, early_stopping_rounds=3, learning_rate=0.5)
    clf = WarmStartClassifier(est, start=Warm(grow=30), random_state=0)
    valid = {"eval_set": [(X[4000:5000], y[4000:5000])], "verbose": False}
    clf.fit(X[:1000], y[:1000], **valid)
    best = clf.estimator_.best_iteration
    assert _rounds(clf.estimator_) > best + 1
    clf.fit(X[:2000], y[:2000], **valid)
    booster = clf.estimator_.get_booster()
    assert booster.num_boosted_rounds() <= best + 1 + 30
    assert clf.estimator_.best_iteration > best


def _device_of(model):
    config = json.loads(model.get_booster().save_config())
    return config["learner"]["generic_param"]["device"]


def _has_cuda():
    X, y = make_classification(n_samples=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe = xgb.XGBClassifier(n_estimators=1, device="cuda").fit(X, y)
    return _device_of(probe).startswith("cuda")


@pytest.mark.gpu
@pytest.mark.parametrize(
    "start", ["warm", Refresh(0.0), Refresh(0.5), PartialReset(fraction=0.5)]
)
def test_xgboost_every_start_runs_on_cuda(data, start):
    """With device='cuda', the model of every start trains and predicts on the GPU."""
    if not _has_cuda():
        pytest.skip("no CUDA device")
    X, y = data
    clf = WarmStartClassifier(_xgbm(20, device="cuda"), start=start, random_state=0)
    clf.fit(X[:2000], y[:2000])
    clf.fit(X[2000:4000], y[2000:4000])
    assert _device_of(clf.estimator_).startswith("cuda")
    assert clf.score(X[4000:], y[4000:]) > 0.85


def test_cli_study_runs_the_lightgbm_model(tmp_path, capsys):
    """`sklearn-warmstart study --model lightgbm` compares policies end to end."""
    from sklearn_warmstart.cli import main

    args = [
        "study",
        "--scenario",
        "sea_abrupt",
        "--model",
        "lightgbm",
        "--policies",
        "cold,warm,drift_reset",
        "--seeds",
        "1",
        "--runs",
        "3",
        "--folds",
        "2",
        "--n-samples",
        "600",
        "--quiet",
        "--out",
        str(tmp_path / "gbdt.md"),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Study: lightgbm on sea_abrupt" in out
    assert "LGBMClassifier" in (tmp_path / "gbdt.md").read_text(encoding="utf-8")
    assert main(["study", "--list"]) == 0
    assert "lightgbm" in capsys.readouterr().out


def test_gbdt_docs_snippets_run_as_written(capsys):
    """Every snippet of docs/gbdt.md runs in order and prints what the page shows."""
    import re
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs" / "gbdt.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    namespace: dict = {}
    for block in blocks:
        expected = [line[2:] for line in block.splitlines() if line.startswith("# ")]
        exec(compile(block, "docs/gbdt.md", "exec"), namespace)
        assert capsys.readouterr().out.splitlines() == expected


@pytest.mark.parametrize("n_classes", [2, 3])
def test_lightgbm_warm_run_equals_init_model_continuation(n_classes):
    """A warm run (boosted from the scores the evidence step kept) equals LightGBM's own continuation."""
    X, y = make_classification(
        n_samples=3000, n_informative=5, n_classes=n_classes, random_state=0
    )
    clf = WarmStartClassifier(_lgbm(30), start=Warm(grow=5), random_state=0)
    clf.fit(X[:2000], y[:2000])
    first = clf.estimator_
    clf.fit(X, y)
    expected = _lgbm(5).fit(X, y, init_model=first.booster_)
    np.testing.assert_array_equal(
        clf.estimator_.booster_.predict(X, raw_score=True),
        expected.booster_.predict(X, raw_score=True),
    )
    np.testing.assert_array_equal(clf.predict_proba(X), expected.predict_proba(X))
    assert clf.history_[-1].n_iter_total == 35 and len(clf.history_[-1].loss_curve) == 5


def test_lightgbm_wrapper_pickles_after_a_warm_run(data):
    """The scores kept for warm runs are a cache: a fitted wrapper pickles and predicts."""
    import pickle

    X, y = data
    clf = WarmStartClassifier(_lgbm(10), start="warm", random_state=0)
    clf.fit(X[:500], y[:500]).fit(X[:600], y[:600])
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    restored.fit(X[:700], y[:700])
    assert restored.history_[-1].n_iter_total == 12


def _xgb_task(task):
    """Rows, the configured XGBoost model and the wrapper class of a task."""
    if task == "regressor":
        X, y = make_regression(n_samples=3000, n_features=8, random_state=0)
        return X, y, xgb.XGBRegressor, WarmStartRegressor
    n_classes = 3 if task == "multiclass" else 2
    X, y = make_classification(
        n_samples=3000, n_informative=5, n_classes=n_classes, random_state=0
    )
    return X, y, xgb.XGBClassifier, WarmStartClassifier


def _margins(model, X):
    data = xgb.DMatrix(X, enable_categorical=True)
    return model.get_booster().predict(data, output_margin=True)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regressor"])
def test_xgboost_warm_run_equals_its_own_continuation(task):
    """A warm run (boosted from the margins the evidence step kept) is bit-identical to XGBoost's continuation."""
    X, y, model, wrapper = _xgb_task(task)
    est = model(n_estimators=30, n_jobs=1, tree_method="approx")
    reg = wrapper(est, start=Warm(grow=5), random_state=0).fit(X[:2000], y[:2000])
    first = reg.estimator_.get_booster()
    reg.fit(X, y)
    # With tree_method="approx" XGBoost's own continuation trains on a DMatrix.
    expected = model(n_estimators=5, n_jobs=1, tree_method="approx").fit(
        X, y, xgb_model=first, eval_set=[(X, y)], verbose=False
    )
    np.testing.assert_array_equal(_margins(reg.estimator_, X), _margins(expected, X))
    np.testing.assert_array_equal(reg.predict(X), expected.predict(X))
    if task != "regressor":
        np.testing.assert_array_equal(reg.predict_proba(X), expected.predict_proba(X))
    record = reg.history_[-1]
    curve = next(iter(expected.evals_result()["validation_0"].values()))
    assert record.loss_curve == tuple(curve)
    assert (record.n_iter, record.n_iter_total) == (5, 35)
    assert record.train_score == pytest.approx(expected.score(X, y), abs=0)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regressor"])
def test_xgboost_warm_run_grows_the_trees_of_a_dmatrix_continuation(task):
    """With the default hist method, the warm run grows the trees xgb.train grows on a DMatrix."""
    X, y, model, wrapper = _xgb_task(task)
    reg = wrapper(model(n_estimators=30, n_jobs=1), start=Warm(grow=5), random_state=0)
    reg.fit(X[:2000], y[:2000])
    first = reg.estimator_.get_booster()
    reg.fit(X, y)
    params = model(n_estimators=5, n_jobs=1).get_xgb_params()
    if task == "multiclass":
        params.update(objective="multi:softprob", num_class=3)
    expected = xgb.train(params, xgb.DMatrix(X, label=y), 5, xgb_model=first)
    np.testing.assert_array_equal(
        _margins(reg.estimator_, X),
        expected.predict(xgb.DMatrix(X), output_margin=True),
    )


def _lr_schedule():
    return [xgb.callback.LearningRateScheduler(lambda i: 0.3 * 0.9**i)]


@pytest.mark.parametrize(
    "case",
    [
        "eval_set",
        "callbacks",
        "early_stopping",
        "categorical",
        "sample_weight",
        "other_rows",
    ],
)
def test_xgboost_warm_run_falls_back_to_the_continuation(case):
    """Where kept margins do not apply, a warm run is XGBoost's own fit(xgb_model=...)."""
    X, y = make_classification(n_samples=3000, n_informative=5, random_state=0)
    kw, fit = {}, {}
    if case == "eval_set":
        fit = {"eval_set": [(X[:500], y[:500])], "verbose": False}
    elif case == "callbacks":
        kw = {"callbacks": _lr_schedule()}
    elif case == "early_stopping":
        kw = {"early_stopping_rounds": 50}
        fit = {"eval_set": [(X[:500], y[:500])], "verbose": False}
    elif case == "categorical":
        X = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
        X["c"] = pd.Categorical(np.where(y == 1, "a", "b"), categories=["a", "b"])
        kw = {"enable_categorical": True}
    first_fit = fit
    if case == "sample_weight":
        fit = {"sample_weight": np.linspace(0.5, 2.0, len(y))}
        first_fit = {"sample_weight": fit["sample_weight"][:2000]}
    est = _xgbm(30, **kw)
    clf = WarmStartClassifier(est, start=Warm(grow=5), random_state=0)
    clf.fit(X[:2000], y[:2000], **first_fit)
    first = clf.estimator_.get_booster()
    if case == "other_rows":
        # The adapter scored X; the run trains on an equal copy of it.
        adapter = XGBoostAdapter(_xgbm(30))
        adapter.predict(clf.estimator_, X)
        model = adapter.boost(_xgbm(5), first, X.copy(), y, {}, {})
    else:
        clf.fit(X, y, **fit)
        model = clf.estimator_
    expected = _xgbm(5, **kw).fit(X, y, xgb_model=first, **fit)
    np.testing.assert_array_equal(_margins(model, X), _margins(expected, X))
    # The kept margins would have grown other trees: hist continues on quantized rows.
    params = _xgbm(5).get_xgb_params()
    if case != "categorical":
        direct = xgb.train(params, xgb.DMatrix(X, label=y), 5, xgb_model=first)
        assert not np.array_equal(
            _margins(model, X), direct.predict(xgb.DMatrix(X), output_margin=True)
        )
