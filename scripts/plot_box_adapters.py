"""Draws ``docs/box_adapters.png``: detector box, adapted box and model crop.

For each bundled detector (Haar only when OpenCV has ``CascadeClassifier``) on
public-domain photos from ``tests/data/public_domain_faces``: the raw detector
box (red), the adapted tight face box (green), the region that
:mod:`keras_facelm.inference.topdown` crops (blue: the adapted box padded by
1.25 and grown to the model's 256x256 aspect ratio), and the 256x256 crop.

    PYTHONPATH=. python scripts/plot_box_adapters.py [--haar-path DIR] [--output docs/box_adapters.png]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
PHOTOS = ("grace_hopper.jpg", "astronaut.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--haar-path", help="folder with an OpenCV that has CascadeClassifier")
    parser.add_argument("--output", default=str(REPO / "docs" / "box_adapters.png"))
    args = parser.parse_args(argv)
    if args.haar_path:
        sys.path.insert(0, args.haar_path)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from keras_facelm.data.transforms import fix_aspect_ratio, load_image
    from keras_facelm.inference.detectors import DETECTORS, get_face_detector
    from keras_facelm.inference.topdown import boxes_to_center_scale, crop_faces

    size = (256, 256)
    detectors = []
    for name in DETECTORS:
        try:
            detectors.append(get_face_detector(name))
        except RuntimeError:
            continue
    fig, axes = plt.subplots(
        len(PHOTOS),
        len(detectors),
        squeeze=False,
        figsize=(3.2 * len(detectors), 3.4 * len(PHOTOS)),
    )
    for photo, row in zip(PHOTOS, axes, strict=True):
        image = load_image(REPO / "tests" / "data" / "public_domain_faces" / photo)
        for det, ax in zip(detectors, row, strict=True):
            raw = det.raw.detect(image)
            ax.imshow(image)
            ax.set_title(f"{det.name}\non {photo}", fontsize=8)
            ax.axis("off")
            if not len(raw.boxes):
                ax.text(5, 20, "no face found", color="red")
                continue
            adapted = det.adapter(raw.boxes[:1])
            center, scale = boxes_to_center_scale(adapted)
            grown = fix_aspect_ratio(scale[0], size[0] / size[1])
            region = np.concatenate([center[0] - grown / 2, center[0] + grown / 2])
            for box, colour, label in (
                (raw.boxes[0], "red", "detector box"),
                (adapted[0], "lime", "adapted box"),
                (region, "deepskyblue", "crop (x1.25)"),
            ):
                x1, y1, x2, y2 = box
                ax.add_patch(
                    plt.Rectangle(
                        (x1, y1),
                        x2 - x1,
                        y2 - y1,
                        fill=False,
                        color=colour,
                        lw=1.5,
                        label=label,
                    )
                )
            # Zoom on the face: twice the crop region, the crop itself as an inset.
            ax.set_xlim(center[0, 0] - grown[0], center[0, 0] + grown[0])
            ax.set_ylim(center[0, 1] + grown[1], center[0, 1] - grown[1])
            ax.legend(loc="lower left", fontsize=6)
            inset = ax.inset_axes([0.68, 0.0, 0.32, 0.32])
            inset.imshow(crop_faces(image, center, scale, size)[0])
            inset.set_xticks([])
            inset.set_yticks([])
            inset.set_title(f"crop {size[0]}x{size[1]}", fontsize=6, pad=1)
    fig.tight_layout()
    fig.savefig(args.output, dpi=72)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
