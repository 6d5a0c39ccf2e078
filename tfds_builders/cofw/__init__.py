"""COFW (29 points with occlusion) as a TFDS dataset.

``import tfds_builders.cofw`` registers ``"cofw"``.
"""

from .cofw_dataset_builder import Builder

__all__ = ["Builder"]
