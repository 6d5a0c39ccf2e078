"""Canonical forms for constructor arguments, so configs survive JSON round trips."""

from __future__ import annotations

__all__ = ["as_tuples"]


def as_tuples(value):
    """Returns ``value`` with every list turned into a tuple, recursively (dicts copied).

    ``get_config()`` → JSON → ``from_config()`` turns tuples into lists; models
    store their nested settings through this function so that a restored model's
    config equals the original's. It is also how ``get_config`` copies them:
    Keras wraps a dict or list stored on a layer in a tracked container that
    refers back to the layer, so ``copy.deepcopy`` of it copies the whole model
    (by saving and reloading it: seconds per call for an HRNet). This function
    rebuilds plain dicts and tuples and copies nothing else.
    """
    if isinstance(value, dict):
        return {k: as_tuples(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(as_tuples(v) for v in value)
    return value
