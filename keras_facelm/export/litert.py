"""LiteRT (TFLite) export: built-in operators only, optional quantisation.

Keras's ``model.export(format="litert")`` does the conversion (Keras
``ExportArchive`` → SavedModel → ``TFLiteConverter.from_saved_model``;
``from_keras_model`` crashes on Keras 3 models). Its default also allows
``SELECT_TF_OPS`` (Flex), which standalone LiteRT cannot run, so the operator
set is restricted to ``TFLITE_BUILTINS`` here and the written file is checked
for custom operators.
"""

from __future__ import annotations

import pathlib

import numpy as np

from keras_facelm.export.tflite_ops import embed_metadata, tflite_operators

__all__ = ["write_litert"]


def _converter_settings(quantize, calibration, input_dtype):
    """``TFLiteConverter`` attributes for ``quantize`` (passed through Keras's exporter)."""
    import tensorflow as tf

    target_spec = {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}
    settings = {"target_spec": target_spec}
    if quantize is None:
        return settings
    settings["optimizations"] = [tf.lite.Optimize.DEFAULT]
    if quantize == "fp16":
        target_spec["supported_types"] = [tf.float16]
    elif quantize == "int8":
        dtype = np.dtype(input_dtype)

        def representative_dataset():
            for crop in calibration:
                yield [crop[None].astype(dtype)]

        settings["representative_dataset"] = representative_dataset
    return settings


def write_litert(
    graph, path: pathlib.Path, *, quantize, calibration, input_dtype, metadata_text: str
) -> set[str]:
    """Converts ``graph`` (see :func:`~keras_facelm.export.graph.export_graph`) to ``path``.

    Args:
        graph: the Keras model to export (TensorFlow backend).
        path: the ``.tflite`` file to write.
        quantize: ``None``, ``"fp16"`` (fp16 weights), ``"dynamic_int8"`` (int8
            weights, float activations) or ``"int8"`` (int8 weights and
            activations calibrated on ``calibration``; operators without an int8
            kernel, and the model's float input/output, stay float).
        calibration: float32 ``(M, H, W, 3)`` crops for ``"int8"``.
        input_dtype: the graph's input dtype (calibration crops are cast to it).
        metadata_text: embedded as TFLite metadata ``keras_facelm``.

    Returns:
        The operator names of the written file.

    Raises:
        RuntimeError: the converted model needs non-built-in operators.
    """
    import tensorflow as tf

    height, width = graph.input_shape[1:3]
    signature = [tf.TensorSpec((None, height, width, 3), input_dtype, name="images")]
    graph.export(
        str(path),
        format="litert",
        input_signature=signature,
        verbose=False,
        **_converter_settings(quantize, calibration, input_dtype),
    )
    model_bytes = path.read_bytes()
    ops = tflite_operators(model_bytes)
    custom = sorted(op for op in ops if op.startswith("CUSTOM:"))
    if custom:
        raise RuntimeError(
            f"{path}: the converted model needs non-built-in operators {custom}"
        )
    path.write_bytes(embed_metadata(model_bytes, metadata_text))
    return ops
