"""Data: keypoint schemes, transforms, readers of raw formats, synthetic faces."""

from keras_facelm.data.schemes import SCHEMES, KeypointScheme, get_scheme

__all__ = ["SCHEMES", "KeypointScheme", "get_scheme"]
