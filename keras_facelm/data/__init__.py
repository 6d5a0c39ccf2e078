"""Data: keypoint schemes, transforms, readers of raw formats, synthetic faces."""

from keras_facelm.data.schemes import SCHEMES, KeypointScheme, get_scheme
from keras_facelm.data.synthetic_faces import (
    SyntheticFaces,
    generate_face,
    synthetic_face_arrays,
)

__all__ = [
    "SCHEMES",
    "KeypointScheme",
    "SyntheticFaces",
    "generate_face",
    "get_scheme",
    "synthetic_face_arrays",
]
