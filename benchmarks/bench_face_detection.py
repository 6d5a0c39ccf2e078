"""Face detectors on dlib's nine VOC photos (43 annotated faces): recall, false
positives, milliseconds per image.

A face counts as found when an adapted detector box (the box the landmark crop
is built from) has IoU >= 0.3 with the face's landmark box
(:func:`keras_facelm.inference.detectors.landmark_box`), matched one-to-one,
greedily by IoU. Every other detection is a false positive (the photos may hold
unannotated faces: the script lists each false positive so that you can look).
Timings: ``--rounds`` rounds, each running every detector on every photo
(interleaved, so background load falls on all of them alike) after one warm-up
round; the table gives the median and mean milliseconds per image, including
the letterbox/grayscale pre-processing and the decoding. Last, full range with
and without 640 px tiles on a synthetic 3000x2000 photo with six small faces.

    PYTHONPATH=.:benchmarks python benchmarks/bench_face_detection.py \
        [--haar-path /tmp/opencv-contrib] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time


def match(pred, target, threshold=0.3):
    """Greedy one-to-one matching by IoU; returns (matched targets, unmatched preds)."""
    import numpy as np

    from keras_facelm.inference.boxes import box_iou

    iou = box_iou(pred, target)
    used_p, used_t = set(), set()
    for flat in np.argsort(-iou, axis=None):
        p, t = np.unravel_index(flat, iou.shape)
        if iou[p, t] < threshold:
            break
        if p not in used_p and t not in used_t:
            used_p.add(p)
            used_t.add(t)
    return len(used_t), [p for p in range(len(pred)) if p not in used_p]


def large_photo(rounds):
    """Full range with and without tiles on six 128x150 px faces pasted into a grey
    3000x2000 image (``grace_hopper.jpg``), interleaved; prints faces found and ms."""
    import numpy as np
    from annotated_faces import TEST_DATA

    from keras_facelm.data.transforms import load_image
    from keras_facelm.inference.detectors.blazeface import BlazeFaceDetector
    from tests.inference.scenes import small_faces_scene

    big = small_faces_scene(load_image(TEST_DATA / "public_domain_faces" / "grace_hopper.jpg"))
    variants = {
        "whole image": BlazeFaceDetector(),
        "640 px tiles": BlazeFaceDetector(tile_size=640),
    }
    times = {n: [] for n in variants}
    for rnd in range(rounds + 1):
        for name, det in variants.items():
            t0 = time.perf_counter()
            found = det.detect(big)
            if rnd:
                times[name].append(1e3 * (time.perf_counter() - t0))
    print("\n3000x2000 image, six 128x150 px faces (blazeface full range):")
    for name, det in variants.items():
        print(
            f"  {name}: {len(det.detect(big).boxes)}/6 found, "
            f"{np.median(times[name]):.0f} ms median"
        )
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--haar-path", help="folder with an OpenCV that has CascadeClassifier")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if args.haar_path:
        sys.path.insert(0, args.haar_path)
    import cv2
    import numpy as np
    from annotated_faces import dlib_faces

    from keras_facelm.data.transforms import load_image
    from keras_facelm.inference.detectors import (
        DETECTORS,
        get_face_detector,
        landmark_box,
    )

    photos = [
        (p.name, load_image(p), np.array([landmark_box(k) for k in kps])) for p, kps in dlib_faces()
    ]
    detectors = {}
    for name in DETECTORS:
        try:
            detectors[name] = get_face_detector(name)
        except RuntimeError as e:
            print(f"{name}: skipped ({e})")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} at start; python {platform.python_version()}, "
        f"numpy {np.__version__}, opencv {cv2.__version__}"
    )
    times = {n: [] for n in detectors}
    for rnd in range(args.rounds + 1):
        for name, det in detectors.items():
            for _, image, _ in photos:
                t0 = time.perf_counter()
                det(image)
                if rnd:
                    times[name].append(1e3 * (time.perf_counter() - t0))
    total = sum(len(t) for _, _, t in photos)
    print(f"load average {os.getloadavg()[0]:.2f} at end\n")
    print("| detector | found (IoU >= 0.3) | recall | false positives | ms/image median | mean |")
    print("|---|---|---|---|---|---|")
    notes = []
    for name, det in detectors.items():
        found, fps = 0, 0
        for photo, image, targets in photos:
            got = det(image)
            n, extra = match(got.boxes, targets)
            found += n
            fps += len(extra)
            notes += [
                f"  {name}: false positive in {photo}: box "
                f"{np.round(got.boxes[i]).astype(int).tolist()} score "
                f"{got.scores[i]:.2f}"
                for i in extra
            ]
        t = np.array(times[name])
        print(
            f"| {name} | {found}/{total} | {found / total:.1%} | {fps} | "
            f"{np.median(t):.1f} | {t.mean():.1f} |"
        )
    print("\n" + "\n".join(notes))
    large_photo(args.rounds)
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
