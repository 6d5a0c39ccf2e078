"""Convert an MMPose face checkpoint (.pth, 0.x or 1.x) into a keras_facelm preset directory.

    python convert/mmpose_to_keras.py --preset hrnetv2_w18_wflw \
        --checkpoint hrnetv2_w18_wflw_256x256-2bf032a6_20210125.pth --output presets/wflw

Needs no PyTorch: the checkpoint is read by a restricted unpickler that refuses
any object other than tensors and plain containers. The sha256 prefix in an
MMPose file name is checked; every checkpoint tensor must be used and every
model weight filled, else the error names the keys. An existing non-empty
--output directory is refused unless --overwrite is given (the new preset then
replaces it atomically); an existing empty directory is filled.
"""

import sys

from keras_facelm.cli import convert_main

if __name__ == "__main__":
    try:
        convert_main()
    except (ValueError, OSError) as e:
        sys.exit(f"mmpose_to_keras: error: {e}")
