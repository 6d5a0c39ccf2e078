#!/usr/bin/env bash
# Runs the fast test suite on the JAX, TensorFlow and PyTorch backends.
# Usage: bash scripts/test.sh [extra pytest args]     (after scripts/setup.sh)
#   MMPose parity tests (marker `mmpose`) run when MMPOSE_REF_PYTHON or .mmpose-ref/ exists;
#   slow tests: bash scripts/test.sh -m slow
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0
for backend in jax tensorflow torch; do
  echo "=== KERAS_BACKEND=$backend"
  # Backend-independent tests (readers, TFDS builders, checkpoint files, downloads) and the
  # plumbing above Keras (CLI, evaluation loop) run once, on JAX.
  if [[ $backend == jax ]]; then
    extra=()
  else
    extra=(-m "not backend_independent and not one_backend and not slow")
  fi
  KERAS_BACKEND=$backend $PY -m pytest -q -p no:randomly "${extra[@]}" "$@" || status=1
done
exit $status
