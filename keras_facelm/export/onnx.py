"""ONNX export through Keras's own ``model.export(format="onnx")`` (tf2onnx on TensorFlow)."""

from __future__ import annotations

import pathlib

from keras_facelm.export.graph import input_signature

__all__ = ["ONNX_OPSET", "write_onnx"]

#: ONNX opset of the exported graphs (onnxruntime >= 1.14 runs it).
ONNX_OPSET = 17


def write_onnx(graph, path: pathlib.Path, *, input_dtype: str, batch_size="dynamic") -> None:
    """Writes ``graph`` to ``path`` (opset :data:`ONNX_OPSET`).

    Input ``images`` ``(N, H, W, 3)`` of ``input_dtype`` (``N``: ``batch_size``, an
    int or ``"dynamic"``); outputs named after the graph's output dict keys.
    """
    signature = input_signature(graph, input_dtype, batch_size)
    graph.export(
        str(path),
        format="onnx",
        input_signature=signature,
        opset_version=ONNX_OPSET,
        verbose=False,
    )
