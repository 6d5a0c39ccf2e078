"""TensorFlow SavedModel export through Keras's ``model.export(format="tf_saved_model")``."""

from __future__ import annotations

import pathlib

from keras_facelm.export.graph import input_signature

__all__ = ["write_saved_model"]


def write_saved_model(graph, path: pathlib.Path, *, input_dtype: str, batch_size="dynamic") -> None:
    """Writes ``graph`` as a SavedModel directory with a ``serving_default`` signature.

    The signature takes ``images`` ``(N, H, W, 3)`` of ``input_dtype`` (``N``:
    ``batch_size``, an int or ``"dynamic"``) and returns the graph's output dict.
    """
    signature = input_signature(graph, input_dtype, batch_size)
    graph.export(str(path), format="tf_saved_model", input_signature=signature, verbose=False)
