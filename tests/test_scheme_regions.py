"""Named keypoint regions per scheme and the WFLW 98 -> 68 mapping."""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.data.schemes import (
    REGION_NAMES,
    SCHEMES,
    WFLW98_TO_68,
    get_scheme,
    wflw98_to_68,
)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_regions_partition_the_points_and_are_flip_closed(name):
    scheme = get_scheme(name)
    regions = scheme.regions
    assert tuple(regions) == REGION_NAMES
    flat = [i for r in regions.values() for i in r]
    assert sorted(flat) == list(range(scheme.num_keypoints))  # disjoint and complete
    for region, idx in regions.items():
        flipped = {scheme.flip_indices[i] for i in idx}
        assert flipped == set(idx), f"{name} {region} is not mapped onto itself by a flip"


def test_wflw_to_68_mapping_respects_flips_and_regions():
    wflw, ibug = get_scheme("wflw"), get_scheme("300w")
    m = np.array(WFLW98_TO_68)
    assert len(m) == 68 and len(set(m)) == 68
    # Mirroring then mapping equals mapping then mirroring.
    assert [wflw.flip_indices[m[i]] for i in range(68)] == [m[j] for j in ibug.flip_indices]
    region_of = {i: r for r, idx in wflw.regions.items() for i in idx}
    for region, idx in ibug.regions.items():
        assert {region_of[m[i]] for i in idx} == {region}
    assert m[8] == 16 and m[36] == 60 and m[45] == 72  # chin, outer eye corners


def test_wflw98_to_68_selects_points_and_scores():
    kp = np.arange(2 * 98 * 2, dtype=float).reshape(2, 98, 2)
    out = wflw98_to_68(kp)
    assert out.shape == (2, 68, 2) and np.array_equal(out[1, 17], kp[1, 33])
    assert wflw98_to_68(np.arange(98.0)).tolist() == list(WFLW98_TO_68)
    with pytest.raises(ValueError, match="expected 98 WFLW keypoints"):
        wflw98_to_68(np.zeros((68, 2)))
