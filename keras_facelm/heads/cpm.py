"""MMPose's ``CPMHead`` as the Hourglass-52 face config uses it (one stage, no deconvs).

``head.multi_final_layers.0``: a 1x1 ``Conv2d`` with bias from the backbone's
``feat_channel`` maps to K heatmaps, no activation (``num_stages=1``,
``deconv_out_channels=None``, ``final_layer=dict(kernel_size=1)``).
"""

from __future__ import annotations

from keras_facelm.backbones import blocks

__all__ = ["cpm_head"]


def cpm_head(x, num_keypoints, *, dtype=None):
    """Adds the one-stage CPMHead to a graph.

    Args:
        x: the last backbone feature map ``(N, h, w, C)``.
        num_keypoints: K.

    Returns:
        Heatmaps ``(N, h, w, K)`` (64x64 for a 256x256 Hourglass input).
    """
    return blocks.conv2d(
        x,
        num_keypoints,
        1,
        use_bias=True,
        name="head.multi_final_layers.0",
        dtype=dtype,
    )
