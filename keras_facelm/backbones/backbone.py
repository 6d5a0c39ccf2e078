"""``Backbone``: the base class of every backbone (a functional ``keras.Model``).

A backbone maps normalised images ``(N, H, W, 3)`` to a list of NHWC feature
maps. Subclasses build their graph and hand it to :meth:`Backbone.__init__`
with the architecture arguments they were called with; this class owns
``name``, ``dtype`` and ``trainable`` and turns the arguments back into
``get_config()``, so every backbone round-trips through Keras serialisation the
same way (as KerasHub's ``Backbone`` does).
"""

from __future__ import annotations

import keras

from keras_facelm.utils.config import as_tuples

__all__ = ["Backbone"]


class Backbone(keras.Model):
    """Functional backbone whose config is its constructor arguments.

    Args:
        inputs, outputs: the functional graph (``outputs`` a list of NHWC maps).
        config: the subclass's architecture arguments (everything except
            ``name``, ``dtype`` and ``trainable``), returned by ``get_config``.
        name: layer name; ``"backbone"`` for every task model.
        dtype: dtype policy (``"float32"``, ``"mixed_float16"``, ...).
    """

    def __init__(self, *, inputs, outputs, config, name="backbone", dtype=None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        # Functional models drop ``dtype``; the layers already carry it, and the
        # model's own policy must too, so that get_config round-trips it.
        self.dtype_policy = keras.dtype_policies.get(dtype)
        self._architecture = as_tuples(dict(config))

    def get_config(self):
        return {
            **as_tuples(self._architecture),
            "name": self.name,
            "dtype": self.dtype_policy.name,
            "trainable": self.trainable,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
