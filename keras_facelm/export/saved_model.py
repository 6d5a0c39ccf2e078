"""TensorFlow SavedModel export through Keras's ``model.export(format="tf_saved_model")``."""

from __future__ import annotations

import pathlib

__all__ = ["write_saved_model"]


def write_saved_model(graph, path: pathlib.Path, *, input_dtype: str) -> None:
    """Writes ``graph`` as a SavedModel directory with a ``serving_default`` signature.

    The signature takes ``images`` ``(N, H, W, 3)`` of ``input_dtype`` and returns
    the graph's output dict.
    """
    import tensorflow as tf

    height, width = graph.input_shape[1:3]
    signature = [tf.TensorSpec((None, height, width, 3), input_dtype, name="images")]
    graph.export(str(path), format="tf_saved_model", input_signature=signature, verbose=False)
