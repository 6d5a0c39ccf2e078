"""Keypoint schemes: names, flip pairs and NME normalisation points per dataset.

Every number here comes from MMPose's dataset metainfo files
(``configs/_base_/datasets/{wflw,300w,coco_wholebody_face,cofw,aflw}.py``) and
from ``DEFAULT_KEYPOINT_INDICES`` of MMPose's NME metric. Schemes are data: no
other module hard-codes a flip permutation or an inter-ocular index. The named
regions (:attr:`KeypointScheme.regions`) and the WFLW → 68 mapping
(:func:`wflw98_to_68`) come from the datasets' own point definitions, checked
against MMPose's flip pairs.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = [
    "KeypointScheme",
    "REGION_NAMES",
    "SCHEMES",
    "WFLW98_TO_68",
    "get_scheme",
    "wflw98_to_68",
]


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

    @property
    def regions(self) -> dict[str, tuple[int, ...]]:
        """Named subsets of the keypoints: ``contour``, ``brows``, ``eyes``
        (with pupils where the scheme has them), ``nose``, ``mouth``
        (:data:`REGION_NAMES`); disjoint, covering all K points, each mapped
        onto itself by ``flip_indices``."""
        return _REGIONS[self.name]


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
        KeypointScheme("coco_wholebody_face", 68, _IBUG68_FLIP, (36, 45), _names("face", 68)),
        KeypointScheme("cofw", 29, _COFW_FLIP, (8, 9), _names("kpt", 29)),
        KeypointScheme("aflw", 19, _AFLW_FLIP, None, _names("kpt", 19)),
    )
}


#: Region names of :attr:`KeypointScheme.regions`, in drawing order.
REGION_NAMES = ("contour", "brows", "eyes", "nose", "mouth")


def _ranges(*spans):
    return tuple(i for a, b in spans for i in range(a, b))


_IBUG68_REGIONS = {
    "contour": _ranges((0, 17)),
    "brows": _ranges((17, 27)),
    "eyes": _ranges((36, 48)),
    "nose": _ranges((27, 36)),
    "mouth": _ranges((48, 68)),
}

# Index layouts from the datasets' definitions: WFLW's 98 points (Wu et al., CVPR
# 2018: contour 0-32, brows 33-50, nose 51-59, eyes 60-75, mouth 76-95, pupils 96-97);
# iBUG 68 (300W, and COCO-WholeBody-Face, which uses the same 68 points); COFW's 29
# (Burgos-Artizzu et al., ICCV 2013: brow corners and middles 0-7, eye corners, lids
# and pupils 8-17, nose wings, tip and base 18-21, mouth corners and lip middles 22-27,
# chin 28); AFLW-19 (brows 0-5, eyes 6-11, nose 12-14, mouth 15-17, chin 18). MMPose's
# dataset metainfo (configs/_base_/datasets/*.py) names points only kpt-i/face-i;
# its swap fields (flip_indices above) map each region here onto itself.
_REGIONS = {
    "wflw": {
        "contour": _ranges((0, 33)),
        "brows": _ranges((33, 51)),
        "eyes": _ranges((60, 76), (96, 98)),
        "nose": _ranges((51, 60)),
        "mouth": _ranges((76, 96)),
    },
    "300w": _IBUG68_REGIONS,
    "coco_wholebody_face": _IBUG68_REGIONS,
    "cofw": {
        "contour": (28,),
        "brows": _ranges((0, 8)),
        "eyes": _ranges((8, 18)),
        "nose": _ranges((18, 22)),
        "mouth": _ranges((22, 28)),
    },
    "aflw": {
        "contour": (18,),
        "brows": _ranges((0, 6)),
        "eyes": _ranges((6, 12)),
        "nose": _ranges((12, 15)),
        "mouth": _ranges((15, 18)),
    },
}

#: WFLW index of each iBUG-68 point: the commonly used mapping (as in the
#: AdaptiveWingLoss code's ``DLIB_68_TO_WFLW_98_IDX_MAPPING``): every second
#: contour point, the upper edge of each brow, the nose, six of the eight
#: points of each eye, and the mouth. WFLW's authors state that no exact 98 → 68
#: correspondence exists: the contour points, in particular, are only
#: approximately where iBUG's 17 jaw points are, so an NME computed on mapped
#: points is not comparable with a 300W NME.
WFLW98_TO_68 = (
    *range(0, 33, 2), *range(33, 38), *range(42, 47), *range(51, 60),
    60, 61, 63, 64, 65, 67, 68, 69, 71, 72, 73, 75, *range(76, 96),
)  # fmt: skip


def wflw98_to_68(keypoints):
    """WFLW 98-point landmarks → approximate iBUG 68-point ones (:data:`WFLW98_TO_68`).

    Args:
        keypoints: ``(..., 98, D)`` array (coordinates, or ``(..., 98)`` scores).

    Returns:
        The ``(..., 68, D)`` (or ``(..., 68)``) selection, a new array.

    Raises:
        ValueError: the keypoint axis is not 98 long.
    """
    kp = np.asarray(keypoints)
    axis = -2 if kp.ndim >= 2 and kp.shape[-1] in (2, 3) and kp.shape[-2] == 98 else -1
    if kp.shape[axis] != 98:
        raise ValueError(f"expected 98 WFLW keypoints, got shape {kp.shape}")
    return np.take(kp, WFLW98_TO_68, axis=axis)


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
