"""Evaluate a detector on annotated faces the way MMPose's test loop does.

Each face is cropped by MMPose's val pipeline (``GetBBoxCenterScale(1.25) →
TopdownAffine``, :class:`~keras_facelm.data.pipeline.TopdownDataset` with
``train=False``), the model predicts landmarks in crop pixels
(``predict_landmarks``, flip test per the model's ``test_cfg`` unless
overridden), the predictions are mapped back to image pixels
(:func:`~keras_facelm.inference.topdown.crops_to_image`, the one crop path the
landmarker and the exported runtime use too), and MMPose's NME is
computed against the original annotations (:func:`keras_facelm.metrics.nme`),
with per-image NMEs, failure rate and AUC as face papers report them.
"""

from __future__ import annotations

import numpy as np

from keras_facelm.data import transforms as T
from keras_facelm.data.pipeline import TopdownDataset
from keras_facelm.data.schemes import get_scheme
from keras_facelm.inference.topdown import crops_to_image
from keras_facelm.metrics import auc, failure_rate, nme, per_image_nme

__all__ = ["evaluate", "face_box_sizes"]


def face_box_sizes(records):
    """Per-face NME normalisers for box-normalised schemes (AFLW), pixels.

    MMPose's AFLW metric uses ``max(x2 - x1, y2 - y1)`` of the ground-truth box,
    which for AFLW is ``200 * scale`` (= the JSON ``box_size``). Per record, in
    order of preference: ``box_size``; ``200 * scale``; the longer side of
    ``bbox``.

    Returns:
        float64 ``(N,)``.
    """
    sizes = []
    for i, r in enumerate(records):
        if r.get("box_size") is not None and np.isfinite(r["box_size"]):
            sizes.append(float(r["box_size"]))
        elif r.get("scale") is not None and np.all(np.isfinite(r["scale"])):  # 200 px units
            sizes.append(float(np.max(r["scale"])) * T.PIXEL_STD)
        elif r.get("bbox") is not None:
            x1, y1, x2, y2 = np.asarray(r["bbox"], np.float64).reshape(4)
            sizes.append(max(x2 - x1, y2 - y1))
        else:
            raise ValueError(f"record {i}: no 'box_size', 'scale' or 'bbox' to normalise by")
    return np.asarray(sizes, np.float64)


def evaluate(
    model,
    records,
    *,
    scheme=None,
    batch_size=32,
    flip_test=None,
    progress=True,
    fr_threshold=0.1,
    norm=None,
    opencv4_exact=True,
):
    """NME (and per-image NME, FR, AUC) of ``model`` on annotated faces.

    Args:
        model: a detector with ``image_size`` ``(height, width)`` and
            ``predict_landmarks(images, flip_test=..., batch_size=...)``
            returning crop-pixel ``keypoints`` ``(B, K, 2)`` and ``scores``.
        records: a sequence of record dicts (see
            :mod:`keras_facelm.data.pipeline`) with ground-truth keypoints in
            image pixels and a face box.
        scheme: keypoint scheme (NME normaliser); default ``model.scheme``.
        batch_size: faces per forward pass.
        flip_test: ``None`` for the model's ``test_cfg``, else a bool.
        progress: show a tqdm progress bar.
        fr_threshold: threshold of the failure rate and AUC (on per-image NME).
        norm: per-face normalisers ``(N,)`` in pixels; default: the scheme's
            keypoint pair, or :func:`face_box_sizes` for AFLW.
        opencv4_exact: crop with OpenCV 4's arithmetic (MMPose's crops).

    Returns:
        dict with ``nme`` (float, MMPose's global mean over visible keypoints,
        a fraction), ``per_image_nme`` ``(N,)``, ``failure_rate`` and ``auc``
        at ``fr_threshold``, ``keypoints`` ``(N, K, 2)`` predictions in image
        pixels, ``scores`` ``(N, K)``, ``gt_keypoints`` ``(N, K, 2)`` and
        ``visible`` ``(N, K)``.
    """
    scheme = get_scheme(scheme if scheme is not None else model.scheme)
    h, w = (int(v) for v in model.image_size)
    dataset = TopdownDataset(
        records,
        codec=None,
        scheme=scheme,
        input_size=(w, h),
        train=False,
        batch_size=batch_size,
        opencv4_exact=opencv4_exact,
    )
    if len(dataset.records) == 0:
        raise ValueError("records is empty; nothing to evaluate")
    batches = range(len(dataset))
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc="evaluate", unit="batch")
    preds, scores, gts, visible = [], [], [], []
    for b in batches:
        batch = dataset.get_batch(b)
        out = model.predict_landmarks(batch["images"], flip_test=flip_test, batch_size=batch_size)
        preds.append(crops_to_image(out["keypoints"], batch["center"], batch["bbox_scale"], (w, h)))
        scores.append(out["scores"])
        gts.append(batch["image_keypoints"])
        visible.append(batch["image_visible"])
    pred, gt = np.concatenate(preds), np.concatenate(gts)
    vis = np.concatenate(visible)
    if norm is None and scheme.norm_indices is None:
        norm = face_box_sizes(dataset.records)
    per_image = per_image_nme(pred, gt, scheme=scheme, visible=vis, norm=norm)
    valid = per_image[np.isfinite(per_image)]
    return {
        "nme": nme(pred, gt, scheme=scheme, visible=vis, norm=norm),
        "per_image_nme": per_image,
        "failure_rate": failure_rate(valid, fr_threshold) if valid.size else float("nan"),
        "auc": auc(valid, fr_threshold) if valid.size else float("nan"),
        "keypoints": pred,
        "scores": np.concatenate(scores),
        "gt_keypoints": gt,
        "visible": vis,
    }
