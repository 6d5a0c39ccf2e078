"""The six architectures exported to LiteRT fp32, ONNX and SavedModel give the
keypoints of ``predict_landmarks`` within 0.01 input px, with and without flip
test, plain and DARK decoding (slow: 3 exports per case)."""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.export import export
from keras_facelm.export.tflite_ops import tflite_operators
from tests.export.runners import RUNNERS, SUFFIX
from tests.export.tiny_models import ARCHITECTURES, tiny_model

TOL_PX = 0.01
# Every architecture with and without flip test; plain for all, DARK for the heatmap
# ones, and all four combinations for HRNetV2-W18.
CASES = (
    [(a, True, False) for a in ARCHITECTURES]
    + [(a, False, True) for a in ARCHITECTURES if a != "DeepPoseResNet50"]
    + [
        ("DeepPoseResNet50", False, False),
        ("HRNetV2W18", True, True),
        ("HRNetV2W18", False, False),
    ]
)


def _compared(reference, unbiased, size):
    """Keypoints to compare: all for plain decoding; for DARK those inside the crop.

    DARK's Newton step on random-weight heatmaps (not Gaussian) can be
    ill-conditioned and jump far outside the crop, where float32 rounding
    differences between runtimes are amplified; such points carry no meaning.
    """
    kp = reference["keypoints"]
    if not unbiased:
        return np.ones(kp.shape[:2], bool)
    return np.all((kp >= 0) & (kp <= np.array(size)[::-1]), axis=-1)


@pytest.mark.slow
@pytest.mark.parametrize("arch,flip,unbiased", CASES)
def test_exports_equal_predict_landmarks(arch, flip, unbiased, tmp_path):
    model = tiny_model(arch, unbiased=unbiased)
    h, w = model.image_size
    images = np.random.default_rng(0).uniform(0, 255, (3, h, w, 3)).astype(np.float32)
    reference = model.predict_landmarks(images, flip_test=flip)
    compared = _compared(reference, unbiased, (h, w))
    assert compared.mean() > 0.5, f"only {compared.mean():.0%} of DARK keypoints in the crop"
    for fmt, run in RUNNERS.items():
        path = tmp_path / f"{arch}{SUFFIX[fmt]}"
        export(model, path, format=fmt, flip_test=flip)
        if fmt == "litert":
            ops = tflite_operators(path.read_bytes())
            assert not [op for op in ops if op.startswith("CUSTOM")], ops
        out = run(path, images)
        kp_err = np.abs(out["keypoints"] - reference["keypoints"]).max(-1)[compared].max()
        assert kp_err < TOL_PX, f"{fmt}: keypoints off by {kp_err:.4g} px"
        np.testing.assert_allclose(out["scores"], reference["scores"], atol=1e-4, err_msg=fmt)
