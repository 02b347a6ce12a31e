#!/usr/bin/env bash
# One prepared run for a CUDA machine: the GPU tests, then the issue-size
# throughput benchmark. Prints the card's name first; ~3-4 minutes on an H100.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
$PY -c "import torch; print('torch', torch.__version__, '| cuda', torch.cuda.is_available(), '|', torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU')"
$PY -m pytest tests/test_skorch.py tests/test_skorch_checkpoints.py -m gpu -q -p no:cacheprovider -rs
$PY benchmarks/gpu_throughput.py --full --repeats 3
