"""WFLW (98 points) as a TFDS dataset: ``import tfds_builders.wflw`` registers ``"wflw"``."""

from .wflw_dataset_builder import Builder

__all__ = ["Builder"]
