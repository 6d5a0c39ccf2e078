"""Presets: a released model as data (:class:`Preset`), registered on its detector class.

Each architecture declares its presets in ``<arch>_presets.py`` beside its
class module and registers them there with :func:`register_presets`. The
registry maps a name to the class object itself (no string lookup), and each
class sees exactly its own presets (``cls.presets``; a subclass does not
inherit its parent's).

A preset's ``published_nme`` is MMPose's model-zoo number for the released
checkpoint (WFLW/300W/AFLW/COFW in percent, COCO-WholeBody-Face as a fraction,
as the zoo tables print them; ``nme_unit`` says which).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Iterable

__all__ = [
    "Preset",
    "mmpose_preset",
    "register_presets",
    "get_preset",
    "preset_class",
    "list_presets",
]

#: Terms of the training datasets, per keypoint scheme, as their publishers state them.
TRAINING_DATA_TERMS = {
    "wflw": "WFLW: annotations by Wu et al. (CVPR 2018) on WIDER FACE images, which "
    "WIDER FACE releases for non-commercial research purposes only",
    "300w": "300-W (iBUG): for research (non-commercial) use only; its images come from "
    "LFPW, HELEN, AFW and iBUG under their own terms",
    "aflw": "AFLW: academic non-commercial research use under a licence agreement with "
    "Graz University of Technology",
    "cofw": "COFW: research release by Burgos-Artizzu et al. (Caltech, ICCV 2013) of web "
    "images; no licence for commercial use is stated",
    "coco_wholebody_face": "COCO-WholeBody: annotations by Jin et al. (ECCV 2020) on "
    "COCO 2017 images (Flickr images under their own per-image licences); check both "
    "before commercial use",
}

#: MMPose's download folder for face checkpoints.
MMPOSE_FACE_DOWNLOADS = "https://download.openmmlab.com/mmpose/face/"


@dataclasses.dataclass(frozen=True)
class Preset:
    """One released (or recipe-only) model.

    Attributes:
        name: registry key, e.g. ``"hrnetv2_w18_wflw"``.
        mmpose_config: config path under MMPose's ``configs/face_2d_keypoint/``.
        checkpoint_url: MMPose's released ``.pth``, or ``None`` for recipe-only
            presets (no released weights; train them yourself).
        sha256_prefix: the hash prefix in the checkpoint's file name.
        model_kwargs: constructor arguments of the detector class
            (``num_keypoints``, ``scheme``, ``codec``, ...).
        train_loss: the loss the released model was trained with.
        published_nme: ``{split: NME}`` as printed in MMPose's model zoo.
        nme_unit: ``"percent"`` or ``"fraction"``.
        weights_license: licence of the released weights.
        recipe: for recipe-only presets, how to train them.

    ``dataset_terms`` (a property) states the terms of the dataset the weights
    were trained on: ask them before shipping a model commercially.
    """

    name: str
    mmpose_config: str
    checkpoint_url: str | None
    sha256_prefix: str | None
    model_kwargs: types.MappingProxyType
    train_loss: str
    published_nme: types.MappingProxyType
    nme_unit: str
    weights_license: str = "Apache-2.0 (MMPose model zoo)"
    recipe: str | None = None

    @property
    def has_weights(self) -> bool:
        return self.checkpoint_url is not None

    @property
    def scheme(self) -> str:
        return self.model_kwargs["scheme"]

    @property
    def dataset_terms(self) -> str:
        return TRAINING_DATA_TERMS[self.scheme]


def mmpose_preset(
    name,
    mmpose_config,
    checkpoint,
    *,
    model_kwargs,
    train_loss,
    published_nme,
    nme_unit,
    **extra,
):
    """A :class:`Preset` for an MMPose zoo row.

    ``checkpoint`` is the path under MMPose's face download folder (its file
    name carries the sha256 prefix), or ``None`` for a recipe-only row.
    """
    from keras_facelm.utils.download import sha256_prefix_from_filename

    return Preset(
        name=name,
        mmpose_config=mmpose_config,
        checkpoint_url=None if checkpoint is None else MMPOSE_FACE_DOWNLOADS + checkpoint,
        sha256_prefix=None if checkpoint is None else sha256_prefix_from_filename(checkpoint),
        model_kwargs=types.MappingProxyType(dict(model_kwargs)),
        train_loss=train_loss,
        published_nme=types.MappingProxyType(dict(published_nme)),
        nme_unit=nme_unit,
        **extra,
    )


#: name → (detector class, preset), filled by :func:`register_presets`.
_REGISTRY: dict[str, tuple[type, Preset]] = {}


def register_presets(cls, presets: Iterable[Preset]):
    """Registers ``presets`` on detector class ``cls`` (sets ``cls.presets``).

    Raises:
        ValueError: a name that is already registered.
    """
    own = dict(cls.__dict__.get("presets", {}))
    for preset in presets:
        if preset.name in _REGISTRY:
            raise ValueError(f"preset {preset.name!r} is already registered")
        _REGISTRY[preset.name] = (cls, preset)
        own[preset.name] = preset
    cls.presets = types.MappingProxyType(own)
    return cls


def _unknown(name):
    return ValueError(
        f"unknown preset {name!r}; registered presets: {', '.join(sorted(_REGISTRY))}"
    )


def get_preset(name: str) -> Preset:
    """The registered :class:`Preset` called ``name``."""
    if name not in _REGISTRY:
        raise _unknown(name)
    return _REGISTRY[name][1]


def preset_class(name: str) -> type:
    """The detector class preset ``name`` is registered on."""
    if name not in _REGISTRY:
        raise _unknown(name)
    return _REGISTRY[name][0]


def list_presets(*, with_weights=None, cls=None):
    """Names of registered presets, sorted.

    Args:
        with_weights: ``True`` for presets with released checkpoints,
            ``False`` for recipe-only presets, ``None`` for all.
        cls: keep only the presets registered on this detector class.
    """
    return sorted(
        name
        for name, (owner, preset) in _REGISTRY.items()
        if (with_weights is None or preset.has_weights == with_weights)
        and (cls is None or owner is cls)
    )
