"""The runnable examples, end to end (slow: model compilation dominates)."""

import importlib.util
import json

import numpy as np
import pytest
from tests.conftest import REPO

from keras_facelm.data import transforms as T
from keras_facelm.data.readers.image_io import encode_png


def _load(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_train_synthetic_smoke_run_and_predict_image_round_trip(tmp_path):
    train = _load("train_synthetic")
    out = tmp_path / "run"
    metrics = train.main(["--steps", "4", "--batch-size", "4", "--train-size", "8",
                          "--test-size", "4", "--input-size", "64", "--width", "4",
                          "--exact-crops", "--output", str(out)])  # fmt: skip
    assert metrics["steps"] == 4
    assert np.isfinite(metrics["nme_before"]) and np.isfinite(metrics["nme_after"])
    for name in ("model.keras", "preset/config.json", "preset/model.weights.h5",
                 "overlay.png", "metrics.json"):  # fmt: skip
        assert (out / name).is_file(), name
    assert json.loads((out / "metrics.json").read_text())["steps"] == 4

    # predict_image on a test face, with the saved preset, lands where evaluate()
    # put that face's landmarks (same crop box, same weights).
    from keras_facelm.data.synthetic_faces import SyntheticFaces

    face = SyntheticFaces(1, seed=1000)[0]
    image_path = tmp_path / "face.png"
    image_path.write_bytes(encode_png(face["image"]))
    center, scale = T.center_scale_from_pixel_std(face["center"], face["scale"], padding=1.0)
    bbox = T.bbox_center_scale_to_xyxy(center, scale)
    predict = _load("predict_image")
    keypoints, scores = predict.main([
        "--preset", str(out / "preset"), "--image", str(image_path),
        "--bbox", ",".join(f"{v:.6f}" for v in bbox), "--output", str(tmp_path / "o.png")])  # fmt: skip
    assert keypoints.shape == (68, 2) and scores.shape == (68,)
    assert (tmp_path / "o.png").is_file()

    import keras

    from keras_facelm.evaluation import evaluate

    model = keras.saving.load_model(out / "model.keras")
    expected = evaluate(model, [face], progress=False)["keypoints"][0]
    assert np.median(np.abs(keypoints - expected)) < 0.01
