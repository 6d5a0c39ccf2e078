"""300W (68 points) as a TFDS dataset.

``import tfds_builders.face300w`` registers ``"face300w"``.
"""

from .face300w_dataset_builder import Builder

__all__ = ["Builder"]
