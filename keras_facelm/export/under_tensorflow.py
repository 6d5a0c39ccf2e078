"""Export from the JAX or PyTorch backend: the same export, run under TensorFlow.

Weights do not depend on the backend, so the model is saved as a temporary
preset and ``python -m keras_facelm.export.under_tensorflow ARGS.json`` loads it
with ``KERAS_BACKEND=tensorflow`` and exports it. Keras's own exporters do not
cover the formats from these backends: LiteRT is not available from JAX and
needs ``litert-torch`` with static shapes from PyTorch, ONNX from JAX needs
``jax2onnx`` and from PyTorch has no dynamic batch (see ``keras.src.export``).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

__all__ = ["export_in_subprocess"]


def export_in_subprocess(model, opts, representative_data) -> pathlib.Path:
    """Runs :func:`keras_facelm.export.export` for ``model`` under TensorFlow.

    Args:
        model: a task model (saved to a temporary preset) or a preset name/dir.
        opts: checked :class:`~keras_facelm.export.options.ExportOptions`.
        representative_data: as for ``export``; arrays and iterables are
            materialised (at most the crops calibration uses) and passed as a
            ``.npy`` file, a TFDS split name as is.

    Raises:
        ImportError: TensorFlow is not installed.
        RuntimeError: the export failed; the message is the subprocess's error.
    """
    if importlib.util.find_spec("tensorflow") is None:
        raise ImportError(
            "exporting needs TensorFlow (the converters run on it) even from the JAX "
            "or PyTorch backend: pip install 'keras-facelm[export]'"
        )
    with tempfile.TemporaryDirectory(prefix="keras_facelm_export_") as tmp:
        tmp = pathlib.Path(tmp)
        args = {**dataclasses.asdict(opts), "path": str(opts.path)}
        if isinstance(model, (str, os.PathLike)):
            args.update(model=str(model), preset=str(model))
        else:
            model.save_to_preset(tmp / "preset")
            args.update(model=str(tmp / "preset"), preset=None)
        args["representative_data"] = _pass_data(representative_data, model, tmp)
        (tmp / "args.json").write_text(json.dumps(args))
        env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
        run = subprocess.run(
            [sys.executable, "-m", "keras_facelm.export.tensorflow_worker", str(tmp / "args.json")],
            env=env,
            capture_output=True,
            text=True,
        )
    if run.returncode != 0:
        lines = [ln for ln in run.stderr.strip().splitlines() if ln.strip()]
        raise RuntimeError(
            f"export of {opts.path} under the TensorFlow backend failed: "
            f"{lines[-1] if lines else 'exit code ' + str(run.returncode)}"
        )
    return opts.path


def _pass_data(data, model, tmp):
    if data is None or isinstance(data, str):
        return data
    from keras_facelm.export.representative import calibration_crops

    if isinstance(model, (str, os.PathLike)):
        crops = np.asarray(data if isinstance(data, np.ndarray) else list(data))
    else:
        crops = calibration_crops(data, model.image_size)
    np.save(tmp / "calibration.npy", crops)
    return {"npy": str(tmp / "calibration.npy")}
