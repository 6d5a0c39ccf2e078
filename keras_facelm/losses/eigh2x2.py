"""Closed-form, differentiable eigen-decomposition of symmetric 2x2 matrices.

Works on every Keras backend (``keras.ops`` only) and is differentiable away
from repeated eigenvalues, where eigenvectors are undefined for any method.
"""

from __future__ import annotations

from keras import ops

__all__ = ["eigh_2x2"]


def eigh_2x2(a, b, c, tiny=1e-30):
    """Eigen-decomposes ``[[a, b], [b, c]]`` element-wise.

    With ``m = (a + c) / 2``, ``d = (a - c) / 2`` and ``r = sqrt(d**2 + b**2)``,
    the eigenvalues are ``m - r <= m + r``. The eigenvector of the larger one is
    ``(cos phi, sin phi)`` with ``phi = atan2(b, d) / 2``; the other is
    ``(-sin phi, cos phi)``. Eigenvector signs are arbitrary (as for LAPACK).

    Args:
        a, b, c: tensors of one shape, the matrix entries.
        tiny: below this ``d**2 + b**2`` the matrix is treated as isotropic
            (``phi = 0``), which keeps gradients finite there.

    Returns:
        ``(lam0, lam1, v0, v1)``: ascending eigenvalues and their unit
        eigenvectors, each vector a pair ``(x, y)`` of tensors.
    """
    m = 0.5 * (a + c)
    d = 0.5 * (a - c)
    r2 = d * d + b * b
    safe = r2 > tiny
    r = ops.where(safe, ops.sqrt(ops.where(safe, r2, 1.0)), 0.0)
    phi = 0.5 * ops.arctan2(ops.where(safe, b, 0.0), ops.where(safe, d, 1.0))
    cos, sin = ops.cos(phi), ops.sin(phi)
    return m - r, m + r, (-sin, cos), (cos, sin)
