"""The child side of :func:`keras_facelm.export.under_tensorflow.export_in_subprocess`.

``python -m keras_facelm.export.tensorflow_worker ARGS.json`` runs under
``KERAS_BACKEND=tensorflow``: it loads the preset the parent wrote, exports it with
the options in ``ARGS.json``, and on failure prints one line on stderr for the
parent's error message.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np


def main(args_path):
    from keras_facelm.export.api import export_loaded, load_preset
    from keras_facelm.export.options import ExportOptions

    args = json.loads(pathlib.Path(args_path).read_text())
    data = args.pop("representative_data")
    if isinstance(data, dict):
        data = np.load(data["npy"])
    model = load_preset(args.pop("model"))
    preset = args.pop("preset")
    opts = ExportOptions(**{**args, "path": pathlib.Path(args["path"])})
    export_loaded(model, opts, data, preset=preset)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Exception as e:  # one line for the parent's error message
        print(f"{type(e).__name__}: {e}".replace("\n", " "), file=sys.stderr)
        sys.exit(1)
