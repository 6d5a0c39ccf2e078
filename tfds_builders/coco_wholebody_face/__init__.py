"""COCO-WholeBody-Face as a TFDS dataset.

``import tfds_builders.coco_wholebody_face`` registers ``"coco_wholebody_face"``.
"""

from .coco_wholebody_face_dataset_builder import Builder

__all__ = ["Builder"]
