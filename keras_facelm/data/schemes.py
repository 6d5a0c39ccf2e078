"""Keypoint schemes: names, flip pairs and NME normalisation points per dataset.

Every number here comes from MMPose's dataset metainfo files
(``configs/_base_/datasets/{wflw,300w,coco_wholebody_face,cofw,aflw}.py``) and
from ``DEFAULT_KEYPOINT_INDICES`` of MMPose's NME metric. Schemes are data: no
other module hard-codes a flip permutation or an inter-ocular index.
"""

from __future__ import annotations

import dataclasses

__all__ = ["KeypointScheme", "SCHEMES", "get_scheme"]


@dataclasses.dataclass(frozen=True)
class KeypointScheme:
    """A face landmark annotation scheme.

    Attributes:
        name: the scheme's key in :data:`SCHEMES` (``"wflw"``, ``"300w"``, ...).
        num_keypoints: K, the number of landmarks.
        flip_indices: length-K permutation; after a horizontal flip of the image,
            landmark ``i`` of the flipped face is landmark ``flip_indices[i]``
            of the original. An involution.
        norm_indices: the two landmarks whose distance normalises the NME
            (outer eye corners for WFLW/300W/COCO-WholeBody-Face, MMPose's
            ``[8, 9]`` for COFW), or ``None`` when the normaliser is the face box
            size (AFLW).
        keypoint_names: K names, MMPose's ``kpt-i`` / ``face-i``.
    """

    name: str
    num_keypoints: int
    flip_indices: tuple[int, ...]
    norm_indices: tuple[int, int] | None
    keypoint_names: tuple[str, ...]

    def __post_init__(self):
        k = self.num_keypoints
        if len(self.flip_indices) != k or len(self.keypoint_names) != k:
            raise ValueError(
                f"scheme {self.name!r}: expected {k} flip indices and names, got "
                f"{len(self.flip_indices)} and {len(self.keypoint_names)}"
            )
        if sorted(self.flip_indices) != list(range(k)):
            raise ValueError(f"scheme {self.name!r}: flip_indices is not a permutation")
        if any(self.flip_indices[self.flip_indices[i]] != i for i in range(k)):
            raise ValueError(f"scheme {self.name!r}: flip_indices is not an involution")

    @property
    def flip_pairs(self) -> tuple[tuple[int, int], ...]:
        """Pairs ``(i, j)`` with ``i < j`` swapped by a horizontal flip."""
        return tuple((i, j) for i, j in enumerate(self.flip_indices) if i < j)


def _names(prefix, k):
    return tuple(f"{prefix}-{i}" for i in range(k))


_WFLW_FLIP = (
    # contour 0..32
    32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
    15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    # brows 33..50
    46, 45, 44, 43, 42, 50, 49, 48, 47, 37, 36, 35, 34, 33, 41, 40, 39, 38,
    # nose 51..59
    51, 52, 53, 54, 59, 58, 57, 56, 55,
    # eyes 60..75
    72, 71, 70, 69, 68, 75, 74, 73, 64, 63, 62, 61, 60, 67, 66, 65,
    # mouth 76..95, pupils 96..97
    82, 81, 80, 79, 78, 77, 76, 87, 86, 85, 84, 83, 92, 91, 90, 89, 88, 95, 94, 93,
    97, 96,
)  # fmt: skip

_IBUG68_FLIP = (
    16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
    27, 28, 29, 30,
    35, 34, 33, 32, 31,
    45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40,
    54, 53, 52, 51, 50, 49, 48,
    59, 58, 57, 56, 55,
    64, 63, 62, 61, 60,
    67, 66, 65,
)  # fmt: skip

_COFW_FLIP = (
    1, 0, 3, 2, 6, 7, 4, 5, 9, 8, 11, 10, 14, 15, 12, 13, 17, 16, 19, 18,
    20, 21, 23, 22, 24, 25, 26, 27, 28,
)  # fmt: skip

_AFLW_FLIP = (5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 7, 6, 14, 13, 12, 17, 16, 15, 18)

SCHEMES: dict[str, KeypointScheme] = {
    s.name: s
    for s in (
        KeypointScheme("wflw", 98, _WFLW_FLIP, (60, 72), _names("kpt", 98)),
        KeypointScheme("300w", 68, _IBUG68_FLIP, (36, 45), _names("kpt", 68)),
        KeypointScheme(
            "coco_wholebody_face", 68, _IBUG68_FLIP, (36, 45), _names("face", 68)
        ),
        KeypointScheme("cofw", 29, _COFW_FLIP, (8, 9), _names("kpt", 29)),
        KeypointScheme("aflw", 19, _AFLW_FLIP, None, _names("kpt", 19)),
    )
}


def get_scheme(scheme: str | KeypointScheme) -> KeypointScheme:
    """Returns the :class:`KeypointScheme` for a name (or the scheme itself)."""
    if isinstance(scheme, KeypointScheme):
        return scheme
    try:
        return SCHEMES[scheme]
    except KeyError:
        raise ValueError(
            f"unknown keypoint scheme {scheme!r}; expected one of {sorted(SCHEMES)}"
        ) from None
