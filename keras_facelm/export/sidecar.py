"""The ``<file>.json`` written next to every export: what a runtime must know.

Pure Python (``json`` only), so the Keras-free runtime
(:class:`keras_facelm.inference.ExportedLandmarker`) reads it too. Fields:

* ``preset``, ``model_class``, ``keras_facelm_version``, ``format``,
  ``model_file`` (the exported file's name), ``quantization``;
* ``scheme``, ``num_keypoints``, ``keypoint_names``, ``flip_pairs``
  (``[i, j]`` with ``i < j``, the left/right pairs of the scheme);
* ``input``: ``height``, ``width`` (pixels), ``dtype``, ``layout`` ``"NHWC"``,
  ``color_order`` ``"RGB"``, ``value_range`` ``[0, 255]``, ``batch``
  (``"dynamic"`` or 1), ``name``;
* ``crop``: the box → crop convention of the training pipeline: a tight face
  box ``(x1, y1, x2, y2)`` in image pixels, its centre and size times
  ``padding`` 1.25 (MMPose's ``GetBBoxCenterScale``), grown to ``aspect_ratio``
  = width / height of the input, then an affine warp without rotation
  (MMPose's ``TopdownAffine``);
* ``outputs``: ``kind`` ``"landmarks"`` (``keypoints`` ``(N, K, 2)`` x, y in
  input pixels, ``scores`` ``(N, K)``) or ``"heatmaps"`` (``(N, H/s, W/s, K)``
  raw head output, ``heatmap_scale`` input pixels per heatmap pixel), and
  ``decoding`` (``unbiased`` for DARK, ``flip_test``).
"""

from __future__ import annotations

import json
import pathlib

__all__ = ["SIDECAR_VERSION", "build_sidecar", "read_sidecar", "sidecar_path"]

SIDECAR_VERSION = 1
_REQUIRED = ("num_keypoints", "input", "crop", "outputs")


def sidecar_path(path) -> pathlib.Path:
    """``<file>.json`` next to an exported file (``<dir>.json`` for a SavedModel)."""
    path = pathlib.Path(path)
    return path.with_name(path.name + ".json")


def _flip_pairs(flip_indices):
    return [[i, int(j)] for i, j in enumerate(flip_indices) if i < int(j)]


def build_sidecar(
    model,
    *,
    preset,
    fmt,
    model_file,
    quantization,
    flip_test,
    outputs,
    input_dtype,
    batch,
    padding,
    extra=None,
) -> dict:
    """The sidecar dict of an export of task model ``model``.

    Args:
        model: the :class:`~keras_facelm.models.LandmarkTask` that was exported.
        preset: the preset name or directory it came from, or ``None``.
        fmt, model_file, quantization: the export's format, file name, quantisation.
        flip_test: the resolved flip-test flag baked into the graph.
        outputs: ``"landmarks"`` or ``"heatmaps"``.
        input_dtype: ``"float32"`` or ``"uint8"``.
        batch: ``"dynamic"`` or a fixed batch size.
        padding: the box padding of the crop convention.
        extra: more fields (e.g. the ONNX opset).
    """
    from keras_facelm import __version__
    from keras_facelm.data.schemes import get_scheme

    scheme = get_scheme(model.scheme)
    height, width = model.image_size
    codec = model.codec.get_config()
    decoding = {"flip_test": bool(flip_test)}
    if "unbiased" in codec:
        decoding.update(
            unbiased=bool(codec["unbiased"]),
            blur_kernel_size=int(codec["blur_kernel_size"]),
        )
    out = {"kind": outputs}
    if outputs == "landmarks":
        out.update(
            keypoints="(N, K, 2) float32, (x, y) in input pixels",
            scores="(N, K) float32",
        )
    else:
        (in_w, in_h), (hm_w, hm_h) = codec["input_size"], codec["heatmap_size"]
        out.update(
            heatmaps=f"(N, {hm_h}, {hm_w}, K) float32, raw head output",
            heatmap_scale=[in_w / hm_w, in_h / hm_h],
        )
    return {
        "sidecar_version": SIDECAR_VERSION,
        "keras_facelm_version": __version__,
        "format": fmt,
        "model_file": model_file,
        "preset": None if preset is None else str(preset),
        "model_class": type(model).__name__,
        "quantization": quantization,
        "scheme": scheme.name,
        "num_keypoints": scheme.num_keypoints,
        "keypoint_names": list(scheme.keypoint_names),
        "flip_pairs": _flip_pairs(scheme.flip_indices),
        "input": {
            "name": "images",
            "height": height,
            "width": width,
            "dtype": input_dtype,
            "layout": "NHWC",
            "color_order": "RGB",
            "value_range": [0, 255],
            "batch": batch,
        },
        "crop": {
            "box_format": "xyxy image pixels",
            "padding": float(padding),
            "aspect_ratio": width / height,
            "rotation": 0.0,
            "warp": "affine (MMPose TopdownAffine): centre and padded box size, "
            "grown to aspect_ratio, mapped onto the input",
        },
        "outputs": out,
        "decoding": decoding,
        **(extra or {}),
    }


def read_sidecar(model_path) -> dict:
    """Reads and checks ``<model_path>.json``.

    Raises:
        FileNotFoundError: the sidecar is missing.
        ValueError: it is not JSON or lacks a required field (named).
    """
    path = sidecar_path(model_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: sidecar missing; keras_facelm.export.export writes it next to "
            f"{pathlib.Path(model_path).name}"
        )
    try:
        facts = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not valid JSON ({e})") from None
    missing = [k for k in _REQUIRED if not isinstance(facts, dict) or k not in facts]
    if missing:
        raise ValueError(f"{path}: missing field(s) {missing}")
    return facts
