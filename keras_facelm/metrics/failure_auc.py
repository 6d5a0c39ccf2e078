"""Failure rate, AUC and the cumulative error distribution (CED) of per-image errors.

Face-alignment papers (HRNet, AWing, STAR, SPIGA, ...) report, on per-image
NMEs ``e_i`` (see :func:`keras_facelm.metrics.per_image_nme`):

* ``FR@T``: the fraction of images with ``e_i > T``;
* ``AUC@T``: the area under the CED ``F(x) = #{e_i <= x} / n`` on ``[0, T]``,
  divided by ``T`` (1 for a perfect model);
* the CED itself, usually plotted up to ``T``.

:func:`auc` integrates the CED exactly by default; with ``step`` it samples the
CED on ``numpy.arange(0, T + step, step)`` and applies Simpson's rule like
STAR's ``lib/metric/fr_and_auc.py`` (``step=1e-4``; SciPy's ``simpson``, with
its end correction when the number of samples is even). Floating-point
``arange`` can yield one sample past ``T`` (``T = 0.05``: 502 samples, the last
at 0.0501), so STAR's AUC then integrates slightly past ``T`` while still
dividing by ``T``, and its FR counts errors up to that last sample as
successes; ``step`` mode of :func:`auc` and :func:`failure_rate` reproduces
both.
"""

from __future__ import annotations

import numpy as np

__all__ = ["auc", "ced", "failure_rate", "plot_ced"]


def _errors(errors):
    e = np.asarray(errors, dtype=np.float64).reshape(-1)
    if e.size == 0:
        raise ValueError("errors is empty; expected per-image errors (N,)")
    if not np.all(np.isfinite(e)) or np.any(e < 0):
        raise ValueError(
            "errors must be finite and >= 0; drop images without a valid error "
            "first, e.g. errors[np.isfinite(errors)]"
        )
    return e


def _threshold(threshold):
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    return float(threshold)


def failure_rate(errors, threshold=0.1, step=None):
    """Fraction of images whose error exceeds ``threshold`` (``e > T``).

    Args:
        errors: ``(N,)`` per-image errors (fractions, e.g. per-image NME).
        threshold: ``T``, e.g. 0.1 for FR@0.1 (0.08, 0.05 also common).
        step: ``None`` to compare with ``T`` itself; a float to compare with
            the last sample of ``numpy.arange(0, T + step, step)`` as STAR's
            ``FR_AUC`` does (0.0501 instead of 0.05 for ``step=1e-4``).

    Returns:
        float in [0, 1].
    """
    e = _errors(errors)
    t = _threshold(threshold)
    if step is not None:
        if not step > 0:
            raise ValueError(f"step must be positive or None, got {step!r}")
        t = float(np.arange(0, t + step, step)[-1])
    return float(np.mean(e > t))


def ced(errors, thresholds):
    """Cumulative error distribution: fraction of images with ``e <= x`` per x.

    Args:
        errors: ``(N,)`` per-image errors.
        thresholds: array of error values ``x``.

    Returns:
        float64 array shaped like ``thresholds``.
    """
    e = np.sort(_errors(errors))
    x = np.asarray(thresholds, dtype=np.float64)
    return np.searchsorted(e, x, side="right") / e.size


def _simpson_uniform(y, h):
    """SciPy's ``integrate.simpson`` for samples spaced ``h`` apart."""
    n = y.size
    if n < 3:
        raise ValueError(f"Simpson's rule needs at least 3 samples, got {n}")
    m = n if n % 2 == 1 else n - 1
    total = h / 3.0 * (y[0 : m - 1 : 2] + 4.0 * y[1:m:2] + y[2:m:2]).sum()
    if n % 2 == 0:
        # SciPy >= 1.11: Cartwright's correction for the last interval.
        total += h * (5.0 / 12.0 * y[-1] + 2.0 / 3.0 * y[-2] - 1.0 / 12.0 * y[-3])
    return total


def auc(errors, threshold=0.1, step=None):
    """Area under the CED on ``[0, threshold]``, divided by ``threshold``.

    Args:
        errors: ``(N,)`` per-image errors.
        threshold: upper limit ``T`` of the integral (AUC@T).
        step: ``None`` for the exact area of the step-function CED,
            ``mean(max(T - e_i, 0)) / T``; a positive float to sample the CED on
            ``numpy.arange(0, T + step, step)`` and integrate with Simpson's rule
            as STAR's evaluation does (``step=1e-4``).

    Returns:
        float in [0, 1].
    """
    e = _errors(errors)
    t = _threshold(threshold)
    if step is None:
        return float(np.mean(np.maximum(t - e, 0.0)) / t)
    if not step > 0:
        raise ValueError(f"step must be positive or None, got {step!r}")
    xs = np.arange(0, t + step, step)
    return float(_simpson_uniform(ced(e, xs), step) / t)


def plot_ced(error_sets, threshold=0.1, ax=None, num_points=1001, title=None):
    """Plots CED curves of several methods with FR and AUC in the legend.

    Needs matplotlib (``pip install keras-facelm[viz]``).

    Args:
        error_sets: mapping ``label -> (N,)`` per-image errors.
        threshold: x-axis limit ``T``; FR@T and AUC@T go into the legend.
        ax: a matplotlib ``Axes`` to draw into; a new figure when ``None``.
        num_points: samples of each curve on ``[0, T]``.
        title: optional axes title.

    Returns:
        The matplotlib ``Axes`` (``ax.figure.savefig(path)`` writes a PNG).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError("plot_ced needs matplotlib: pip install 'keras-facelm[viz]'") from err
    if not error_sets:
        raise ValueError("error_sets is empty; expected {label: errors}")
    t = _threshold(threshold)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    xs = np.linspace(0.0, t, int(num_points))
    for label, errors in error_sets.items():
        ax.step(
            xs,
            ced(errors, xs),
            where="post",
            label=f"{label} (FR {100 * failure_rate(errors, t):.2f}%, AUC {auc(errors, t):.4f})",
        )
    ax.set_xlim(0.0, t)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("NME")
    ax.set_ylabel("fraction of images")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    return ax
