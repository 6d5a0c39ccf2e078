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


# -- SimpleBaseline / Hourglass on COCO-WholeBody-Face, DeepPose on WFLW (issue 3) -----
def _wholebody(name, class_name, config, checkpoint, nme):
    register_preset(
        name, class_name, "coco_wholebody_face",
        _HM + "coco_wholebody_face/td-hm_" + config, checkpoint,
        model_kwargs=dict(
            num_keypoints=68, scheme="coco_wholebody_face",
            codec=dict(sigma=2.0, unbiased=False),
            test_cfg=dict(flip_test=True, shift_heatmap=True),
        ),
        train_loss="KeypointMSELoss", published_nme={"val": nme}, nme_unit="fraction",
    )  # fmt: skip


_wholebody("scnet50_coco_wholebody_face", "SCNet50",
           "scnet50_8xb32-60e_coco-wholebody-face-256x256.py",
           "scnet/scnet50_coco_wholebody_face_256x256-a0183f5f_20210909.pth", 0.0567)
_wholebody("res50_coco_wholebody_face", "ResNet50",
           "res50_8xb32-60e_coco-wholebody-face-256x256.py",
           "resnet/res50_coco_wholebody_face_256x256-5128edf5_20210909.pth", 0.0582)
_wholebody("hourglass52_coco_wholebody_face", "Hourglass52",
           "hourglass52_8xb32-60e_coco-wholebody-face-256x256.py",
           "hourglass/hourglass52_coco_wholebody_face_256x256-6994cf2e_20210909.pth", 0.0587)
_wholebody("mobilenetv2_coco_wholebody_face", "MobileNetV2",
           "mobilenetv2_8xb32-60e_coco-wholebody-face-256x256.py",
           "mobilenetv2/mobilenetv2_coco_wholebody_face_256x256-4a3f096e_20210909.pth", 0.0611)

_REG = "topdown_regression/wflw/"
_DEEPPOSE_KWARGS = dict(
    num_keypoints=98, scheme="wflw", codec=dict(input_size=(256, 256)),
    test_cfg=dict(flip_test=True, shift_coords=True),
)  # fmt: skip

# The seed table (0.x model zoo page) prints 4.64 for the wingloss model; MMPose
# 1.x's resnet_wingloss_wflw.md prints 4.67 for the same checkpoint.
register_preset(
    "deeppose_res50_wingloss_wflw", "DeepPoseResNet50", "wflw",
    _REG + "td-reg_res50_wingloss_8xb64-210e_wflw-256x256.py",
    "deeppose/deeppose_res50_wflw_256x256_wingloss-f82a5e53_20210303.pth",
    model_kwargs=_DEEPPOSE_KWARGS, train_loss="WingLoss",
    published_nme=dict(zip(_WFLW_SUBSETS, (4.64, 8.25, 4.59, 5.56, 5.26, 4.59, 5.07),
                           strict=True)),
    nme_unit="percent",
)  # fmt: skip
# The other two WFLW regression rows of MMPose's zoo, both with released
# checkpoints (configs/face_2d_keypoint/topdown_regression/wflw/resnet_wflw.md and
# resnet_softwingloss_wflw.md list only the test NME).
register_preset(
    "deeppose_res50_wflw", "DeepPoseResNet50", "wflw",
    _REG + "td-reg_res50_8xb64-210e_wflw-256x256.py",
    "deeppose/deeppose_res50_wflw_256x256-92d0ba7f_20210303.pth",
    model_kwargs=_DEEPPOSE_KWARGS, train_loss="SmoothL1Loss",
    published_nme={"test": 4.88}, nme_unit="percent",
)  # fmt: skip
register_preset(
    "deeppose_res50_softwingloss_wflw", "DeepPoseResNet50", "wflw",
    _REG + "td-reg_res50_softwingloss_8xb64-210e_wflw-256x256.py",
    "deeppose/deeppose_res50_wflw_256x256_softwingloss-4d34f22a_20211212.pth",
    model_kwargs=_DEEPPOSE_KWARGS, train_loss="SoftWingLoss",
    published_nme={"test": 4.44}, nme_unit="percent",
)  # fmt: skip
# MMPose lists td-reg_res50_starloss with empty ckpt/log links: recipe only. Its
# STARHead is not part of MMPose 1.3.2, so the recipe trains our SimpleBaseline
# ResNet-50 heatmap model, whose heatmaps STARLoss consumes.
register_preset(
    "res50_starloss_wflw", "ResNet50", "wflw",
    _REG + "td-reg_res50_starloss_8xb64-210e_wflw-256x256.py", None,
    model_kwargs=dict(
        num_keypoints=98, scheme="wflw", codec=dict(sigma=2.0, unbiased=False),
        test_cfg=dict(flip_test=True, shift_heatmap=True),
    ),
    train_loss="STARLoss", published_nme={}, nme_unit="percent",
    recipe=(
        "Train it yourself: build the untrained model with "
        "keras_facelm.models.preset_loader.build_preset_model('res50_starloss_wflw') "
        "(ResNet50, 98 WFLW keypoints, 64x64 heatmaps), fit it on WFLW train with "
        "keras_facelm.losses.STARLoss on the heatmaps against the keypoints (MMPose's "
        "recipe: Adam lr 5e-4, 500-iteration linear warm-up, 210 epochs, x0.1 at "
        "epochs 170 and 200, total batch 512), then save it with model.save_to_preset(DIR) "
        "and load it with from_preset(DIR)."
    ),
)  # fmt: skip
