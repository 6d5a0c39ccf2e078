"""Landmarks of every face in a folder of photos: one JSON record and one overlay per photo.

    python examples/predict_folder.py --preset hrnetv2_w18_wflw --input photos/ --output out/

The same as ``keras-facelm predict photos/ --preset ... --output out/``, written
with the library: a ``FaceLandmarker`` (bundled BlazeFace detector) and
``predict_files``, which batches the faces of several photos per forward pass and
skips (and names) photos it cannot read.
"""

from __future__ import annotations

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True, help="preset name, directory or .tflite")
    parser.add_argument("--input", required=True, help="folder of photos")
    parser.add_argument("--output", required=True, help="folder for <stem>.json and <stem>.png")
    args = parser.parse_args(argv)

    from keras_facelm.inference import FaceLandmarker
    from keras_facelm.inference.predict_files import predict_files

    report = predict_files(FaceLandmarker(args.preset), [args.input], args.output, progress=True)
    print(f"{len(report.written)} files written, {len(report.failed)} photos skipped")
    return report


if __name__ == "__main__":
    main()
