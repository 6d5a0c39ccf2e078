"""Run an exported detector without Keras: :class:`ExportedLandmarker`.

Imports only numpy, OpenCV and the runtime of the file: ``ai_edge_litert``
for ``.tflite`` (LiteRT), ``onnxruntime`` for ``.onnx``. The facts it needs
(input size and dtype, box padding, keypoint names) come from the sidecar
``<file>.json`` written by :func:`keras_facelm.export.export`; the box → crop →
image-pixel path is :func:`keras_facelm.inference.topdown.predict_in_images`,
the same as for Keras models.
"""

from __future__ import annotations

import pathlib

import numpy as np

from keras_facelm.data.transforms import load_image
from keras_facelm.export.sidecar import read_sidecar
from keras_facelm.inference.topdown import predict_in_images

__all__ = ["ExportedLandmarker"]

_TFLITE_MAGIC = b"TFL3"  # flatbuffer file identifier at bytes 4-8


def _runtime_of(path: pathlib.Path) -> str:
    """``"litert"`` or ``"onnx"`` from the file's magic bytes and suffix."""
    if path.is_dir():
        raise ValueError(
            f"{path}: a SavedModel directory needs TensorFlow "
            "(tf.saved_model.load(path).signatures['serving_default']); "
            "ExportedLandmarker runs .tflite and .onnx files"
        )
    head = path.read_bytes()[:8] if path.is_file() else b""
    if head[4:8] == _TFLITE_MAGIC or path.suffix == ".tflite":
        return "litert"
    if path.suffix == ".onnx":
        return "onnx"
    raise ValueError(f"{path}: not a .tflite or .onnx file")


class _LiteRT:
    """A ``.tflite`` file in ``ai_edge_litert``'s interpreter (XNNPACK on CPU)."""

    def __init__(self, path, num_threads):
        from ai_edge_litert.interpreter import Interpreter

        model_bytes = path.read_bytes()
        if model_bytes[4:8] != _TFLITE_MAGIC:
            raise ValueError("no TFLite identifier 'TFL3' at bytes 4-8")
        self._interpreter = Interpreter(model_content=model_bytes, num_threads=num_threads)
        self._runner = self._interpreter.get_signature_runner("serving_default")

    def __call__(self, images):
        return self._runner(images=images)


class _OnnxRuntime:
    """An ``.onnx`` file in an ``onnxruntime`` CPU session."""

    def __init__(self, path, num_threads):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._outputs = [o.name for o in self._session.get_outputs()]

    def __call__(self, images):
        return dict(zip(self._outputs, self._session.run(None, {"images": images}), strict=True))


def _padded_chunk(chunk, size):
    """``chunk`` ``(n, H, W, 3)`` grown to ``size`` rows by repeating its last crop."""
    if size is None or len(chunk) == size:
        return chunk
    return np.concatenate([chunk, np.repeat(chunk[-1:], size - len(chunk), axis=0)])


class ExportedLandmarker:
    """Face landmarks from an exported ``.tflite`` or ``.onnx`` file.

    Args:
        path: the exported file; its sidecar ``<path>.json`` must sit next to it.
        num_threads: CPU threads of the runtime.

    Attributes:
        facts: the sidecar dict (scheme, keypoint names, input size, ...).
        runtime: ``"litert"`` or ``"onnx"``.
        input_size: the model's ``(width, height)`` in pixels.
        scheme: the keypoint scheme name.

    With ``image_size``, ``scheme`` and ``predict_landmarks`` it stands in for a
    Keras detector in :func:`keras_facelm.evaluation.evaluate`.

    Raises:
        FileNotFoundError: the file or its sidecar is missing.
        ValueError: the file is corrupt or truncated, or exports heatmaps.
    """

    def __init__(self, path, *, num_threads: int = 2):
        path = pathlib.Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: exported model not found")
        self.path = path
        self.runtime = _runtime_of(path)
        self.facts = read_sidecar(path)
        if self.facts["outputs"].get("kind") != "landmarks":
            raise ValueError(
                f"{path}: exports {self.facts['outputs'].get('kind')!r}, not landmarks; "
                "decode its heatmaps with keras_facelm.layers.HeatmapDecoder"
            )
        facts_in = self.facts["input"]
        self.input_size = (int(facts_in["width"]), int(facts_in["height"]))
        self.scheme = self.facts["scheme"]
        self._dtype = np.dtype(facts_in["dtype"])
        self._padding = float(self.facts["crop"]["padding"])
        batch = facts_in.get("batch", "dynamic")
        #: The file's fixed batch size, or None when its batch is dynamic.
        self.fixed_batch = None if batch == "dynamic" else int(batch)
        runner = _LiteRT if self.runtime == "litert" else _OnnxRuntime
        try:
            self._run = runner(path, num_threads)
        except Exception as e:  # the runtimes raise assorted types for bad files
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ValueError(f"{path}: not a loadable {self.runtime} model ({first})") from None

    @property
    def image_size(self):
        """The model's input ``(height, width)`` in pixels (as a Keras detector's)."""
        return self.input_size[1], self.input_size[0]

    def predict_landmarks(self, crops, flip_test=None, batch_size=32) -> dict:
        """Keypoints of face crops at the input size (a Keras detector's interface).

        Args:
            crops: ``(N, H, W, 3)`` or ``(H, W, 3)`` RGB at the model's input
                size, uint8 or float with values 0-255.
            flip_test: ``None`` or the flip-test setting baked into the file
                (it cannot change after export).
            batch_size: crops per runtime call (a fixed-batch file takes its own
                batch size, the last chunk padded with copies of its last crop).

        Returns:
            ``{"keypoints": (N, K, 2) float32 crop pixels, "scores": (N, K) float32}``.
        """
        baked = bool(self.facts["decoding"]["flip_test"])
        if flip_test is not None and bool(flip_test) != baked:
            raise ValueError(
                f"{self.path.name} was exported with flip_test={baked}; "
                f"flip_test={flip_test} needs another export"
            )
        crops = np.asarray(crops)
        if crops.ndim == 3:
            crops = crops[None]
        w, h = self.input_size
        if crops.ndim != 4 or crops.shape[1:] != (h, w, 3):
            raise ValueError(f"crops must be (N, {h}, {w}, 3) RGB, got shape {crops.shape}")
        if crops.dtype != np.uint8 and not np.issubdtype(crops.dtype, np.floating):
            raise ValueError(f"crops must be uint8 or float RGB 0-255, got dtype {crops.dtype}")
        if crops.dtype != self._dtype:
            crops = np.clip(np.rint(crops), 0, 255) if self._dtype == np.uint8 else crops
        crops = np.ascontiguousarray(crops, dtype=self._dtype)
        step = self.fixed_batch or batch_size
        outs = [
            self._run(_padded_chunk(crops[i : i + step], self.fixed_batch))
            for i in range(0, len(crops), step)
        ]
        return {
            k: np.concatenate([np.asarray(o[k], np.float32) for o in outs])[: len(crops)]
            for k in ("keypoints", "scores")
        }

    def predict(self, image, boxes, *, batch_size: int = 32) -> dict:
        """Keypoints in image pixels of the faces in ``boxes``.

        Args:
            image: RGB uint8 ``(H, W, 3)`` (also grayscale/RGBA/16-bit arrays, a
                file path or encoded bytes, read like MMPose's ``LoadImage``).
            boxes: ``(F, 4)`` or ``(4,)`` tight face boxes ``(x1, y1, x2, y2)``,
                image pixels (padded by the sidecar's ``crop.padding``).
            batch_size: crops per runtime call.

        Returns:
            ``boxes`` ``(F, 4)``, ``keypoints`` float32 ``(F, K, 2)`` image
            pixels and ``scores`` float32 ``(F, K)``.

        Raises:
            ValueError: an image of another dtype (float), shape, or a box that is
                empty or outside the image.
        """
        rgb = load_image(image, name="image")
        boxes = np.asarray(boxes, np.float32)
        return predict_in_images(
            self.predict_landmarks,
            self.input_size,
            [rgb],
            [boxes],
            padding=self._padding,
            batch_size=batch_size,
        )[0]
