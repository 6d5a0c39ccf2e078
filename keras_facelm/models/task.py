"""``LandmarkTask``: what every detector shares (graph front, decoding graph, presets).

Data flow of every detector: RGB pixels 0-255 ``(N, H, W, 3)`` →
:class:`~keras_facelm.layers.PixelNormalization` → backbone → neck/head (the
subclass's ``build_output``) → raw head output. :meth:`LandmarkTask.landmark_model`
appends the flip-test merge and the codec's decoder, giving keypoints in input
pixels.

Subclasses build the codec from their settings and implement
``_merge_flipped()`` (MMPose's flip-test merge of the outputs for the image and
its mirror).
"""

from __future__ import annotations

import keras
import numpy as np

from keras_facelm.data.schemes import get_scheme
from keras_facelm.layers.flip_merge import MirrorImages
from keras_facelm.layers.pixel_normalization import PixelNormalization
from keras_facelm.models.preset_io import load_preset, save_preset_dir
from keras_facelm.utils.config import as_tuples

__all__ = ["LandmarkTask"]


class LandmarkTask(keras.Model):
    """Base class of the detector task models.

    Attributes: ``backbone``, ``num_keypoints``, ``scheme`` (name),
    ``codec`` (a :class:`~keras_facelm.codecs.Codec`: the one place that states
    the input size, and for heatmap models the heatmap size and sigma),
    ``test_cfg`` (with ``flip_test``), ``image_size`` ``(height, width)``
    (derived from ``codec.input_size``). Class attribute ``preset_prefix``
    (e.g. ``"hrnetv2_w18_"``) makes class-scoped preset names work:
    ``HRNetV2W18.from_preset("wflw")``; ``presets`` holds the class's own
    registered presets.
    """

    preset_prefix = ""

    def _build_task(
        self,
        backbone,
        num_keypoints,
        build_output,
        *,
        scheme,
        codec,
        test_cfg,
        name,
        dtype,
        **kwargs,
    ):
        """Builds pixels → :class:`PixelNormalization` → backbone → ``build_output``.

        ``build_output(features)`` adds the neck and head to the graph (features:
        list of NHWC maps). Initialises the functional model and stores the
        attributes every task has.
        """
        if get_scheme(scheme).num_keypoints != num_keypoints:
            raise ValueError(
                f"scheme {scheme!r} has {get_scheme(scheme).num_keypoints} keypoints, "
                f"but num_keypoints={num_keypoints}"
            )
        width, height = codec.input_size
        images = keras.Input(shape=(height, width, 3), name="images")
        x = PixelNormalization(name="normalize", dtype=dtype)(images)
        features = backbone(x)
        if not isinstance(features, (list, tuple)):
            features = [features]
        outputs = build_output(features)
        # super(), not keras.Model.__init__: once Keras has injected Functional into
        # the class hierarchy, Model.__init__ would inject it again (a cycle).
        super().__init__(inputs=images, outputs=outputs, name=name, **kwargs)
        # Functional models drop ``dtype``; keep the policy the layers were built with.
        self.dtype_policy = keras.dtype_policies.get(dtype)
        self.backbone = backbone
        self.num_keypoints = int(num_keypoints)
        self.scheme = scheme
        self.codec = codec
        self.test_cfg = test_cfg

    @property
    def image_size(self):
        """``(height, width)`` of the input crops in pixels (from ``codec.input_size``)."""
        width, height = self.codec.input_size
        return (height, width)

    def get_config(self):
        return {
            "backbone": keras.saving.serialize_keras_object(self.backbone),
            "num_keypoints": self.num_keypoints,
            "scheme": self.scheme,
            "codec": self.codec.get_config(),
            "test_cfg": as_tuples(self.test_cfg),
            "name": self.name,
            "dtype": self.dtype_policy.name,
            "trainable": self.trainable,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("backbone"), dict):
            config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
        return cls(**config)

    def landmark_model(self, flip_test=None):
        """A functional model: images → ``{"keypoints", "scores"}``, decoding in-graph.

        Args:
            flip_test: ``None`` for the preset's ``test_cfg``, else a bool. With
                flip test the detector runs on the image and its mirror and the
                outputs are merged exactly as MMPose's ``test_cfg`` does.

        Returns:
            A ``keras.Model`` mapping ``(N, H, W, 3)`` RGB 0-255 (batch may be
            dynamic) to keypoints ``(N, K, 2)`` float32 in input pixels and scores
            ``(N, K)``. It shares this model's weights, so it is what the export
            functions trace.
        """
        flip = self.test_cfg["flip_test"] if flip_test is None else bool(flip_test)
        # Kept out of Keras's view: layer tracking is bypassed by writing __dict__, and
        # Keras's weight saving/loading skips attributes whose names start with "__"
        # (the cached models contain this model, so walking them would recurse).
        cache = self.__dict__.setdefault("__landmark_models", {})
        if flip not in cache:
            images = keras.Input(shape=(*self.image_size, 3), name="images")
            raw = self(images)
            if flip:
                mirrored = self(MirrorImages(name="mirror_images")(images))
                raw = self._merge_flipped()([raw, mirrored])
            cache[flip] = keras.Model(
                images, self.codec.decoder()(raw), name=f"{self.name}_landmarks"
            )
        return cache[flip]

    def predict_landmarks(self, images, flip_test=None, batch_size=32):
        """Landmarks of face crops at the model's input size.

        For whole images and face boxes use
        :func:`keras_facelm.inference.predict.predict_faces`.

        Args:
            images: ``(N, H, W, 3)`` or ``(H, W, 3)`` RGB, uint8 or float in
                0-255, with ``(H, W) == self.image_size``.
            flip_test: ``None`` (preset default, MMPose's ``test_cfg``) or a bool.
            batch_size: images per forward pass.

        Returns:
            ``{"keypoints": (N, K, 2) float32 in input pixels (x, y),
            "scores": (N, K) float32}`` as numpy arrays.
        """
        images = np.asarray(images)
        if images.ndim == 3:
            images = images[None]
        if images.ndim != 4 or images.shape[-1] != 3:
            raise ValueError(f"images must be (N, H, W, 3) RGB, got shape {images.shape}")
        if tuple(images.shape[1:3]) != self.image_size:
            raise ValueError(
                f"images are {images.shape[1]}x{images.shape[2]} (HxW) but the model "
                f"takes {self.image_size[0]}x{self.image_size[1]} crops; for whole images "
                "use keras_facelm.inference.predict.predict_faces"
            )
        if len(images) == 0:
            k = self.num_keypoints
            return {
                "keypoints": np.zeros((0, k, 2), "float32"),
                "scores": np.zeros((0, k), "float32"),
            }
        model = self.landmark_model(flip_test)
        images = images.astype("float32")
        # predict_on_batch per chunk, not model.predict: predict's data adapter and
        # callbacks cost about 55 ms per call on TensorFlow (+56 % on HRNetV2-W18 at batch 1).
        chunks = [
            model.predict_on_batch(images[i : i + batch_size])
            for i in range(0, len(images), int(batch_size))
        ]
        return {
            key: np.concatenate([np.asarray(c[key], dtype="float32") for c in chunks])
            for key in ("keypoints", "scores")
        }

    # -- presets ------------------------------------------------------------------
    @classmethod
    def from_preset(cls, preset, *, checkpoint=None, **kwargs):
        """Loads a registered preset, a preset directory, or a preset with a local checkpoint.

        Args:
            preset: a registered name (``"hrnetv2_w18_wflw"``; on a detector class
                also its short name, ``"wflw"``) or a preset directory
                (``config.json``, ``model.weights.h5``, ``metadata.json``).
            checkpoint: optional path or URL (``file://``, ``https://``) of the
                MMPose ``.pth`` to convert instead of the preset's released one.
            **kwargs: constructor overrides (e.g. a smaller ``backbone``).

        Returns:
            The detector. On an architecture class it is exactly of that class
            (a preset of another class raises ``ValueError``).
        """
        expected = None if cls is LandmarkTask else cls
        return load_preset(preset, expected_cls=expected, checkpoint=checkpoint, **kwargs)

    def save_to_preset(self, preset_dir, *, metadata=None, overwrite=False):
        """Writes a preset directory in KerasHub's layout, atomically.

        A non-empty ``preset_dir`` is refused (``FileExistsError``) unless
        ``overwrite=True``; an empty one is filled.
        """
        return save_preset_dir(self, preset_dir, metadata=metadata, overwrite=overwrite)
