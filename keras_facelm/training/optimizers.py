"""Adam with PyTorch's update rule, the optimizer of every MMPose face config.

PyTorch (``torch/optim/adam.py``, the optimizer MMPose's configs name) updates

    p -= lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)

while :class:`keras.optimizers.Adam` adds ``epsilon`` to ``sqrt(v)`` *before*
bias correction, which is PyTorch's rule with ``eps * sqrt(1 - b2^t)`` replaced
by ``eps``: at step 1 Keras's effective epsilon is 31.6x PyTorch's, and a
weight whose gradient is ~1e-7 moves by a visibly different amount.
:class:`TorchAdam` reproduces PyTorch's rule exactly; every training recipe
uses it.
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["TorchAdam"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class TorchAdam(keras.optimizers.Adam):
    """:class:`keras.optimizers.Adam` with PyTorch's epsilon placement.

    Same arguments as :class:`keras.optimizers.Adam` (``learning_rate`` may be a
    schedule); defaults are PyTorch's (``beta_1=0.9``, ``beta_2=0.999``,
    ``epsilon=1e-8``). ``amsgrad`` is not supported.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        name="torch_adam",
        **kwargs,
    ):
        if kwargs.pop("amsgrad", False):
            raise ValueError("TorchAdam does not support amsgrad")
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=False,
            name=name,
            **kwargs,
        )

    def update_step(self, gradient, variable, learning_rate):
        """One PyTorch Adam step on ``variable`` (float32 arithmetic as torch's)."""
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        step = ops.cast(self.iterations + 1, variable.dtype)
        bias1 = 1 - ops.power(ops.cast(self.beta_1, variable.dtype), step)
        bias2 = 1 - ops.power(ops.cast(self.beta_2, variable.dtype), step)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
        denom = ops.add(ops.divide(ops.sqrt(v), ops.sqrt(bias2)), self.epsilon)
        self.assign_sub(variable, ops.divide(ops.multiply(m, lr / bias1), denom))

    def get_config(self):
        config = super().get_config()
        config.pop("amsgrad", None)
        return config
