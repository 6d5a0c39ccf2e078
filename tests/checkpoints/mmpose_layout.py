"""A Keras detector's weights in MMPose 1.x layout (test helpers).

Stands in for a downloaded MMPose ``.pth`` where none can be downloaded: MMPose's
key names and torch layouts, so ``keras-facelm convert`` and ``port_state_dict``
read it exactly as they read a released checkpoint.
"""

from __future__ import annotations

import keras
import numpy as np


def mmpose_state_dict(model) -> dict[str, np.ndarray]:
    """``{MMPose key: array}`` of ``model``'s weights in torch layouts (the porter's inverse)."""
    from keras_facelm.checkpoints.porting import _targets

    state_dict = {}
    for key, (variable, to_keras) in _targets(model).items():
        array = keras.ops.convert_to_numpy(variable)
        state_dict[key] = np.ascontiguousarray(np.transpose(array, _inverse_axes(to_keras, array)))
    return state_dict


def _inverse_axes(to_keras, array):
    """The axes that undo ``to_keras`` (the porter's torch → Keras transpose) on ``array``."""
    probe = np.empty((2, 3, 5, 7, 11)[: array.ndim])  # distinct sizes reveal the permutation
    forward = [probe.shape.index(n) for n in to_keras(probe).shape]
    return np.argsort(forward)


def write_mmpose_v1_checkpoint(model, path):
    """Saves ``model``'s weights to ``path`` as ``{"meta", "state_dict"}`` (torch zip format)."""
    import torch

    tensors = {k: torch.from_numpy(v) for k, v in mmpose_state_dict(model).items()}
    torch.save({"meta": {"note": "written by a keras_facelm test"}, "state_dict": tensors}, path)
