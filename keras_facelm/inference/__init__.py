"""Inference helpers: landmark overlays (``draw_landmarks``) and the Keras-free
runtime of exported files (``ExportedLandmarker``)."""

from keras_facelm.inference.drawing import IBUG68_CONTOURS, draw_landmarks
from keras_facelm.inference.exported import ExportedLandmarker

__all__ = ["IBUG68_CONTOURS", "ExportedLandmarker", "draw_landmarks"]
