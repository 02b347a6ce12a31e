"""Retrain a skorch MLP as data arrives: cold vs warm vs shrink-and-perturb.

Five runs, each on all the rows seen so far (20% more per run), each started
as the policy says. Every run leaves a record: the start, epochs, loss and
gradient-norm curves, how far the weights moved, and the score of the
previous model on the new rows (prequential) before it trained.

Runs in a few seconds on a CPU::

    python examples/skorch_shrink_perturb.py
"""

import numpy as np
import torch
from sklearn.datasets import make_classification
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from torch import nn

from sklearn_warmstart import ShrinkPerturb, WarmStartClassifier
from sklearn_warmstart.torch_data import DeviceDataLoader


class MLP(nn.Module):
    def __init__(self, n_in=20, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU()
        )
        self.output = nn.Linear(hidden, 2)

    def forward(self, X):
        return self.output(self.net(X))


def main() -> None:
    torch.set_num_threads(1)  # tiny net: threads only add overhead
    X, y = make_classification(
        n_samples=6000, n_features=20, n_informative=10, flip_y=0.05, random_state=0
    )
    X = X.astype(np.float32)
    X_valid, y_valid, X, y = X[:2000], y[:2000], X[2000:], y[2000:]
    net = NeuralNetClassifier(
        MLP,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=8,
        batch_size=128,
        train_split=predefined_split(Dataset(X_valid, y_valid)),
        iterator_train=DeviceDataLoader,  # batches from resident arrays
        iterator_train__shuffle=True,
        verbose=0,
    )
    sizes = np.linspace(len(X) // 5 * 2, len(X), 5).astype(int)
    for start in ("cold", "warm", ShrinkPerturb(shrink=0.4, noise=0.1)):
        clf = WarmStartClassifier(net, start=start, random_state=0)
        for n in sizes:
            clf.fit(X[:n], y[:n])
        frame = clf.history_.to_frame()
        frame["valid_loss"] = [curve[-1] for curve in frame["valid_loss_curve"]]
        frame["grad_norm"] = [curve[-1] for curve in frame["grad_norms"]]
        print(f"\nstart={clf.history_[-1].start}")
        print(
            frame[
                [
                    "run",
                    "start",
                    "n_samples",
                    "n_iter",
                    "prequential_score",
                    "valid_loss",
                    "grad_norm",
                    "distance_from_start",
                ]
            ].to_string(index=False, float_format="%.4f")
        )
        print(f"held-out accuracy: {clf.score(X_valid, y_valid):.4f}")


if __name__ == "__main__":
    main()
