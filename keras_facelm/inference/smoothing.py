"""The One-Euro filter for landmark tracks in video (numpy only).

Casiez, Roussel and Vogel, "1€ Filter: A Simple Speed-based Low-pass Filter for
Noisy Input in Interactive Systems", CHI 2012. Each coordinate is low-passed
with an exponential smoother whose cut-off frequency grows with the signal's
speed: still points are smoothed hard (little jitter), moving points lightly
(little lag).

For every new sample ``x`` at time ``t`` (seconds), with ``dt`` since the last:

* ``alpha(f) = 1 / (1 + 1 / (2 * pi * f * dt))`` — the smoothing factor of an
  exponential low-pass with cut-off frequency ``f`` (Hz);
* ``dx = lowpass((x - x_prev) / dt / scale, alpha(d_cutoff))`` — the filtered
  speed, here in units of ``scale`` per second (``scale``: the face size in
  pixels, so the parameters do not depend on how large the face is);
* ``cutoff = min_cutoff + beta * |dx|``;
* ``x_hat = lowpass(x, alpha(cutoff))``.

Parameters (:class:`OneEuroParams`):

* ``min_cutoff`` (Hz): cut-off of a still point. Lower = less jitter, more lag
  when motion starts. Default 1.0.
* ``beta`` (per face size per second): how fast the cut-off rises with speed.
  Higher = less lag on fast motion, more jitter left. Default 5.0: a face moving
  by its own size in one second is filtered at ``1 + 5 = 6`` Hz.
* ``d_cutoff`` (Hz): cut-off of the speed estimate. Default 1.0 (the paper's).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

__all__ = ["OneEuroFilter", "OneEuroParams"]


@dataclasses.dataclass(frozen=True)
class OneEuroParams:
    """One-Euro filter parameters (see the module docstring for units)."""

    min_cutoff: float = 1.0
    beta: float = 5.0
    d_cutoff: float = 1.0

    def __post_init__(self):
        if not (self.min_cutoff > 0 and self.d_cutoff > 0 and self.beta >= 0):
            raise ValueError(
                f"One-Euro parameters need min_cutoff > 0, d_cutoff > 0, beta >= 0; got {self}"
            )


def _alpha(cutoff, dt):
    return 1.0 / (1.0 + 1.0 / (2.0 * math.pi * cutoff * dt))


class OneEuroFilter:
    """A One-Euro filter over an array of any shape (e.g. ``(K, 2)`` keypoints).

    Args:
        params: :class:`OneEuroParams`.
    """

    def __init__(self, params: OneEuroParams = OneEuroParams()):  # noqa: B008
        self.params = params
        self._x = self._dx = self._t = None

    def __call__(self, x, t: float, scale: float = 1.0) -> np.ndarray:
        """Filters one sample.

        Args:
            x: float array, the same shape at every call (pixels).
            t: time in seconds, increasing.
            scale: the size that speeds are measured in (face size in pixels).

        Returns:
            float64 array like ``x``: the filtered sample (``x`` itself on the
            first call).
        """
        x = np.asarray(x, np.float64)
        if self._x is None:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), float(t)
            return x.copy()
        if x.shape != self._x.shape:
            raise ValueError(f"sample shape {x.shape} differs from the first, {self._x.shape}")
        dt = float(t) - self._t
        if dt <= 0:
            raise ValueError(f"time must increase: got t={t} after t={self._t}")
        p = self.params
        speed = (x - self._x) / dt / max(float(scale), 1e-9)
        self._dx = self._dx + _alpha(p.d_cutoff, dt) * (speed - self._dx)
        cutoff = p.min_cutoff + p.beta * np.abs(self._dx)
        a = 1.0 / (1.0 + 1.0 / (2.0 * math.pi * cutoff * dt))
        self._x = self._x + a * (x - self._x)
        self._t = float(t)
        return self._x.copy()
