"""Coordinate-regression losses with MMPose's reductions.

``WingLoss``, ``SoftWingLoss`` and ``SmoothL1Loss`` take ``y_true``/``y_pred``
``(N, K, 2)`` (normalised coordinates for MMPose's ``RegressionLabel``) and
``sample_weight`` the per-keypoint target weights ``(N, K)``. With weights,
prediction and target are multiplied by ``w[..., None]`` before the loss, as
MMPose does with ``use_target_weight=True`` (the regression head passes
``keypoint_weights.unsqueeze(-1)``).
"""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_facelm.losses.base import KeypointWeightedLoss, mean_all

__all__ = ["WingLoss", "SoftWingLoss", "SmoothL1Loss"]


def _apply_weights(loss, y_true, y_pred, weights):
    if len(y_pred.shape) != 3 or len(y_true.shape) != 3:
        raise ValueError(
            f"{type(loss).__name__} expects coordinates (N, K, 2); got y_true "
            f"{tuple(y_true.shape)} and y_pred {tuple(y_pred.shape)}"
        )
    if weights is not None:
        w = weights[:, :, None]
        y_pred = y_pred * w
        y_true = y_true * w
    return y_true, y_pred


@keras.saving.register_keras_serializable(package="keras_facelm")
class WingLoss(KeypointWeightedLoss):
    """MMPose's ``WingLoss`` (Feng et al., CVPR 2018).

    With ``d = |gt - pred|`` and ``C = omega * (1 - log(1 + omega/epsilon))``::

        l = omega * log(1 + d/epsilon)  if d < omega  else  d - C

    summed over ``(K, 2)`` and averaged over the batch, times ``loss_weight``.

    Args:
        omega, epsilon: MMPose's defaults 10.0 and 2.0.
        loss_weight: multiplier, default 1.0.
        name, dtype: as :class:`keras.losses.Loss`.
    """

    def __init__(self, omega=10.0, epsilon=2.0, loss_weight=1.0, name="wing_loss", dtype=None):
        super().__init__(loss_weight=loss_weight, name=name, dtype=dtype)
        self.omega = float(omega)
        self.epsilon = float(epsilon)
        self.C = self.omega * (1.0 - math.log(1.0 + self.omega / self.epsilon))

    def compute(self, y_true, y_pred, weights):
        y_true, y_pred = _apply_weights(self, y_true, y_pred, weights)
        delta = ops.abs(y_true - y_pred)
        losses = ops.where(
            delta < self.omega,
            self.omega * ops.log(1.0 + delta / self.epsilon),
            delta - self.C,
        )
        return mean_all(ops.sum(losses, axis=(1, 2)))

    def get_config(self):
        return {**super().get_config(), "omega": self.omega, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="keras_facelm")
class SoftWingLoss(KeypointWeightedLoss):
    """MMPose's ``SoftWingLoss`` (Lin et al., TIP 2021).

    With ``d = |gt - pred|`` and ``B = omega1 - omega2 * log(1 + omega1/epsilon)``::

        l = d  if d < omega1  else  omega2 * log(1 + d/epsilon) + B

    summed over ``(K, 2)`` and averaged over the batch, times ``loss_weight``.

    Args:
        omega1, omega2, epsilon: MMPose's defaults 2.0, 20.0, 0.5.
        loss_weight: multiplier, default 1.0.
        name, dtype: as :class:`keras.losses.Loss`.
    """

    def __init__(
        self,
        omega1=2.0,
        omega2=20.0,
        epsilon=0.5,
        loss_weight=1.0,
        name="soft_wing_loss",
        dtype=None,
    ):
        super().__init__(loss_weight=loss_weight, name=name, dtype=dtype)
        self.omega1 = float(omega1)
        self.omega2 = float(omega2)
        self.epsilon = float(epsilon)
        self.B = self.omega1 - self.omega2 * math.log(1.0 + self.omega1 / self.epsilon)

    def compute(self, y_true, y_pred, weights):
        y_true, y_pred = _apply_weights(self, y_true, y_pred, weights)
        delta = ops.abs(y_true - y_pred)
        losses = ops.where(
            delta < self.omega1,
            delta,
            self.omega2 * ops.log(1.0 + delta / self.epsilon) + self.B,
        )
        return mean_all(ops.sum(losses, axis=(1, 2)))

    def get_config(self):
        return {
            **super().get_config(),
            "omega1": self.omega1,
            "omega2": self.omega2,
            "epsilon": self.epsilon,
        }


@keras.saving.register_keras_serializable(package="keras_facelm")
class SmoothL1Loss(KeypointWeightedLoss):
    """MMPose's ``SmoothL1Loss``: ``torch.nn.functional.smooth_l1_loss`` (beta 1).

    With ``d = pred - gt``: ``l = 0.5 * d**2 / beta`` if ``|d| < beta`` else
    ``|d| - 0.5 * beta``, averaged over all ``N*K*2`` elements, times
    ``loss_weight``.

    Args:
        beta: transition point, torch's default 1.0.
        loss_weight: multiplier, default 1.0.
        name, dtype: as :class:`keras.losses.Loss`.
    """

    def __init__(self, beta=1.0, loss_weight=1.0, name="smooth_l1_loss", dtype=None):
        super().__init__(loss_weight=loss_weight, name=name, dtype=dtype)
        if not beta > 0:
            raise ValueError(f"beta must be positive, got {beta!r}")
        self.beta = float(beta)

    def compute(self, y_true, y_pred, weights):
        y_true, y_pred = _apply_weights(self, y_true, y_pred, weights)
        delta = ops.abs(y_pred - y_true)
        losses = ops.where(
            delta < self.beta,
            0.5 * ops.square(delta) / self.beta,
            delta - 0.5 * self.beta,
        )
        return mean_all(losses)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}
