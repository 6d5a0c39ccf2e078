"""Heatmap losses with MMPose's reductions: ``KeypointMSELoss``, ``AdaptiveWingLoss``.

Tensors are channels-last: ``y_true``/``y_pred`` ``(N, H, W, K)`` heatmaps and
``sample_weight`` the per-keypoint target weights ``(N, K)``. Both losses are
means over all ``N*H*W*K`` elements, so the layout does not change the value.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_facelm.losses.base import KeypointWeightedLoss, mean_all

__all__ = ["KeypointMSELoss", "AdaptiveWingLoss"]


def _check_heatmaps(loss, y_true, y_pred, weights):
    if len(y_pred.shape) != 4 or len(y_true.shape) != 4:
        raise ValueError(
            f"{type(loss).__name__} expects channels-last heatmaps (N, H, W, K); got "
            f"y_true {tuple(y_true.shape)} and y_pred {tuple(y_pred.shape)}"
        )
    if weights is None:
        return None
    return weights[:, None, None, :]


@keras.saving.register_keras_serializable(package="keras_facelm")
class KeypointMSELoss(KeypointWeightedLoss):
    """MMPose's ``KeypointMSELoss``: ``mean(w * (pred - gt)**2) * loss_weight``.

    The mean runs over all ``N*H*W*K`` elements (zero-weight keypoints stay in
    the denominator); there is no 0.5 factor. MMPose always applies the target
    weights the head passes (its ``use_target_weight`` flag is not consulted);
    here they are applied when ``sample_weight`` (``(N, K)``) is given.

    Args:
        loss_weight: multiplier, MMPose's default 1.0.
        name, dtype: as :class:`keras.losses.Loss`.
    """

    def __init__(self, loss_weight=1.0, name="keypoint_mse_loss", dtype=None):
        super().__init__(loss_weight=loss_weight, name=name, dtype=dtype)

    def compute(self, y_true, y_pred, weights):
        w = _check_heatmaps(self, y_true, y_pred, weights)
        sq = ops.square(y_pred - y_true)
        if w is not None:
            sq = sq * w
        return mean_all(sq)


@keras.saving.register_keras_serializable(package="keras_facelm")
class AdaptiveWingLoss(KeypointWeightedLoss):
    """MMPose's ``AdaptiveWingLoss`` (Wang et al., ICCV 2019) on heatmaps.

    With ``sample_weight`` ``w`` (``(N, K)``), prediction and target are first
    multiplied by ``w`` (MMPose's ``use_target_weight=True``). Then, with
    ``d = |gt - pred|`` and ``p = alpha - gt``::

        A = omega / (1 + (theta/eps)**p) * p * (theta/eps)**(p - 1) / eps
        C = theta * A - omega * log(1 + (theta/eps)**p)
        l = omega * log(1 + (d/eps)**p)  if d < theta  else  A * d - C

    and the loss is ``mean(l) * loss_weight`` over all ``N*H*W*K`` elements.

    Args:
        alpha, omega, epsilon, theta: MMPose's defaults 2.1, 14, 1, 0.5.
        loss_weight: multiplier, default 1.0.
        name, dtype: as :class:`keras.losses.Loss`.
    """

    def __init__(
        self,
        alpha=2.1,
        omega=14.0,
        epsilon=1.0,
        theta=0.5,
        loss_weight=1.0,
        name="adaptive_wing_loss",
        dtype=None,
    ):
        super().__init__(loss_weight=loss_weight, name=name, dtype=dtype)
        self.alpha = float(alpha)
        self.omega = float(omega)
        self.epsilon = float(epsilon)
        self.theta = float(theta)

    def compute(self, y_true, y_pred, weights):
        w = _check_heatmaps(self, y_true, y_pred, weights)
        if w is not None:
            y_pred = y_pred * w
            y_true = y_true * w
        delta = ops.abs(y_true - y_pred)
        p = self.alpha - y_true
        ratio = self.theta / self.epsilon
        ratio_p = ops.power(ratio, p)
        a = (
            self.omega
            * (1.0 / (1.0 + ratio_p))
            * p
            * ops.power(ratio, p - 1.0)
            * (1.0 / self.epsilon)
        )
        c = self.theta * a - self.omega * ops.log(1.0 + ratio_p)
        small = self.omega * ops.log(1.0 + ops.power(delta / self.epsilon, p))
        losses = ops.where(delta < self.theta, small, a * delta - c)
        return mean_all(losses)

    def get_config(self):
        return {
            **super().get_config(),
            "alpha": self.alpha,
            "omega": self.omega,
            "epsilon": self.epsilon,
            "theta": self.theta,
        }
