"""synthetic_faces as a TFDS dataset: ``import tfds_builders.synthetic_faces`` registers it."""

from .synthetic_faces_dataset_builder import Builder

__all__ = ["Builder"]
