"""keras_facelm.beam on the DirectRunner with the repository's photos."""

from __future__ import annotations

import json

import pytest

from tests.inference.test_video import CropGridPredictor


def make_landmarker():
    from keras_facelm.inference import FaceLandmarker

    return FaceLandmarker(CropGridPredictor())


@pytest.mark.slow  # importing apache_beam alone takes 5-15 s
def test_run_inference_writes_predict_records(test_data, tmp_path):
    beam = pytest.importorskip("apache_beam")
    from apache_beam.ml.inference.base import RunInference

    from keras_facelm.beam import FaceLandmarkerModelHandler

    photos = sorted(str(p) for p in (test_data / "public_domain_faces").glob("*.[jp][pn]g"))
    paths = [*photos, str(tmp_path / "missing.jpg")]
    handler = FaceLandmarkerModelHandler(factory=make_landmarker, max_batch_size=2)
    with beam.Pipeline("DirectRunner") as p:
        _ = (
            p
            | beam.Create(paths)
            | RunInference(handler)
            | beam.Map(json.dumps)
            | beam.io.WriteToText(
                str(tmp_path / "out"), file_name_suffix=".jsonl", shard_name_template=""
            )
        )
    records = {
        r["image"]: r for r in map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())
    }
    assert sorted(records) == sorted(paths)
    for path in photos:
        assert "error" not in records[path]
        assert (
            len(records[path]["faces"]) == 1 and len(records[path]["faces"][0]["keypoints"]) == 68
        )
    assert "cannot be read" in records[paths[-1]]["error"] and records[paths[-1]]["faces"] == []
