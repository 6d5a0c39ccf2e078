"""Training recipes: MMPose's face training configs as plain Python objects.

One :class:`Recipe` per model-zoo row, named like its preset
(``get_recipe("hrnetv2_w18_wflw")``), plus the WFLW regression rows and
``synthetic_quick`` (a small HRNetV2 on the embedded synthetic faces, minutes
on a CPU). Every value below was read from MMPose 1.3.2's config files under
``configs/face_2d_keypoint/`` (the recipe's ``mmpose_config``): optimizer Adam
with PyTorch's update rule (:class:`~keras_facelm.training.optimizers.TorchAdam`),
the ``LinearLR`` + ``MultiStepLR`` schedule
(:class:`~keras_facelm.training.schedules.MultiStepWarmup`), epochs,
validation interval, batch size per GPU on 8 GPUs, ``RandomBBoxTransform``
arguments, codec, loss and ``test_cfg``.

Config quirks kept as MMPose has them (each recipe's ``quirks`` lists its own):

* COFW: ``MultiStepLR(end=50)`` with 60 epochs, so the epoch-55 decay never
  happens (MMPose 0.x, which trained the released checkpoint, decayed at 55).
* 300W and COFW: 7 and 3 iterations per epoch at 8 x 64, so the 500-iteration
  warm-up outlasts the run (300W) or the first decay (COFW): the LR peaks at
  about 1.12e-3 (300W) and 4.8e-4 (COFW) instead of 2e-3.
* COCO-WholeBody-Face: ``MultiStepLR(end=210)`` with 60 epochs (harmless) and
  the default random box shift (``shift_prob=0.3``); global batch 256.
* WFLW regression rows: the default random box shift (``shift_prob=0.3``),
  which the WFLW heatmap rows switch off.
* ``res50_starloss_wflw``: MMPose's config (main branch, not in 1.3.2) trains
  with 16 images per GPU (global 128) despite "8xb64" in its name, and uses a
  ``STARHead`` (32x32 heatmaps) that MMPose 1.3.2 lacks; the recipe trains
  the preset's SimpleBaseline ResNet-50 heatmap model (64x64 heatmaps) with
  :class:`~keras_facelm.losses.STARLoss` against the regression labels.
"""

from __future__ import annotations

import dataclasses
import types

from keras_facelm.data.pipeline import FACE_BBOX_TRANSFORM
from keras_facelm.models import HRNetV2W18
from keras_facelm.training.schedules import MultiStepWarmup

__all__ = ["Recipe", "RECIPES", "get_recipe", "list_recipes"]

_HM = "topdown_heatmap/"
_REG = "topdown_regression/wflw/"
_NO_SHIFT = FACE_BBOX_TRANSFORM  # WFLW/300W/AFLW/COFW heatmap configs: shift_prob 0
_SHIFT = {**FACE_BBOX_TRANSFORM, "shift_prob": 0.3}  # COCO-WholeBody-Face, regression

#: TFDS splits evaluated at the end of training, per dataset: ``{label: split}``.
TEST_SPLITS = {
    "wflw": {
        "test": "test",
        "pose": "test_pose",
        "illumination": "test_illumination",
        "occlusion": "test_occlusion",
        "blur": "test_blur",
        "makeup": "test_makeup",
        "expression": "test_expression",
    },
    "face300w": {"common": "common", "challenge": "challenge", "full": "full", "test": "test"},
    "aflw": {"full": "test", "frontal": "test_frontal"},
    "cofw": {"test": "test"},
    "coco_wholebody_face": {"val": "validation"},
    "synthetic_faces": {"test": "test"},
}
#: The split MMPose validates on during training (its ``val_dataloader``).
VAL_SPLIT = {
    "wflw": "test",
    "face300w": "full",
    "aflw": "test",
    "cofw": "test",
    "coco_wholebody_face": "validation",
    "synthetic_faces": "test",
}
#: Training-set sizes of the standard splits (COCO-WholeBody-Face: not published).
TRAIN_SIZES = {"wflw": 7500, "face300w": 3148, "aflw": 20000, "cofw": 1345}

#: ImageNet initialisation of each backbone in MMPose's configs (``init_cfg``).
BACKBONE_INIT = {
    "HRNetV2W18": "open-mmlab://msra/hrnetv2_w18",
    "ResNet50Heatmap": "torchvision://resnet50",
    "DeepPoseResNet50": "torchvision://resnet50",
    "MobileNetV2Heatmap": "mmcls://mobilenet_v2",
    "SCNet50Heatmap": "https://download.openmmlab.com/mmpose/pretrain_models/scnet50-7ef0a199.pth",
    "Hourglass52Heatmap": None,
}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How one model is trained, MMPose's way.

    Attributes:
        name: recipe name (= the preset it trains).
        model_class: the detector class (:mod:`keras_facelm.models`).
        model_kwargs: its constructor arguments (``num_keypoints``, ``scheme``,
            ``codec``, ``test_cfg``, optional architecture overrides).
        dataset: TFDS dataset name (``wflw``, ``face300w``, ``aflw``, ``cofw``,
            ``coco_wholebody_face``, ``synthetic_faces``).
        loss: loss class name in :mod:`keras_facelm.losses`.
        loss_kwargs: its constructor arguments.
        target: ``"heatmap"`` (MSRAHeatmap targets) or ``"coordinates"``
            (RegressionLabel targets in [0, 1]).
        bbox_transform: ``RandomBBoxTransform`` arguments of the train pipeline.
        flip_prob: ``RandomFlip`` probability.
        schedule: optimizer LR schedule (base LR at ``schedule.reference_batch``).
        epochs: ``max_epochs``.
        batch_per_gpu, num_gpus: MMPose's loader batch and GPU count; the
            default global batch is their product.
        val_interval: validate (and checkpoint the best NME) every N epochs.
        mmpose_config: config path under MMPose's ``configs/face_2d_keypoint/``.
        backbone_init: MMPose's ImageNet ``init_cfg`` checkpoint for the
            backbone (``None``: trained from scratch).
        quirks: the config's peculiarities this recipe reproduces.
        train_size: faces in the standard training split (``None`` unknown).
        backbone_factory: a function returning a fresh backbone to pass to the
            detector (reduced architectures); ``None`` for the class default.
    """

    name: str
    model_class: type
    model_kwargs: types.MappingProxyType
    dataset: str
    loss: str
    loss_kwargs: types.MappingProxyType
    target: str
    bbox_transform: types.MappingProxyType
    schedule: MultiStepWarmup
    epochs: int
    batch_per_gpu: int
    num_gpus: int = 8
    flip_prob: float = 0.5
    val_interval: int = 1
    mmpose_config: str | None = None
    backbone_init: str | None = None
    quirks: tuple[str, ...] = ()
    train_size: int | None = None
    backbone_factory: object = None

    # -- the numbers ------------------------------------------------------------
    @property
    def batch_size(self):
        """MMPose's global batch (``num_gpus * batch_per_gpu``), the default."""
        return self.num_gpus * self.batch_per_gpu

    @property
    def num_keypoints(self):
        return int(self.model_kwargs["num_keypoints"])

    @property
    def scheme(self):
        return self.model_kwargs["scheme"]

    def learning_rate(self, iteration, *, steps_per_epoch, batch_size):
        """LR (float) of the optimizer step with 0-based index ``iteration``.

        Equals mmengine's schedulers for this config at MMPose's batch; at
        another global ``batch_size`` the LR scales linearly and the warm-up
        lasts the same number of samples.
        """
        return self.schedule.learning_rate(
            iteration, steps_per_epoch=steps_per_epoch, batch_size=batch_size
        )

    def steps_per_epoch(self, num_samples, batch_size=None):
        """Optimizer steps per epoch over ``num_samples`` at a global batch
        (``ceil``: the last batch may be partial, as MMPose's ``drop_last=False``)."""
        batch = self.batch_size if batch_size is None else int(batch_size)
        return -(-int(num_samples) // batch)

    # -- builders ---------------------------------------------------------------
    def target_codec(self, model):
        """The codec that encodes this recipe's training targets for ``model``.

        ``model.codec`` when it makes the recipe's ``target`` kind; for
        ``"coordinates"`` on a heatmap model (``res50_starloss_wflw``: STARLoss
        takes landmarks), a :class:`~keras_facelm.codecs.RegressionLabel` at the
        model's input size.
        """
        from keras_facelm.codecs import RegressionLabel

        if self.target == "coordinates" and not isinstance(model.codec, RegressionLabel):
            return RegressionLabel(model.codec.input_size)
        return model.codec

    def codec_config(self, input_size=None):
        """The codec settings, optionally rescaled to ``input_size`` (square px).

        A rescaled codec leaves out ``heatmap_size``: the model derives it from its
        head's output, the one place that knows it.
        """
        codec = dict(self.model_kwargs.get("codec", {}))
        if input_size is not None:
            side = int(input_size)
            if side % 4:
                raise ValueError(f"input_size must be a multiple of 4, got {input_size!r}")
            codec["input_size"] = (side, side)
            codec.pop("heatmap_size", None)
        return codec

    def build_model(self, *, input_size=None, backbone_checkpoint=None, seed=0, **overrides):
        """The untrained detector, heads initialised as MMPose initialises them.

        Args:
            input_size: square crop side in pixels (default 256, the configs');
                the codec's heatmap size follows (a quarter).
            backbone_checkpoint: path of an ImageNet checkpoint for the
                backbone (``backbone_init`` names MMPose's); ``None`` leaves it
                randomly initialised.
            seed: seed of the head initialisation.
            **overrides: more constructor arguments.
        """
        from keras_facelm.training.initialisation import (
            init_head_like_mmpose,
            load_backbone,
        )

        kwargs = dict(self.model_kwargs)
        if input_size is not None:
            kwargs["codec"] = self.codec_config(input_size)
        if self.backbone_factory is not None and "backbone" not in overrides:
            kwargs["backbone"] = self.backbone_factory()
        kwargs.update(overrides)
        model = self.model_class(**kwargs, name=self.name)
        init_head_like_mmpose(model, seed=seed)
        if backbone_checkpoint is not None:
            load_backbone(model, backbone_checkpoint)
        return model

    def build_loss(self):
        """The loss, taking per-keypoint weights as ``sample_weight``."""
        from keras_facelm import losses

        return getattr(losses, self.loss)(**dict(self.loss_kwargs))

    def build_optimizer(self, *, steps_per_epoch, batch_size):
        """:class:`TorchAdam` driven by this recipe's schedule at ``batch_size``."""
        from keras_facelm.training.optimizers import TorchAdam

        return TorchAdam(
            self.schedule.keras_schedule(steps_per_epoch=steps_per_epoch, batch_size=batch_size)
        )

    def describe(self):
        """A multi-line human-readable summary."""
        lines = [
            f"recipe {self.name}: {self.model_class.__name__} K={self.num_keypoints} "
            f"on {self.dataset}",
            f"  loss {self.loss}{dict(self.loss_kwargs) or ''}, target {self.target}",
            f"  {self.epochs} epochs, global batch {self.batch_size} "
            f"({self.num_gpus} x {self.batch_per_gpu}), validate every {self.val_interval}",
            f"  TorchAdam, {self.schedule.describe()}",
            f"  augmentation: flip {self.flip_prob}, box {dict(self.bbox_transform)}",
            f"  MMPose config: {self.mmpose_config}",
        ]
        lines += [f"  quirk: {q}" for q in self.quirks]
        return "\n".join(lines)


RECIPES: dict[str, Recipe] = {}


def _register(
    name,
    *,
    model_class=None,
    model_kwargs=None,
    dataset,
    loss,
    target="heatmap",
    loss_kwargs=None,
    bbox_transform,
    schedule,
    epochs,
    batch_per_gpu,
    num_gpus=8,
    val_interval=1,
    mmpose_config,
    quirks=(),
    backbone_init="default",
    backbone_factory=None,
    train_size=None,
):
    if name in RECIPES:
        raise ValueError(f"recipe {name!r} is already registered")
    if model_kwargs is None:
        from keras_facelm.models import get_preset, preset_class

        model_class = preset_class(name)
        model_kwargs = dict(get_preset(name).model_kwargs)
    RECIPES[name] = Recipe(
        name=name,
        model_class=model_class,
        model_kwargs=types.MappingProxyType(dict(model_kwargs)),
        dataset=dataset,
        loss=loss,
        loss_kwargs=types.MappingProxyType(dict(loss_kwargs or {})),
        target=target,
        bbox_transform=types.MappingProxyType(dict(bbox_transform)),
        schedule=schedule,
        epochs=epochs,
        batch_per_gpu=batch_per_gpu,
        num_gpus=num_gpus,
        val_interval=val_interval,
        mmpose_config=mmpose_config,
        backbone_init=BACKBONE_INIT.get(model_class.__name__)
        if backbone_init == "default"
        else backbone_init,
        quirks=tuple(quirks),
        backbone_factory=backbone_factory,
        train_size=train_size if train_size is not None else TRAIN_SIZES.get(dataset),
    )
    return RECIPES[name]


def get_recipe(name):
    """The registered :class:`Recipe` called ``name``.

    Raises:
        ValueError: naming the unknown recipe and listing the known ones.
    """
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(
            f"unknown recipe {name!r}; known recipes: {', '.join(list_recipes())}"
        ) from None


def list_recipes():
    """Sorted names of every registered recipe."""
    return sorted(RECIPES)


# -- HRNetV2-W18 heatmap rows -------------------------------------------------------
_HEATMAP_60E = MultiStepWarmup(base_lr=2e-3, milestones=(40, 55), decay_end=60)
_Q_300W = (
    "7 iterations/epoch at 8x64: the 500-iteration warm-up never ends, "
    "LR peaks at ~1.12e-3 just before the epoch-40 decay",
)
_Q_COFW = (
    "MultiStepLR end=50 with 60 epochs: the epoch-55 decay never happens",
    "3 iterations/epoch at 8x64: LR peaks at ~4.8e-4, warm-up cut by the epoch-40 decay",
)
_Q_WB = (
    "MultiStepLR end=210 with 60 epochs (no effect)",
    "default random box shift (shift_prob=0.3, shift_factor=0.16)",
    "global batch 256 (8 x 32)",
)

for _name, _ds, _cfg, _quirks in (
    ("hrnetv2_w18_300w", "face300w", "300w/td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py", _Q_300W),
    ("hrnetv2_w18_aflw", "aflw", "aflw/td-hm_hrnetv2-w18_8xb64-60e_aflw-256x256.py", ()),
    ("hrnetv2_w18_dark_aflw", "aflw", "aflw/td-hm_hrnetv2-w18_dark-8xb64-60e_aflw-256x256.py", ()),
    ("hrnetv2_w18_wflw", "wflw", "wflw/td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256.py", ()),
    ("hrnetv2_w18_dark_wflw", "wflw", "wflw/td-hm_hrnetv2-w18_dark-8xb64-60e_wflw-256x256.py", ()),
    (
        "hrnetv2_w18_awing_wflw",
        "wflw",
        "wflw/td-hm_hrnetv2-w18_awing-8xb64-60e_wflw-256x256.py",
        (),
    ),
):
    _register(
        _name,
        dataset=_ds,
        loss="AdaptiveWingLoss" if "awing" in _name else "KeypointMSELoss",
        bbox_transform=_NO_SHIFT,
        schedule=_HEATMAP_60E,
        epochs=60,
        batch_per_gpu=64,
        mmpose_config=_HM + _cfg,
        quirks=_quirks,
    )

_register(
    "hrnetv2_w18_cofw",
    dataset="cofw",
    loss="KeypointMSELoss",
    bbox_transform=_NO_SHIFT,
    schedule=MultiStepWarmup(base_lr=2e-3, milestones=(40, 55), decay_end=50),
    epochs=60,
    batch_per_gpu=64,
    quirks=_Q_COFW,
    mmpose_config=_HM + "cofw/td-hm_hrnetv2-w18_8xb64-60e_cofw-256x256.py",
)

# -- COCO-WholeBody-Face rows (8 x 32) ------------------------------------------------
_WB_SCHEDULE = MultiStepWarmup(
    base_lr=2e-3, milestones=(40, 55), decay_end=210, reference_batch=256
)
for _name, _cfg in (
    ("hrnetv2_w18_coco_wholebody_face", "hrnetv2-w18_8xb32-60e"),
    ("hrnetv2_w18_dark_coco_wholebody_face", "hrnetv2-w18_dark-8xb32-60e"),
    ("scnet50_coco_wholebody_face", "scnet50_8xb32-60e"),
    ("res50_coco_wholebody_face", "res50_8xb32-60e"),
    ("hourglass52_coco_wholebody_face", "hourglass52_8xb32-60e"),
    ("mobilenetv2_coco_wholebody_face", "mobilenetv2_8xb32-60e"),
):
    _register(
        _name,
        dataset="coco_wholebody_face",
        loss="KeypointMSELoss",
        bbox_transform=_SHIFT,
        schedule=_WB_SCHEDULE,
        epochs=60,
        batch_per_gpu=32,
        quirks=_Q_WB,
        mmpose_config=f"{_HM}coco_wholebody_face/td-hm_{_cfg}_coco-wholebody-face-256x256.py",
    )

# -- WFLW regression rows (DeepPose ResNet-50) and STAR ------------------------------
_REG_SCHEDULE = MultiStepWarmup(base_lr=5e-4, milestones=(170, 200), decay_end=210)
_Q_REG = (
    "default random box shift (shift_prob=0.3, shift_factor=0.16), which the "
    "WFLW heatmap configs switch off",
    "validation and best-NME checkpoint every 10 epochs",
)
for _name, _loss, _cfg in (
    ("deeppose_res50_wingloss_wflw", "WingLoss", "td-reg_res50_wingloss_8xb64-210e"),
    ("deeppose_res50_wflw", "SmoothL1Loss", "td-reg_res50_8xb64-210e"),
    (
        "deeppose_res50_softwingloss_wflw",
        "SoftWingLoss",
        "td-reg_res50_softwingloss_8xb64-210e",
    ),
):
    _register(
        _name,
        dataset="wflw",
        loss=_loss,
        target="coordinates",
        bbox_transform=_SHIFT,
        schedule=_REG_SCHEDULE,
        epochs=210,
        batch_per_gpu=64,
        val_interval=10,
        mmpose_config=f"{_REG}{_cfg}_wflw-256x256.py",
        quirks=_Q_REG,
    )

_register(
    "res50_starloss_wflw",
    dataset="wflw",
    loss="STARLoss",
    target="coordinates",
    # RegressionLabel targets are keypoints / 256; with input_size (1, 1) STARLoss's
    # "pixels" format maps them onto the heatmap grid as MMPose's codec does.
    loss_kwargs=dict(gt_format="pixels", input_size=(1, 1)),
    bbox_transform=_SHIFT,
    epochs=210,
    batch_per_gpu=16,
    val_interval=10,
    schedule=MultiStepWarmup(
        base_lr=5e-4, milestones=(170, 200), decay_end=210, reference_batch=128
    ),
    mmpose_config=_REG + "td-reg_res50_starloss_8xb64-210e_wflw-256x256.py",
    quirks=(
        "16 images per GPU (global 128) despite '8xb64' in the config name",
        "MMPose's STARHead (32x32 heatmaps) is not in MMPose 1.3.2: the recipe trains "
        "the SimpleBaseline ResNet-50 heatmap model (64x64 heatmaps)",
        *_Q_REG,
    ),
)


# -- synthetic_quick: minutes on a CPU, no download ----------------------------------
def synthetic_hrnet_backbone():
    """HRNetV2 of width 8 with one module and one block per stage (``synthetic_quick``)."""
    from keras_facelm.backbones.hrnet import HRNetBackbone, hrnet_stages

    stages = hrnet_stages(8, stage1_blocks=1, num_blocks=1)
    stages["stage1"]["num_channels"] = (16,)  # bottleneck: 64 output channels
    stages["stage3"]["num_modules"] = 1
    stages["stage4"]["num_modules"] = 1
    return HRNetBackbone(stages)


_register(
    "synthetic_quick",
    model_class=HRNetV2W18,
    model_kwargs=dict(
        num_keypoints=68,
        scheme="300w",
        codec=dict(input_size=(128, 128), heatmap_size=(32, 32), sigma=2.0),
        test_cfg=dict(flip_test=True, shift_heatmap=True),
    ),
    dataset="synthetic_faces",
    loss="KeypointMSELoss",
    bbox_transform=_NO_SHIFT,
    schedule=MultiStepWarmup(
        base_lr=2e-3, milestones=(8,), decay_end=10, warmup_iters=30, reference_batch=16
    ),
    epochs=10,
    batch_per_gpu=16,
    num_gpus=1,
    val_interval=5,
    mmpose_config=None,
    backbone_init=None,
    backbone_factory=synthetic_hrnet_backbone,
    train_size=512,
    quirks=(
        "not an MMPose config: a width-8 HRNetV2 (one module and block per stage) at "
        "128x128 on 512 synthetic faces, with MMPose's face pipeline, loss, optimizer "
        "and schedule shape",
    ),
)
