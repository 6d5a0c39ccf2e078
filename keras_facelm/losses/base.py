"""Base class for losses that take MMPose-style per-keypoint target weights.

Keras's :class:`keras.losses.Loss` multiplies the *reduced-per-sample* loss by
``sample_weight`` and divides by its own count. MMPose instead multiplies the
prediction and target (or the element-wise loss) by the keypoint weight
*before* a reduction whose denominator counts every element, zero-weight ones
included. :class:`KeypointWeightedLoss` routes ``sample_weight`` into the loss
itself so that ``loss(y_true, y_pred, sample_weight=w)`` with ``w`` of shape
``(N, K)`` equals MMPose's ``loss(pred, gt, target_weights=w)`` with
``use_target_weight=True``, and ``model.fit(x, y, sample_weight=w)`` trains
exactly as MMPose does. Without ``sample_weight`` the loss equals MMPose's with
``use_target_weight=False``.
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["KeypointWeightedLoss", "mean_all"]


def mean_all(x):
    """Mean over every element, in ``x``'s dtype.

    ``keras.ops.mean`` on the torch backend rounds float64 means to float32
    precision; a sum divided by the element count does not.
    """
    return ops.sum(x) / ops.cast(ops.size(x), x.dtype)


def _finite_targets(y_true, y_pred):
    """``y_true`` with each NaN/inf element replaced by the prediction (zero error).

    A damaged annotation (a NaN or infinite landmark or heatmap value) then adds
    nothing to the loss and nothing to its gradient, whatever its target weight,
    instead of turning the whole batch's loss into NaN (``NaN * 0`` is NaN). It
    still counts in the loss's denominator, as a keypoint of weight 1 would.
    Applies when targets and predictions have the same shape (heatmap and
    coordinate losses); STARLoss, whose targets are coordinates and predictions
    heatmaps, gets its targets unchanged and drops damaged landmarks itself.
    """
    if tuple(y_true.shape) != tuple(y_pred.shape):
        return y_true
    return ops.where(ops.isfinite(y_true), y_true, ops.stop_gradient(y_pred))


class KeypointWeightedLoss(keras.losses.Loss):
    """A loss whose ``sample_weight`` is a per-keypoint target weight ``(N, K)``.

    Subclasses implement :meth:`compute` and list their hyper-parameters in
    :meth:`get_config`. The reduction is fixed by the loss definition (MMPose's
    or STAR's), so Keras's ``reduction`` argument is not accepted.

    Args:
        loss_weight: scalar multiplier of the loss, MMPose's ``loss_weight``.
        name: loss name.
        dtype: computation dtype (default ``keras.backend.floatx()``).
    """

    def __init__(self, loss_weight=1.0, name=None, dtype=None):
        super().__init__(name=name, reduction="sum_over_batch_size", dtype=dtype)
        self.loss_weight = float(loss_weight)
        self._dtype_arg = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        with keras.name_scope(self.name):
            y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
            y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
            if sample_weight is not None:
                sample_weight = ops.convert_to_tensor(sample_weight, dtype=self.dtype)
                if len(sample_weight.shape) != 2:
                    raise ValueError(
                        f"{type(self).__name__}: sample_weight must be the "
                        "per-keypoint target weights of shape (N, K), got shape "
                        f"{tuple(sample_weight.shape)}"
                    )
            loss = self.compute(_finite_targets(y_true, y_pred), y_pred, sample_weight)
            if self.loss_weight != 1.0:
                loss = loss * self.loss_weight
            return loss

    def call(self, y_true, y_pred):
        """The unweighted loss (``sample_weight=None``), a scalar."""
        return self.compute(_finite_targets(y_true, y_pred), y_pred, None)

    def compute(self, y_true, y_pred, weights):
        """Returns the scalar loss; ``weights`` is ``(N, K)`` or ``None``."""
        raise NotImplementedError

    def get_config(self):
        return {
            "loss_weight": self.loss_weight,
            "name": self.name,
            "dtype": self._dtype_arg,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
