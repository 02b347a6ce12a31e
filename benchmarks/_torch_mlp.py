"""The two-hidden-layer ReLU MLP that the torch benchmarks train (imports torch)."""

from torch import nn


class MLP(nn.Module):
    """``n_in → hidden → hidden → n_out`` with ReLUs, as in the issue's anchors."""

    def __init__(self, n_in: int = 20, hidden: int = 64, n_out: int = 2):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_out),
        )

    def forward(self, X):
        return self.net(X)
