"""AFLW-19 as a TFDS dataset: ``import tfds_builders.aflw`` registers ``"aflw"``."""

from .aflw_dataset_builder import Builder

__all__ = ["Builder"]
