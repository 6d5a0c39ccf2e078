"""The Keras model an export traces: pixels in, keypoints (or heatmaps) out."""

from __future__ import annotations

__all__ = ["export_graph", "input_signature", "resolve_flip_test"]


def input_signature(graph, input_dtype, batch_size):
    """``[tf.TensorSpec((N, H, W, 3), input_dtype, name="images")]`` of ``graph``.

    ``batch_size``: an int, or ``"dynamic"`` for ``N = None``.
    """
    import tensorflow as tf

    height, width = graph.input_shape[1:3]
    batch = None if batch_size == "dynamic" else int(batch_size)
    return [tf.TensorSpec((batch, height, width, 3), input_dtype, name="images")]


def resolve_flip_test(model, flip_test, outputs):
    """The flip-test flag baked into the export (``None`` → the model's ``test_cfg``).

    ``outputs="heatmaps"`` exports the raw head of one forward pass, so flip test
    does not apply to it.
    """
    if outputs == "heatmaps":
        if flip_test:
            raise ValueError(
                "flip_test=True needs outputs='landmarks': outputs='heatmaps' exports "
                "the raw head of one forward pass"
            )
        return False
    return bool(model.test_cfg["flip_test"]) if flip_test is None else bool(flip_test)


def export_graph(model, *, flip_test: bool, outputs: str, input_dtype: str):
    """A functional ``keras.Model`` named input ``images`` → dict of named outputs.

    Args:
        model: a :class:`~keras_facelm.models.LandmarkTask`.
        flip_test: resolved flag (:func:`resolve_flip_test`).
        outputs: ``"landmarks"``: ``model.landmark_model(flip_test)`` (normalisation,
            head, decoding and flip test in the graph) giving ``keypoints``
            ``(N, K, 2)`` input pixels and ``scores`` ``(N, K)``; ``"heatmaps"``:
            the raw head output ``(N, H/s, W/s, K)`` as ``heatmaps``.
        input_dtype: ``"float32"`` or ``"uint8"`` (cast to float32 in the graph),
            RGB values 0-255 either way.
    """
    import keras

    from keras_facelm.models.heatmap_detector import HeatmapLandmarkDetector

    if outputs == "heatmaps" and not isinstance(model, HeatmapLandmarkDetector):
        raise ValueError(
            f"outputs='heatmaps' needs a heatmap detector; {type(model).__name__} "
            "regresses coordinates (use outputs='landmarks')"
        )
    height, width = model.image_size
    images = keras.Input(shape=(height, width, 3), dtype=input_dtype, name="images")
    pixels = keras.ops.cast(images, "float32") if input_dtype != "float32" else images
    if outputs == "landmarks":
        result = model.landmark_model(flip_test)(pixels)
        result = {"keypoints": result["keypoints"], "scores": result["scores"]}
    else:
        result = {"heatmaps": model(pixels)}
    return keras.Model(images, result, name=f"{model.name}_export")
