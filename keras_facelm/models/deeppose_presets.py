"""DeepPose ResNet-50 presets: MMPose's three released WFLW regression rows.

Registered on :class:`DeepPoseResNet50` by :mod:`keras_facelm.models.deeppose`.
"""

from __future__ import annotations

from keras_facelm.models.hrnet_presets import WFLW_SUBSETS
from keras_facelm.models.preset import mmpose_preset

__all__ = ["DEEPPOSE_RES50_PRESETS"]

_CONFIGS = "topdown_regression/wflw/"
_MODEL_KWARGS = dict(num_keypoints=98, scheme="wflw")


def _deeppose(name, config, checkpoint, loss, nme):
    return mmpose_preset(
        name, _CONFIGS + config, "deeppose/" + checkpoint, model_kwargs=_MODEL_KWARGS,
        train_loss=loss, published_nme=nme, nme_unit="percent",
    )  # fmt: skip


DEEPPOSE_RES50_PRESETS = (
    # The seed table (0.x model zoo page) prints 4.64 for the wingloss model; MMPose
    # 1.x's resnet_wingloss_wflw.md prints 4.67 for the same checkpoint.
    _deeppose("deeppose_res50_wingloss_wflw", "td-reg_res50_wingloss_8xb64-210e_wflw-256x256.py",
              "deeppose_res50_wflw_256x256_wingloss-f82a5e53_20210303.pth", "WingLoss",
              dict(zip(WFLW_SUBSETS, (4.64, 8.25, 4.59, 5.56, 5.26, 4.59, 5.07), strict=True))),
    # The other two rows (resnet_wflw.md, resnet_softwingloss_wflw.md) list only
    # the test NME.
    _deeppose("deeppose_res50_wflw", "td-reg_res50_8xb64-210e_wflw-256x256.py",
              "deeppose_res50_wflw_256x256-92d0ba7f_20210303.pth", "SmoothL1Loss",
              {"test": 4.88}),
    _deeppose("deeppose_res50_softwingloss_wflw",
              "td-reg_res50_softwingloss_8xb64-210e_wflw-256x256.py",
              "deeppose_res50_wflw_256x256_softwingloss-4d34f22a_20211212.pth",
              "SoftWingLoss", {"test": 4.44}),
)  # fmt: skip
