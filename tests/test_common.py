"""scikit-learn's estimator checks on the meta-estimators."""

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_warmstart import ShrinkPerturb, WarmStartClassifier, WarmStartRegressor

COLD = [
    WarmStartClassifier(SGDClassifier(), start="cold", random_state=0),
    WarmStartClassifier(LogisticRegression(), start="cold", random_state=0),
    WarmStartClassifier(MLPClassifier(max_iter=40), start="cold", random_state=0),
    WarmStartRegressor(MLPRegressor(max_iter=40), start="cold", random_state=0),
    WarmStartClassifier(RandomForestClassifier(8), start="cold", random_state=0),
    WarmStartRegressor(Ridge(), start="cold", random_state=0),
    # start="auto" (the default) is cold for a family that cannot start warm.
    WarmStartRegressor(Ridge(), random_state=0),
]

try:  # the gbdt extra
    from lightgbm import LGBMClassifier, LGBMRegressor
    from xgboost import XGBClassifier, XGBRegressor
except ImportError:
    GBDT = []
else:
    GBDT = [
        WarmStartClassifier(
            LGBMClassifier(n_estimators=10, n_jobs=1, verbose=-1),
            start="cold",
            random_state=0,
        ),
        WarmStartRegressor(
            LGBMRegressor(n_estimators=10, n_jobs=1, verbose=-1),
            start="cold",
            random_state=0,
        ),
        WarmStartClassifier(
            XGBClassifier(n_estimators=10, n_jobs=1), start="cold", random_state=0
        ),
        WarmStartRegressor(
            XGBRegressor(n_estimators=10, n_jobs=1), start="cold", random_state=0
        ),
    ]

_XGB_LABELS = "the bare XGBClassifier fails it too: it accepts only the labels 0..n-1"
#: Checks the bare XGBoost models fail too, with the reason.
_XGB_FAILURES = {
    "XGBClassifier": {
        "check_estimators_dtypes": _XGB_LABELS,
        "check_classifier_data_not_an_array": _XGB_LABELS,
        "check_classifiers_classes": _XGB_LABELS + " (string labels)",
        "check_fit2d_1feature": _XGB_LABELS + " (its error names the labels)",
    },
    "XGBRegressor": {
        "check_regressor_multioutput": "the bare XGBRegressor fails it too: it "
        "predicts float32",
    },
}

WARM = [
    WarmStartClassifier(SGDClassifier(), start="warm", random_state=0),
    # start="auto" (the default) is warm where the family can start warm.
    WarmStartClassifier(SGDClassifier(), random_state=0),
    WarmStartClassifier(MLPClassifier(max_iter=40), start="warm", random_state=0),
    WarmStartRegressor(
        MLPRegressor(max_iter=40), start=ShrinkPerturb(0.5, 0.1), random_state=0
    ),
    WarmStartClassifier(RandomForestClassifier(8), start="warm", random_state=0),
]

_REFIT_IS_A_NEW_RUN = (
    "a warm policy carries the previous run into the next fit by design, so a "
    "second fit on the same data continues training instead of repeating it"
)


def _expected_failures(estimator):
    if any(estimator is cold for cold in COLD):
        return {}
    if estimator.start == "cold":
        return _XGB_FAILURES.get(type(estimator.estimator).__name__, {})
    return {
        "check_fit_idempotent": _REFIT_IS_A_NEW_RUN,
        "check_supervised_y_2d": _REFIT_IS_A_NEW_RUN
        + " (it fits twice: y 1-d, then 2-d)",
    }


@parametrize_with_checks(COLD + GBDT + WARM, expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    """Cold wrappers pass every check the bare model passes; warm ones fail only the
    refit-idempotence checks."""
    check(estimator)
