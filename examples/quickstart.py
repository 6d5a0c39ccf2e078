"""Photo in, landmark overlay out (the bundled BlazeFace detector finds the faces).

    python examples/quickstart.py --preset hrnetv2_w18_wflw --image photo.jpg --output overlay.png

The five lines that matter are in ``main``: build a ``FaceLandmarker``, detect,
draw, write. ``--preset`` is a registered preset name (its MMPose checkpoint is
downloaded and converted once) or a preset directory. Prints one line per face.
"""

from __future__ import annotations

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True, help="preset name or preset directory")
    parser.add_argument("--image", required=True, help="photo (any size; JPEG, PNG, ...)")
    parser.add_argument("--output", default="overlay.png", help="overlay to write (.png/.jpg)")
    args = parser.parse_args(argv)

    from keras_facelm.inference import (
        FaceLandmarker,
        draw_faces,
        read_image,
        write_image,
    )

    landmarker = FaceLandmarker(args.preset)  # detector="default": BlazeFace, offline
    faces = landmarker.detect(args.image)
    write_image(args.output, draw_faces(read_image(args.image), faces, scheme=faces.scheme))
    for face in faces:
        print(
            f"face {[round(float(v)) for v in face.box]} score {face.detector_score:.2f}: "
            f"{len(face.keypoints)} landmarks"
        )
    return faces


if __name__ == "__main__":
    main()
