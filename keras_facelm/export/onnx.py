"""ONNX export through Keras's own ``model.export(format="onnx")`` (tf2onnx on TensorFlow)."""

from __future__ import annotations

import pathlib

__all__ = ["ONNX_OPSET", "write_onnx"]

#: ONNX opset of the exported graphs (onnxruntime >= 1.14 runs it).
ONNX_OPSET = 17


def write_onnx(graph, path: pathlib.Path, *, input_dtype: str) -> None:
    """Writes ``graph`` to ``path`` (opset :data:`ONNX_OPSET`, dynamic batch).

    Input ``images`` ``(N, H, W, 3)`` of ``input_dtype``; outputs named after the
    graph's output dict keys.
    """
    import tensorflow as tf

    height, width = graph.input_shape[1:3]
    signature = [tf.TensorSpec((None, height, width, 3), input_dtype, name="images")]
    graph.export(
        str(path),
        format="onnx",
        input_signature=signature,
        opset_version=ONNX_OPSET,
        verbose=False,
    )
