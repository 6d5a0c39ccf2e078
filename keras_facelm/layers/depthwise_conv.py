"""``DepthwiseConv2D`` computed as shifted multiply-adds where XLA's grouped convolution is slow.

Keras's JAX backend runs a depthwise convolution as a grouped convolution
(``feature_group_count = channels``), and XLA's CPU backend runs those 10-40x
slower than the same arithmetic written out: the sum over the ``k x k`` kernel
taps of a strided slice of the input times that tap's per-channel weights, which
XLA fuses into one loop. Measured on the project's 2-core CPU at MobileNetV2's
shapes (3x3 kernels): 128x128x96 stride 2, 11.0 vs 0.45 ms; 64x64x144, 15.9 vs
0.41 ms; 8x8x960, 1.8 vs 0.13 ms (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["DepthwiseConv2D"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class DepthwiseConv2D(keras.layers.DepthwiseConv2D):
    """``keras.layers.DepthwiseConv2D`` with the shifted-sum formulation on JAX.

    Same weights (kernel ``(k, k, C, 1)``), names, config and results (up to
    float32 summation order) as Keras's layer. The shifted sum runs on the JAX
    backend for ``padding="valid"``, channels-last data, ``depth_multiplier=1``
    and no dilation (how every backbone here uses it, after an explicit
    ``ZeroPadding2D``); anything else runs Keras's own ``call``.

    Call: ``(N, H, W, C)`` → ``(N, (H - k) // s + 1, (W - k) // s + 1, C)``.
    """

    def _shifted_sum_applies(self) -> bool:
        return (
            keras.backend.backend() == "jax"
            and self.padding == "valid"
            and self.data_format == "channels_last"
            and self.depth_multiplier == 1
            and tuple(self.dilation_rate) == (1, 1)
        )

    def call(self, inputs):
        if not self._shifted_sum_applies():
            return super().call(inputs)
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        height, width = inputs.shape[1], inputs.shape[2]
        out_h, out_w = (height - kh) // sh + 1, (width - kw) // sw + 1
        kernel = self.kernel[..., 0]  # (kh, kw, C)
        outputs = None
        for i in range(kh):
            for j in range(kw):
                tap = inputs[
                    :, i : i + sh * (out_h - 1) + 1 : sh, j : j + sw * (out_w - 1) + 1 : sw
                ]
                term = ops.multiply(tap, kernel[i, j])
                outputs = term if outputs is None else ops.add(outputs, term)
        if self.use_bias:
            outputs = ops.add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs
