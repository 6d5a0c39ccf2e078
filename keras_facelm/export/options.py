"""Validation of :func:`keras_facelm.export.export`'s arguments (pure Python).

Every check runs before anything is traced or written, so a bad argument costs
nothing and leaves no file behind.
"""

from __future__ import annotations

import dataclasses
import pathlib

from keras_facelm.export.sidecar import sidecar_path

__all__ = ["DEFAULT_BATCH", "FORMATS", "QUANTIZATIONS", "ExportOptions", "check_options"]

#: Export formats and the file suffix each one writes ("" for a directory).
FORMATS = {"litert": ".tflite", "onnx": ".onnx", "tf_saved_model": ""}
#: ``quantize=`` values; all but ``None`` are LiteRT-only.
QUANTIZATIONS = (None, "fp16", "dynamic_int8", "int8")
OUTPUTS = ("landmarks", "heatmaps")
#: The batch size each format gets when ``batch_size=None``. LiteRT: 1, because with a
#: dynamic batch the converter computes every TRANSPOSE_CONV's output shape at run time
#: and XNNPACK then leaves those ops to LiteRT's slow built-in kernel (MobileNetV2
#: heatmap model, 2 threads: 123 ms dynamic, 55 ms batch 1; benchmarks/RESULTS.md).
DEFAULT_BATCH = {"litert": 1, "onnx": "dynamic", "tf_saved_model": "dynamic"}
INPUT_DTYPES = ("float32", "uint8")


@dataclasses.dataclass(frozen=True)
class ExportOptions:
    """Checked export settings (see :func:`keras_facelm.export.export`)."""

    path: pathlib.Path
    format: str
    quantize: str | None
    flip_test: bool | None
    outputs: str
    input_dtype: str
    overwrite: bool
    batch_size: int | str  # a fixed batch, or "dynamic"


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"unknown {name}={value!r}; expected one of {list(allowed)}")
    return value


def check_options(
    path,
    *,
    format,
    quantize,
    representative_data,
    flip_test,
    outputs,
    input_dtype,
    overwrite,
    batch_size=None,
) -> ExportOptions:
    """Checks the arguments; raises ``ValueError``/``FileNotFoundError`` naming the bad one."""
    _choice("format", format, FORMATS)
    _choice("quantize", quantize, QUANTIZATIONS)
    _choice("outputs", outputs, OUTPUTS)
    _choice("input_dtype", input_dtype, INPUT_DTYPES)
    if flip_test not in (None, True, False):
        raise ValueError(f"flip_test must be None, True or False, got {flip_test!r}")
    if quantize is not None and format != "litert":
        raise ValueError(
            f"quantize={quantize!r} is only available for format='litert', not {format!r}"
        )
    if quantize == "int8" and representative_data is None:
        raise ValueError(
            "quantize='int8' needs representative_data (an array of crops, a generator "
            "of crops, or a TFDS split name such as 'synthetic_faces:validation')"
        )
    if quantize != "int8" and representative_data is not None:
        raise ValueError(f"representative_data is only used by quantize='int8', not {quantize!r}")
    if batch_size is None:
        batch_size = DEFAULT_BATCH[format]
    elif batch_size != "dynamic" and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(f"batch_size must be None, 'dynamic' or an int >= 1, got {batch_size!r}")
    path = pathlib.Path(path)
    suffix = FORMATS[format]
    if suffix and path.suffix != suffix:
        raise ValueError(f"{path}: a {format!r} export must end in {suffix!r}")
    if not suffix and path.suffix in (".tflite", ".onnx"):
        raise ValueError(f"{path}: a 'tf_saved_model' export is a directory, not {path.suffix}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path}: the output folder {path.parent} does not exist")
    if not overwrite and (path.exists() or sidecar_path(path).exists()):
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it")
    return ExportOptions(
        path, format, quantize, flip_test, outputs, input_dtype, overwrite, batch_size
    )
