"""List every preset: its class, scheme, released weights, published NME, and the terms
of its weights and training data."""

from __future__ import annotations

HELP = "list presets, their published NMEs and licences"


def add_arguments(parser):
    parser.add_argument(
        "--with-weights",
        action="store_true",
        help="only presets with released checkpoints",
    )


def run(args):
    from keras_facelm.models import get_preset, list_presets, preset_class

    for name in list_presets(with_weights=True if args.with_weights else None):
        p = get_preset(name)
        status = "weights" if p.has_weights else "recipe only (no released weights)"
        nme = ", ".join(f"{k} {v}" for k, v in p.published_nme.items())
        print(
            f"{name:40s} {preset_class(name).__name__:18s} {p.scheme:20s} {status}  "
            f"NME: {nme or '-'}"
        )
        print(f"{'':40s} weights: {p.weights_license}; training data: {p.dataset_terms}")
    return 0
