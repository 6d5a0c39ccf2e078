#!/usr/bin/env bash
# Creates .venv with keras_facelm and all three Keras backends (CPU builds).
# Usage: bash scripts/setup.sh          (idempotent; re-run after pulling)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
pip() { .venv/bin/python -m pip -q --disable-pip-version-check "$@"; }
pip install --upgrade pip
# CPU PyTorch first: a plain `torch` requirement would pull GBs of CUDA wheels.
pip install "torch==2.13.0"
pip install -e ".[jax,tensorflow,tfds,export,beam,train,viz,test]"
.venv/bin/python -c "import keras, keras_facelm; print('keras', keras.__version__, 'keras_facelm', keras_facelm.__version__, 'ready')"
