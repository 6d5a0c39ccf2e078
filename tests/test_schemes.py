import pytest

from keras_facelm.data import SCHEMES, get_scheme


def test_scheme_sizes_and_norm_points():
    assert {k: v.num_keypoints for k, v in SCHEMES.items()} == {
        "wflw": 98,
        "300w": 68,
        "coco_wholebody_face": 68,
        "cofw": 29,
        "aflw": 19,
    }
    assert SCHEMES["wflw"].norm_indices == (60, 72)
    assert SCHEMES["300w"].norm_indices == (36, 45)
    assert SCHEMES["cofw"].norm_indices == (8, 9)
    assert SCHEMES["aflw"].norm_indices is None


def test_flip_pairs_match_mmpose_metainfo():
    # Pairs quoted from MMPose's wflw.py metainfo (swap names), spot-checked.
    wflw = dict(get_scheme("wflw").flip_pairs)
    assert wflw[0] == 32 and wflw[33] == 46 and wflw[60] == 72 and wflw[96] == 97
    assert 16 not in wflw and 51 not in wflw and 79 not in wflw
    ibug = dict(get_scheme("300w").flip_pairs)
    assert ibug[36] == 45 and ibug[39] == 42 and ibug[48] == 54 and ibug[60] == 64
    assert get_scheme("aflw").flip_indices[18] == 18


def test_unknown_scheme_names_the_choices():
    with pytest.raises(ValueError, match="wflw"):
        get_scheme("lapa")
