"""Reset a streaming model when its errors jump: OnDrift on SEA with an abrupt drift.

A scikit-learn ``SGDClassifier`` learns SEA concepts chunk by chunk. Halfway,
the concept changes. Three policies see the same stream:

- ``warm``: keep training the same model (its learning rate has decayed);
- ``adwin``: ``OnDrift("adwin")`` resets it on the rows since the change;
- ``ddm + challenger``: ``OnDrift("ddm")`` resets only if a challenger trained
  on the rows since DDM's warning beats the current model on recent rows.

Each is scored prequentially (predict each chunk, then learn it). Runs in a
few seconds.
"""

import numpy as np
from sklearn.linear_model import SGDClassifier

from sklearn_warmstart import OnDrift, WarmStartClassifier, prequential_score
from sklearn_warmstart.datasets import load_scenario

CHUNK = 500

sea = load_scenario("sea_abrupt", n_samples=20_000, seed=0)
X = (sea.X - 5.0) / 3.0  # SEA features lie in [0, 10]
y = sea.y
change = sea.drift_positions[0]
print(f"SEA: {len(y):,} rows, concept change at row {change:,}\n")

policies = {
    "warm": WarmStartClassifier(
        SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05),
        random_state=0,
    ),
    "adwin": WarmStartClassifier(
        SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05),
        reset=OnDrift("adwin"),
        random_state=0,
    ),
    "ddm + challenger": WarmStartClassifier(
        SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05),
        reset=OnDrift("ddm"),
        random_state=0,
    ),
}

print(f"{'policy':<18} {'before':>7} {'2k after':>9} {'overall':>8}")
for name, model in policies.items():
    result = prequential_score(model, X, y, chunk_size=CHUNK)
    scores, starts = result.chunk_scores, result.chunk_starts
    before = np.nanmean(scores[(starts >= CHUNK) & (starts < change)])
    after = np.nanmean(scores[(starts >= change) & (starts < change + 2000)])
    print(f"{name:<18} {before:7.4f} {after:9.4f} {result.score:8.4f}")
    for record in result.estimator.history_:
        if record.drift_events:
            print(f"    run {record.run}: {record.reason}")
            print(f"    -> started {record.start} on {record.n_samples} rows")
        if record.challenger:
            print(f"    challenger: {record.challenger}")
