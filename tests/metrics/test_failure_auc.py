"""FR, AUC and CED: hand-computable cases and STAR's ``FR_AUC`` on the same errors."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from keras_facelm.metrics import auc, ced, failure_rate, plot_ced

PARITY = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity"


def test_hand_computable_case():
    e = np.array([0.0, 0.02, 0.05, 0.1, 0.15])
    assert failure_rate(e, 0.1) == pytest.approx(0.2)  # only 0.15 > 0.1
    assert failure_rate(e, 0.05) == pytest.approx(0.4)
    # area under the step CED on [0, 0.1]: sum(0.1 - e_i, 0) / 5 = 0.23 / 5
    assert auc(e, 0.1) == pytest.approx(0.23 / 5 / 0.1)
    np.testing.assert_allclose(ced(e, [0.0, 0.02, 0.03, 0.1, 1.0]), [0.2, 0.4, 0.4, 0.8, 1.0])


def test_simpson_mode_converges_to_exact():
    e = np.random.default_rng(0).gamma(2.0, 0.02, 400)
    assert auc(e, 0.1, step=1e-5) == pytest.approx(auc(e, 0.1), abs=2e-4)


@pytest.mark.parametrize("name", ["gamma", "mixed"])
def test_matches_star_fr_auc(name):
    """STAR's ``FR_AUC.test`` (rounds FR to 4, AUC to 6 decimals), step 1e-4.

    For T = 0.05 and 0.07 STAR's grid ends one step past T; step mode follows it.
    """
    ref = np.load(PARITY / "star_fr_auc.npz")
    e = ref[f"errors_{name}"]
    for t, fr, area in zip(ref["thresholds"], ref[f"fr_{name}"], ref[f"auc_{name}"], strict=True):
        assert failure_rate(e, t, step=1e-4) == pytest.approx(fr, abs=5e-5)
        assert auc(e, t, step=1e-4) == pytest.approx(area, abs=5e-7)
        if len(np.arange(0, t + 1e-4, 1e-4)) % 2 == 1:  # no sample past t
            assert failure_rate(e, t) == pytest.approx(fr, abs=5e-5)


def test_invalid_errors_raise():
    with pytest.raises(ValueError, match="finite"):
        failure_rate([0.1, np.nan])
    with pytest.raises(ValueError, match="empty"):
        auc([])
    with pytest.raises(ValueError, match="threshold"):
        auc([0.1], threshold=0)


def test_ced_plot_renders_png(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    rng = np.random.default_rng(1)
    ax = plot_ced(
        {"model A": rng.gamma(2.0, 0.02, 200), "model B": rng.gamma(2.0, 0.03, 200)},
        threshold=0.1,
        title="WFLW test",
    )
    assert len(ax.get_lines()) == 2
    assert "FR" in ax.get_legend().get_texts()[0].get_text()
    path = tmp_path / "ced.png"
    ax.figure.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    matplotlib.pyplot.close(ax.figure)
