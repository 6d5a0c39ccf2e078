"""Weight initialisation for training: MMPose's head init and ImageNet backbones.

MMPose initialises its heads (``mmpose/models/heads/heatmap_heads/heatmap_head.py``,
``cpm_head.py``, ``regression_heads/regression_head.py``) with
``Normal(std=0.001)`` conv / transposed-conv kernels (``std=0.01`` for the
regression ``fc``), zero biases, and BatchNorm ``gamma=1, beta=0``; Keras's
Glorot default starts heatmaps of order 1 instead of near zero. The backbone
is initialised from an ImageNet checkpoint named by the config's ``init_cfg``
(:data:`keras_facelm.training.recipes.BACKBONE_INIT`).
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["init_head_like_mmpose", "load_backbone"]


def init_head_like_mmpose(model, seed=0):
    """Re-initialises every ``head-*`` layer of ``model`` as MMPose does.

    Conv2D / Conv2DTranspose kernels ~ N(0, 0.001), Dense kernels ~ N(0, 0.01),
    biases 0; BatchNormalization keeps Keras's gamma 1 / beta 0 / statistics.
    Draws come from ``numpy.random.default_rng(seed)`` in layer order.
    """
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if not layer.name.startswith("head-"):
            continue
        if isinstance(layer, keras.layers.Dense):
            std = 0.01
        elif isinstance(layer, keras.layers.Conv2D | keras.layers.Conv2DTranspose):
            std = 0.001
        else:
            continue
        layer.set_weights(
            [
                rng.normal(0.0, std, w.shape).astype(w.dtype) if w.ndim > 1 else np.zeros_like(w)
                for w in layer.get_weights()
            ]
        )


def load_backbone(model, checkpoint_path):
    """Fills ``model``'s backbone from an ImageNet PyTorch checkpoint.

    The checkpoint (torchvision ``resnet50``, MMPose's ``hrnetv2_w18`` /
    ``mobilenet_v2`` / ``scnet50`` ImageNet files, or an MMPose pose
    checkpoint) is read without executing code. Keys without a ``backbone.``
    prefix get one; keys of the ImageNet classifier (``fc.*``, ``head.*``,
    ``incre_modules.*``, ...) are ignored. Every backbone weight must be filled.

    Raises:
        ValueError: naming the checkpoint and the backbone weights it lacks or
            whose shapes differ.
    """
    from keras_facelm.checkpoints import port_state_dict, read_state_dict
    from keras_facelm.checkpoints.porting import _targets

    state = read_state_dict(checkpoint_path)
    state = {k if k.startswith("backbone.") else f"backbone.{k}": v for k, v in state.items()}
    state = {k: np.asarray(v) for k, v in state.items() if k.startswith("backbone.")}
    targets = {k: t for k, t in _targets(model).items() if k.startswith("backbone.")}
    missing = sorted(k for k in targets if k not in state)
    misshapen = sorted(
        k
        for k in targets
        if k in state and tuple(targets[k][1](state[k]).shape) != tuple(targets[k][0].shape)
    )
    if missing or misshapen:
        raise ValueError(
            f"{checkpoint_path}: not a checkpoint of {model.name}'s backbone: "
            f"{len(missing)} backbone weights missing ({', '.join(missing[:4])}), "
            f"{len(misshapen)} with another shape ({', '.join(misshapen[:4])})"
        )
    port_state_dict(model, state, strict=False)
