"""``export()``: a detector → a LiteRT, ONNX or SavedModel file plus its sidecar."""

from __future__ import annotations

import json
import os
import pathlib

from keras_facelm.export.files import staged_export
from keras_facelm.export.options import check_options
from keras_facelm.export.sidecar import build_sidecar

__all__ = ["export"]


def export(
    model,
    path,
    format="litert",
    quantize=None,
    representative_data=None,
    flip_test=None,
    outputs="landmarks",
    input_dtype="float32",
    overwrite=False,
    batch_size=None,
) -> pathlib.Path:
    """Exports a detector with decoding (and flip test) inside the graph.

    The exported graph takes RGB pixels 0-255 ``(N, H, W, 3)`` at the model's
    input size (``N`` fixed or dynamic: ``batch_size``) and returns ``keypoints``
    ``(N, K, 2)`` (x, y in input pixels) and ``scores`` ``(N, K)``: normalisation,
    head, plain or DARK decoding and flip test all run inside it. ``<path>.json`` (the sidecar,
    :mod:`keras_facelm.export.sidecar`) records what a runtime needs; LiteRT
    files also carry it as TFLite metadata ``keras_facelm``.

    The conversion runs on the TensorFlow backend. Under JAX or PyTorch the
    weights (which do not depend on the backend) are saved to a temporary preset
    and the same export runs in a subprocess with ``KERAS_BACKEND=tensorflow``
    (TensorFlow must be installed).

    Args:
        model: a detector (:class:`~keras_facelm.models.LandmarkTask`), a preset
            name or a preset directory.
        path: output file (``.tflite`` for ``"litert"``, ``.onnx`` for
            ``"onnx"``) or directory (``"tf_saved_model"``); its folder must exist.
        format: ``"litert"``, ``"onnx"`` or ``"tf_saved_model"``.
        quantize: LiteRT only: ``None`` (float32), ``"fp16"`` (fp16 weights),
            ``"dynamic_int8"`` (int8 weights) or ``"int8"`` (int8 weights and
            activations, calibrated on ``representative_data``; the float input
            and output stay float).
        representative_data: for ``"int8"``: crops ``(M, H, W, 3)`` RGB 0-255,
            an iterable of crops or batches, or a TFDS split ``"name:split"``.
        flip_test: ``None`` for the model's ``test_cfg``, else a bool.
        outputs: ``"landmarks"``, or ``"heatmaps"`` for the raw head output
            (heatmap detectors only, no flip test).
        input_dtype: ``"float32"`` or ``"uint8"`` pixels.
        overwrite: replace an existing export.
        batch_size: ``N`` of the exported input: an int, ``"dynamic"``, or ``None``
            for the format's default (LiteRT 1, where XNNPACK runs transposed
            convolutions only with static shapes; ONNX and SavedModel dynamic).
            :class:`~keras_facelm.inference.ExportedLandmarker` feeds a fixed-batch
            file in chunks of that size.

    Returns:
        ``path``. The file and its sidecar appear together, only when the export
        succeeded (written under temporary names, then renamed).
    """
    opts = check_options(
        path,
        format=format,
        quantize=quantize,
        representative_data=representative_data,
        flip_test=flip_test,
        outputs=outputs,
        input_dtype=input_dtype,
        overwrite=overwrite,
        batch_size=batch_size,
    )
    import keras

    if keras.backend.backend() != "tensorflow":
        from keras_facelm.export.under_tensorflow import export_in_subprocess

        return export_in_subprocess(model, opts, representative_data)
    preset = None
    if isinstance(model, (str, os.PathLike)):
        preset, model = str(model), load_preset(model)
    return export_loaded(model, opts, representative_data, preset=preset)


def load_preset(preset):
    """``keras_facelm.models.from_preset``, imported when an export needs it."""
    from keras_facelm.models import from_preset

    return from_preset(preset)


def export_loaded(model, opts, representative_data, *, preset) -> pathlib.Path:
    """:func:`export` of a loaded task model on the TensorFlow backend."""
    from keras_facelm.export.graph import export_graph, resolve_flip_test
    from keras_facelm.inference.topdown import DEFAULT_PADDING

    flip = resolve_flip_test(model, opts.flip_test, opts.outputs)
    calibration = None
    if opts.quantize == "int8":
        from keras_facelm.export.representative import calibration_crops

        calibration = calibration_crops(representative_data, model.image_size)
    graph = export_graph(model, flip_test=flip, outputs=opts.outputs, input_dtype=opts.input_dtype)
    extra = {}
    if opts.format == "onnx":
        from keras_facelm.export.onnx import ONNX_OPSET

        extra["onnx_opset"] = ONNX_OPSET
    if opts.quantize == "int8":
        extra["calibration_crops"] = len(calibration)
    facts = build_sidecar(
        model,
        preset=preset,
        fmt=opts.format,
        model_file=opts.path.name,
        quantization=opts.quantize,
        flip_test=flip,
        outputs=opts.outputs,
        input_dtype=opts.input_dtype,
        batch=opts.batch_size,
        padding=DEFAULT_PADDING,
        extra=extra,
    )
    is_dir = opts.format == "tf_saved_model"
    with staged_export(opts.path, is_dir=is_dir, overwrite=opts.overwrite) as (
        tmp,
        sidecar,
    ):
        if opts.format == "litert":
            from keras_facelm.export.litert import write_litert

            write_litert(
                graph,
                tmp,
                quantize=opts.quantize,
                calibration=calibration,
                input_dtype=opts.input_dtype,
                batch_size=opts.batch_size,
                metadata_text=json.dumps(facts),
            )
        elif opts.format == "onnx":
            from keras_facelm.export.onnx import write_onnx

            write_onnx(graph, tmp, input_dtype=opts.input_dtype, batch_size=opts.batch_size)
        else:
            from keras_facelm.export.saved_model import write_saved_model

            write_saved_model(graph, tmp, input_dtype=opts.input_dtype, batch_size=opts.batch_size)
        sidecar(facts)
    return opts.path
