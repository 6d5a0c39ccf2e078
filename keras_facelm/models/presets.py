"""The preset registry: every MMPose face model-zoo row we deliver, as data.

Each :class:`Preset` records the MMPose config it reproduces, the released
checkpoint (URL and the sha256 prefix MMPose puts in the file name), the keypoint
scheme, codec and flip-test settings, and the NMEs MMPose publishes for it
(``published_nme``: WFLW/300W/AFLW/COFW in percent, COCO-WholeBody-Face as a
fraction, exactly as the model-zoo tables print them).
"""

from __future__ import annotations

import dataclasses
import types

__all__ = ["Preset", "PRESETS", "register_preset", "get_preset", "list_presets"]

_MMPOSE_FACE = "https://download.openmmlab.com/mmpose/face/"


@dataclasses.dataclass(frozen=True)
class Preset:
    """One model-zoo row.

    Attributes:
        name: registry key, e.g. ``"hrnetv2_w18_wflw"``.
        class_name: the detector class in :mod:`keras_facelm.models`.
        scheme: keypoint scheme (``"wflw"``, ``"300w"``, ...).
        mmpose_config: config path under MMPose's ``configs/face_2d_keypoint/``.
        checkpoint_url: MMPose's released ``.pth``, or ``None`` for recipe-only
            presets (no released weights; train them with the recipe).
        sha256_prefix: the hash prefix in the checkpoint's file name.
        model_kwargs: constructor arguments of ``class_name`` (codec, test_cfg,
            num_keypoints, ...).
        train_loss: the loss the released model was trained with.
        published_nme: ``{split: NME}`` as printed in MMPose's model zoo.
        nme_unit: ``"percent"`` or ``"fraction"`` (how ``published_nme`` is printed).
        recipe: for recipe-only presets, how to train them.
    """

    name: str
    class_name: str
    scheme: str
    mmpose_config: str
    checkpoint_url: str | None
    sha256_prefix: str | None
    model_kwargs: types.MappingProxyType
    train_loss: str
    published_nme: types.MappingProxyType
    nme_unit: str
    recipe: str | None = None

    @property
    def has_weights(self) -> bool:
        return self.checkpoint_url is not None


PRESETS: dict[str, Preset] = {}


def register_preset(
    name, class_name, scheme, mmpose_config, checkpoint, *, model_kwargs,
    train_loss, published_nme, nme_unit, recipe=None,
):  # fmt: skip
    """Adds a preset; ``checkpoint`` is a path under MMPose's face download folder or None."""
    if name in PRESETS:
        raise ValueError(f"preset {name!r} is already registered")
    sha = None
    if checkpoint is not None:
        from keras_facelm.utils.download import sha256_prefix_from_filename

        sha = sha256_prefix_from_filename(checkpoint)
    PRESETS[name] = Preset(
        name=name,
        class_name=class_name,
        scheme=scheme,
        mmpose_config=mmpose_config,
        checkpoint_url=None if checkpoint is None else _MMPOSE_FACE + checkpoint,
        sha256_prefix=sha,
        model_kwargs=types.MappingProxyType(dict(model_kwargs)),
        train_loss=train_loss,
        published_nme=types.MappingProxyType(dict(published_nme)),
        nme_unit=nme_unit,
        recipe=recipe,
    )
    return PRESETS[name]


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(
            f"unknown preset {name!r}; registered presets: {', '.join(sorted(PRESETS))}"
        ) from None


def list_presets(*, with_weights=None, class_name=None):
    """Names of registered presets.

    Args:
        with_weights: ``True`` for presets with released checkpoints only,
            ``False`` for recipe-only (trainable-only) presets, ``None`` for all.
        class_name: keep only presets of this detector class.
    """
    return sorted(
        p.name
        for p in PRESETS.values()
        if (with_weights is None or p.has_weights == with_weights)
        and (class_name is None or p.class_name == class_name)
    )


# -- HRNetV2-W18 (issue: nine seed rows) -----------------------------------------
_HM = "topdown_heatmap/"


def _hrnet(name, scheme, k, config, checkpoint, nme, unit, *, sigma=2.0, dark=False,
           loss="KeypointMSELoss"):  # fmt: skip
    register_preset(
        name, "HRNetV2W18", scheme, _HM + config, checkpoint,
        model_kwargs=dict(
            num_keypoints=k, scheme=scheme,
            codec=dict(sigma=sigma, unbiased=dark),
            test_cfg=dict(flip_test=True, shift_heatmap=True),
        ),
        train_loss=loss, published_nme=nme, nme_unit=unit,
    )  # fmt: skip


_hrnet("hrnetv2_w18_300w", "300w", 68,
       "300w/td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py",
       "hrnetv2/hrnetv2_w18_300w_256x256-eea53406_20211019.pth",
       {"common": 2.92, "challenge": 5.64, "full": 3.45, "test": 4.10}, "percent",
       sigma=1.5)
_hrnet("hrnetv2_w18_aflw", "aflw", 19,
       "aflw/td-hm_hrnetv2-w18_8xb64-60e_aflw-256x256.py",
       "hrnetv2/hrnetv2_w18_aflw_256x256-f2bbc62b_20210125.pth",
       {"full": 1.41, "frontal": 1.27}, "percent")
_hrnet("hrnetv2_w18_dark_aflw", "aflw", 19,
       "aflw/td-hm_hrnetv2-w18_dark-8xb64-60e_aflw-256x256.py",
       "darkpose/hrnetv2_w18_aflw_256x256_dark-219606c0_20210125.pth",
       {"full": 1.35, "frontal": 1.19}, "percent", dark=True)
_hrnet("hrnetv2_w18_cofw", "cofw", 29,
       "cofw/td-hm_hrnetv2-w18_8xb64-60e_cofw-256x256.py",
       "hrnetv2/hrnetv2_w18_cofw_256x256-49243ab8_20211019.pth",
       {"test": 3.48}, "percent", sigma=1.5)
_WFLW_SUBSETS = ("test", "pose", "illumination", "occlusion", "blur", "makeup", "expression")
_hrnet("hrnetv2_w18_wflw", "wflw", 98,
       "wflw/td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256.py",
       "hrnetv2/hrnetv2_w18_wflw_256x256-2bf032a6_20210125.pth",
       dict(zip(_WFLW_SUBSETS, (4.06, 6.97, 3.99, 4.83, 4.58, 3.94, 4.33), strict=True)),
       "percent")
_hrnet("hrnetv2_w18_dark_wflw", "wflw", 98,
       "wflw/td-hm_hrnetv2-w18_dark-8xb64-60e_wflw-256x256.py",
       "darkpose/hrnetv2_w18_wflw_256x256_dark-3f8e0c2c_20210125.pth",
       dict(zip(_WFLW_SUBSETS, (3.98, 6.98, 3.96, 4.78, 4.56, 3.89, 4.29), strict=True)),
       "percent", dark=True)
_hrnet("hrnetv2_w18_awing_wflw", "wflw", 98,
       "wflw/td-hm_hrnetv2-w18_awing-8xb64-60e_wflw-256x256.py",
       "hrnetv2/hrnetv2_w18_wflw_256x256_awing-5af5055c_20211212.pth",
       dict(zip(_WFLW_SUBSETS, (4.02, 6.94, 3.97, 4.78, 4.59, 3.87, 4.28), strict=True)),
       "percent", loss="AdaptiveWingLoss")
_hrnet("hrnetv2_w18_coco_wholebody_face", "coco_wholebody_face", 68,
       "coco_wholebody_face/td-hm_hrnetv2-w18_8xb32-60e_coco-wholebody-face-256x256.py",
       "hrnetv2/hrnetv2_w18_coco_wholebody_face_256x256-c1ca469b_20210909.pth",
       {"val": 0.0569}, "fraction")
_hrnet("hrnetv2_w18_dark_coco_wholebody_face", "coco_wholebody_face", 68,
       "coco_wholebody_face/td-hm_hrnetv2-w18_dark-8xb32-60e_coco-wholebody-face-256x256.py",
       "darkpose/hrnetv2_w18_coco_wholebody_face_256x256_dark-3d9a334e_20210909.pth",
       {"val": 0.0513}, "fraction", dark=True)
