"""SimpleBaseline heatmap presets: ResNet-50, SCNet-50, MobileNetV2 on COCO-WholeBody-Face,
and the recipe-only ResNet-50 + STARLoss row on WFLW.

Add a preset by adding an entry to its class's tuple here; the tuples are
registered by :mod:`keras_facelm.models.simple_baseline`.
"""

from __future__ import annotations

from keras_facelm.models.preset import mmpose_preset

__all__ = [
    "MOBILENETV2_HEATMAP_PRESETS",
    "RESNET50_HEATMAP_PRESETS",
    "SCNET50_HEATMAP_PRESETS",
    "wholebody_face_preset",
]


def wholebody_face_preset(name, config, checkpoint, nme):
    """A COCO-WholeBody-Face heatmap row of MMPose's zoo (sigma 2, plain decoding)."""
    return mmpose_preset(
        name, "topdown_heatmap/coco_wholebody_face/td-hm_" + config, checkpoint,
        model_kwargs=dict(num_keypoints=68, scheme="coco_wholebody_face",
                          codec=dict(sigma=2.0, unbiased=False)),
        train_loss="KeypointMSELoss", published_nme={"val": nme}, nme_unit="fraction",
    )  # fmt: skip


RESNET50_HEATMAP_PRESETS = (
    wholebody_face_preset("res50_coco_wholebody_face",
               "res50_8xb32-60e_coco-wholebody-face-256x256.py",
               "resnet/res50_coco_wholebody_face_256x256-5128edf5_20210909.pth", 0.0582),
    # MMPose lists td-reg_res50_starloss with empty checkpoint links: recipe only.
    # Its STARHead is not part of MMPose 1.3.2, so the recipe trains this
    # SimpleBaseline ResNet-50 heatmap model, whose heatmaps STARLoss consumes.
    mmpose_preset(
        "res50_starloss_wflw",
        "topdown_regression/wflw/td-reg_res50_starloss_8xb64-210e_wflw-256x256.py",
        None,
        model_kwargs=dict(num_keypoints=98, scheme="wflw", codec=dict(sigma=2.0, unbiased=False)),
        train_loss="STARLoss", published_nme={}, nme_unit="percent",
        recipe=(
            "Train it yourself: build the untrained model with "
            "keras_facelm.models.build_preset_model('res50_starloss_wflw') "
            "(ResNet50Heatmap, 98 WFLW keypoints, 64x64 heatmaps), fit it on WFLW train with "
            "keras_facelm.losses.STARLoss on the heatmaps against the keypoints (MMPose's "
            "recipe: Adam lr 5e-4, 500-iteration linear warm-up, 210 epochs, x0.1 at "
            "epochs 170 and 200, total batch 512), then save it with model.save_to_preset(DIR) "
            "and load it with from_preset(DIR)."
        ),
    ),
)  # fmt: skip

SCNET50_HEATMAP_PRESETS = (
    wholebody_face_preset("scnet50_coco_wholebody_face",
               "scnet50_8xb32-60e_coco-wholebody-face-256x256.py",
               "scnet/scnet50_coco_wholebody_face_256x256-a0183f5f_20210909.pth", 0.0567),
)  # fmt: skip

MOBILENETV2_HEATMAP_PRESETS = (
    wholebody_face_preset("mobilenetv2_coco_wholebody_face",
               "mobilenetv2_8xb32-60e_coco-wholebody-face-256x256.py",
               "mobilenetv2/mobilenetv2_coco_wholebody_face_256x256-4a3f096e_20210909.pth",
               0.0611),
)  # fmt: skip
