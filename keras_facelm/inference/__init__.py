"""Inference helpers: landmark overlays (``draw_landmarks``)."""

from keras_facelm.inference.drawing import IBUG68_CONTOURS, draw_landmarks

__all__ = ["IBUG68_CONTOURS", "draw_landmarks"]
