"""LiteRT (TFLite) export: built-in operators only, optional quantisation.

Float32, fp16 and dynamic-range int8 use Keras's own ``model.export(format="litert")``
(Keras ``ExportArchive`` → SavedModel → ``TFLiteConverter.from_saved_model``;
``from_keras_model`` crashes on Keras 3 models). Its default also allows
``SELECT_TF_OPS`` (Flex), which standalone LiteRT cannot run, so the operator
set is restricted to ``TFLITE_BUILTINS`` here and the written file is checked
for custom operators.

Full-integer int8 does not go through Keras's exporter: it keeps the decoding
(and the flip-test merge) in float, which needs the converter's two steps
separately (calibrate, then quantize with chosen nodes left out), and Keras's
exporter hands out only the final bytes.
"""

from __future__ import annotations

import pathlib
import re
import tempfile

import numpy as np

from keras_facelm.export.graph import input_signature
from keras_facelm.export.tflite_ops import (
    embed_metadata,
    output_tensor_names,
    tflite_operators,
)

__all__ = ["FLOAT_LAYERS", "write_litert"]

#: Layers left in float by full-integer int8: argmax/offset decoding compares
#: neighbouring heatmap values, which int8 rounding makes equal or flips, and
#: DARK takes logarithms; the flip merge feeds them. At the input, the mirror
#: of the flip test and the pixel normalisation: TFLite's int8 ``REVERSE_V2``
#: and ``SUB`` had the largest quantisation errors of the whole graph
#: (``tf.lite.experimental.QuantizationDebugger``, 51 and 35 quantisation steps
#: RMS), and keeping them in float took the README main job's int8 NME from
#: +7.2 % to -0.1 % of fp32. Both are a few element-wise operations on the input.
FLOAT_LAYERS = ("mirror_images", "normalize", "decode", "flip_merge")


def _representative_dataset(calibration, input_dtype):
    dtype = np.dtype(input_dtype)

    def generate():
        for crop in calibration:
            yield [crop[None].astype(dtype)]

    return generate


def _converter_settings(quantize):
    """``TFLiteConverter`` attributes for ``quantize`` (passed through Keras's exporter)."""
    import tensorflow as tf

    target_spec = {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}
    settings = {"target_spec": target_spec}
    if quantize is not None:
        settings["optimizations"] = [tf.lite.Optimize.DEFAULT]
    if quantize == "fp16":
        target_spec["supported_types"] = [tf.float16]
    return settings


def _full_int8(graph, signature, calibration, input_dtype, float_layers) -> bytes:
    """int8 weights and activations, with ops of ``float_layers`` left in float.

    The same two steps as ``tf.lite.experimental.QuantizationDebugger`` with
    ``denylisted_nodes``: a calibrate-only conversion records activation
    ranges, then the quantizer converts every op except the denylisted ones.
    """
    import tensorflow as tf
    from tensorflow.lite.python import convert as tflite_convert

    with tempfile.TemporaryDirectory() as tmp:
        graph.export(tmp, format="tf_saved_model", input_signature=signature, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = _representative_dataset(calibration, input_dtype)
        converter._experimental_calibrate_only = True  # as QuantizationDebugger does
        calibrated = converter.convert()
    pattern = re.compile(r"/(" + "|".join(map(re.escape, float_layers)) + r")(_\d+)?/")
    nodes = {n for n in output_tensor_names(calibrated) if pattern.search(n)}
    if nodes:  # the last op of each float layer is named after the model output
        nodes |= set(output_tensor_names(calibrated, model_outputs=True))
    nodes = sorted(nodes)
    return tflite_convert.mlir_quantize(calibrated, denylisted_nodes=nodes or None)


def write_litert(
    graph,
    path: pathlib.Path,
    *,
    quantize,
    calibration,
    input_dtype,
    metadata_text: str,
    batch_size="dynamic",
    float_layers=FLOAT_LAYERS,
) -> set[str]:
    """Converts ``graph`` (see :func:`~keras_facelm.export.graph.export_graph`) to ``path``.

    Args:
        graph: the Keras model to export (TensorFlow backend).
        path: the ``.tflite`` file to write.
        quantize: ``None``, ``"fp16"`` (fp16 weights), ``"dynamic_int8"`` (int8
            weights, float activations) or ``"int8"`` (int8 weights and
            activations calibrated on ``calibration``; ``float_layers``, ops
            without an int8 kernel and the model's input/output stay float).
        calibration: float32 ``(M, H, W, 3)`` crops for ``"int8"``.
        input_dtype: the graph's input dtype (calibration crops are cast to it).
        batch_size: the input's batch, an int or ``"dynamic"``.
        metadata_text: embedded as TFLite metadata ``keras_facelm``.
        float_layers: names of Keras layers whose ops full-integer int8 keeps in
            float (``()`` quantizes everything that has an int8 kernel).

    Returns:
        The operator names of the written file.

    Raises:
        RuntimeError: the converted model needs non-built-in operators.
    """
    signature = input_signature(graph, input_dtype, batch_size)
    if quantize == "int8":
        model_bytes = _full_int8(graph, signature, calibration, input_dtype, float_layers)
    else:
        graph.export(
            str(path),
            format="litert",
            input_signature=signature,
            verbose=False,
            **_converter_settings(quantize),
        )
        model_bytes = path.read_bytes()
    ops = tflite_operators(model_bytes)
    custom = sorted(op for op in ops if op.startswith("CUSTOM:"))
    if custom:
        raise RuntimeError(f"{path}: the converted model needs non-built-in operators {custom}")
    path.write_bytes(embed_metadata(model_bytes, metadata_text))
    return ops
