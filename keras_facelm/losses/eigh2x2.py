"""Closed-form, differentiable eigen-decomposition of symmetric 2x2 matrices.

Works on every Keras backend (``keras.ops`` only, no ``arctan2``, which Keras's
torch backend computes in float32 whatever the input dtype) and is
differentiable away from repeated eigenvalues, where eigenvectors are undefined
for any method.
"""

from __future__ import annotations

from keras import ops

__all__ = ["eigh_2x2"]


def eigh_2x2(a, b, c, tiny=1e-30):
    """Eigen-decomposes ``[[a, b], [b, c]]`` element-wise.

    With ``m = (a + c) / 2``, ``d = (a - c) / 2`` and ``r = sqrt(d**2 + b**2)``,
    the eigenvalues are ``m - r <= m + r``. The eigenvector of the larger one is
    ``(cos phi, sin phi)`` with ``cos 2 phi = d / r``, ``sin 2 phi = b / r``;
    the half angle is taken as ``cos phi = sqrt((r + d) / 2r)``, ``sin phi =
    b / (2 r cos phi)`` where ``d >= 0``, and ``sin phi = sqrt((r - d) / 2r)``,
    ``cos phi = b / (2 r sin phi)`` elsewhere (no cancellation in either). The
    other eigenvector is ``(-sin phi, cos phi)``. Eigenvector signs are
    arbitrary (as for LAPACK).

    Args:
        a, b, c: tensors of one shape, the matrix entries.
        tiny: below this ``d**2 + b**2`` the matrix is treated as isotropic
            (eigenvectors along the axes), which keeps gradients finite there.

    Returns:
        ``(lam0, lam1, v0, v1)``: ascending eigenvalues and their unit
        eigenvectors, each vector a pair ``(x, y)`` of tensors.
    """
    a, b, c = (ops.convert_to_tensor(t) for t in (a, b, c))
    m = 0.5 * (a + c)
    d = 0.5 * (a - c)
    r2 = d * d + b * b
    safe = r2 > tiny
    r = ops.sqrt(ops.where(safe, r2, 1.0))
    d = ops.where(safe, d, 1.0)
    b = ops.where(safe, b, 0.0)
    upper = d >= 0
    big = ops.sqrt(ops.where(upper, r + d, r - d) / (2.0 * r))
    small = b / (2.0 * r * big)
    cos = ops.where(upper, big, small)
    sin = ops.where(upper, small, big)
    r = ops.where(safe, r, 0.0)
    return m - r, m + r, (-sin, cos), (cos, sin)
