"""HRNetV2-W18 presets: MMPose's nine face heatmap rows.

Configs under ``configs/face_2d_keypoint/topdown_heatmap``.

Add a preset by adding an entry here; it is registered on :class:`HRNetV2W18`
by :mod:`keras_facelm.models.hrnet`.
"""

from __future__ import annotations

from keras_facelm.models.preset import mmpose_preset

__all__ = ["HRNETV2_W18_PRESETS", "WFLW_SUBSETS"]

#: WFLW test-set subsets in the order MMPose's model zoo prints their NMEs.
WFLW_SUBSETS = ("test", "pose", "illumination", "occlusion", "blur", "makeup", "expression")


def _wflw(*nmes):
    return dict(zip(WFLW_SUBSETS, nmes, strict=True))


def _hrnet(name, scheme, k, config, checkpoint, nme, unit, *, sigma=2.0, dark=False,
           loss="KeypointMSELoss"):  # fmt: skip
    return mmpose_preset(
        name, "topdown_heatmap/" + config, checkpoint,
        model_kwargs=dict(num_keypoints=k, scheme=scheme,
                          codec=dict(sigma=sigma, unbiased=dark)),
        train_loss=loss, published_nme=nme, nme_unit=unit,
    )  # fmt: skip


HRNETV2_W18_PRESETS = (
    _hrnet("hrnetv2_w18_300w", "300w", 68,
           "300w/td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py",
           "hrnetv2/hrnetv2_w18_300w_256x256-eea53406_20211019.pth",
           {"common": 2.92, "challenge": 5.64, "full": 3.45, "test": 4.10}, "percent",
           sigma=1.5),
    _hrnet("hrnetv2_w18_aflw", "aflw", 19,
           "aflw/td-hm_hrnetv2-w18_8xb64-60e_aflw-256x256.py",
           "hrnetv2/hrnetv2_w18_aflw_256x256-f2bbc62b_20210125.pth",
           {"full": 1.41, "frontal": 1.27}, "percent"),
    _hrnet("hrnetv2_w18_dark_aflw", "aflw", 19,
           "aflw/td-hm_hrnetv2-w18_dark-8xb64-60e_aflw-256x256.py",
           "darkpose/hrnetv2_w18_aflw_256x256_dark-219606c0_20210125.pth",
           {"full": 1.35, "frontal": 1.19}, "percent", dark=True),
    _hrnet("hrnetv2_w18_cofw", "cofw", 29,
           "cofw/td-hm_hrnetv2-w18_8xb64-60e_cofw-256x256.py",
           "hrnetv2/hrnetv2_w18_cofw_256x256-49243ab8_20211019.pth",
           {"test": 3.48}, "percent", sigma=1.5),
    _hrnet("hrnetv2_w18_wflw", "wflw", 98,
           "wflw/td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256.py",
           "hrnetv2/hrnetv2_w18_wflw_256x256-2bf032a6_20210125.pth",
           _wflw(4.06, 6.97, 3.99, 4.83, 4.58, 3.94, 4.33), "percent"),
    _hrnet("hrnetv2_w18_dark_wflw", "wflw", 98,
           "wflw/td-hm_hrnetv2-w18_dark-8xb64-60e_wflw-256x256.py",
           "darkpose/hrnetv2_w18_wflw_256x256_dark-3f8e0c2c_20210125.pth",
           _wflw(3.98, 6.98, 3.96, 4.78, 4.56, 3.89, 4.29), "percent", dark=True),
    _hrnet("hrnetv2_w18_awing_wflw", "wflw", 98,
           "wflw/td-hm_hrnetv2-w18_awing-8xb64-60e_wflw-256x256.py",
           "hrnetv2/hrnetv2_w18_wflw_256x256_awing-5af5055c_20211212.pth",
           _wflw(4.02, 6.94, 3.97, 4.78, 4.59, 3.87, 4.28), "percent",
           loss="AdaptiveWingLoss"),
    _hrnet("hrnetv2_w18_coco_wholebody_face", "coco_wholebody_face", 68,
           "coco_wholebody_face/td-hm_hrnetv2-w18_8xb32-60e_coco-wholebody-face-256x256.py",
           "hrnetv2/hrnetv2_w18_coco_wholebody_face_256x256-c1ca469b_20210909.pth",
           {"val": 0.0569}, "fraction"),
    _hrnet("hrnetv2_w18_dark_coco_wholebody_face", "coco_wholebody_face", 68,
           "coco_wholebody_face/td-hm_hrnetv2-w18_dark-8xb32-60e_coco-wholebody-face-256x256.py",
           "darkpose/hrnetv2_w18_coco_wholebody_face_256x256_dark-3d9a334e_20210909.pth",
           {"val": 0.0513}, "fraction", dark=True),
)  # fmt: skip
