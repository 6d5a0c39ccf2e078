"""Convert an MMPose face checkpoint (.pth, 0.x or 1.x) into a keras_facelm preset directory.

    python convert/mmpose_to_keras.py --preset hrnetv2_w18_wflw \
        --checkpoint hrnetv2_w18_wflw_256x256-2bf032a6_20210125.pth --output presets/wflw

The same as ``keras-facelm convert`` (see ``keras_facelm/cli/convert.py``).
"""

import sys

from keras_facelm.cli import main

if __name__ == "__main__":
    main(["convert", *sys.argv[1:]])
