"""Preset files: directories in KerasHub's layout, and registry names resolved to models.

A preset directory holds ``config.json`` (the serialised detector),
``model.weights.h5`` and ``metadata.json``. A registry name resolves to the
converted preset cached under ``$KERAS_FACELM_HOME/presets/<name>``; on a cache
miss MMPose's checkpoint is downloaded (sha256-checked), converted with the
strict state-dict porter, and the preset written atomically, so an interrupted
download or conversion never leaves a half-written cache entry.

Class checks are exact: ``ResNet50Heatmap.from_preset(...)`` returns a
``ResNet50Heatmap`` or raises, even for a preset of a related class. Only the
generic base classes (``LandmarkTask``, ``HeatmapLandmarkDetector``,
``RegressionLandmarkDetector``), which own no presets, accept any subclass.
"""

from __future__ import annotations

import datetime
import json
import logging
import pathlib

import keras

from keras_facelm.models.preset import get_preset, list_presets, preset_class

__all__ = [
    "build_preset_model",
    "convert_checkpoint",
    "load_preset",
    "load_preset_dir",
    "save_preset_dir",
]

_CONFIG, _WEIGHTS, _METADATA = "config.json", "model.weights.h5", "metadata.json"
log = logging.getLogger(__name__)


def _check_class(found, expected, source):
    if expected is None:
        return
    exact = "presets" in expected.__dict__
    if (found is expected) if exact else issubclass(found, expected):
        return
    raise ValueError(
        f"{source} is a {found.__name__} preset, not a {expected.__name__}; load it with "
        f"keras_facelm.models.{found.__name__}.from_preset or keras_facelm.models.from_preset"
    )


def _resolve_name(preset, expected):
    """A registry name from a full or class-scoped (``"wflw"``) name."""
    prefix = getattr(expected, "preset_prefix", "") if expected is not None else ""
    own = expected.__dict__.get("presets", {}) if expected is not None else {}
    if prefix and prefix + preset in own:
        return prefix + preset
    try:
        get_preset(preset)
        return preset
    except ValueError:
        pass
    hint = ""
    if own:
        scoped = sorted(n[len(prefix) :] if n.startswith(prefix) else n for n in own)
        hint = f" ({expected.__name__} short names: {', '.join(scoped)})"
    raise ValueError(
        f"{preset!r} is neither a preset directory nor a registered preset{hint}; "
        f"all presets: {', '.join(list_presets())}"
    )


def build_preset_model(name, **overrides):
    """The unweighted detector that registered preset ``name`` describes.

    ``overrides`` replace constructor arguments (e.g. a smaller ``backbone``).
    """
    spec = get_preset(name)
    return preset_class(name)(**{**dict(spec.model_kwargs), **overrides}, name=name)


def convert_checkpoint(name, checkpoint_path, **overrides):
    """Builds preset ``name`` and fills it from an MMPose ``.pth`` (0.x or 1.x keys).

    Raises:
        keras_facelm.checkpoints.porting.StateDictMismatchError: the checkpoint
            belongs to another architecture or keypoint count (names the keys).
        ValueError: the file is truncated, corrupt or not a checkpoint.
    """
    from keras_facelm.checkpoints import port_state_dict, read_state_dict

    state_dict = read_state_dict(checkpoint_path)
    model = build_preset_model(name, **overrides)
    try:
        port_state_dict(model, state_dict, strict=True)
    except ValueError as e:
        raise type(e)(f"{checkpoint_path}: not a checkpoint of preset {name!r}: {e}") from None
    return model


def save_preset_dir(model, preset_dir, *, metadata=None, overwrite=False):
    """Writes ``model`` as a preset directory, atomically (temp dir + rename).

    An existing non-empty ``preset_dir`` is refused (``OutputExistsError``, a
    ``FileExistsError`` naming the path and ``overwrite=True``) unless
    ``overwrite=True``; an empty one is filled.
    """
    from keras_facelm.utils.atomic_write import write_directory

    with write_directory(preset_dir, overwrite=overwrite) as tmp:
        _write_preset_files(model, pathlib.Path(tmp), metadata)
    return pathlib.Path(preset_dir)


def _write_preset_files(model, directory, metadata):
    from keras_facelm import __version__

    meta = {
        "keras_facelm_version": __version__,
        "keras_version": keras.__version__,
        "class_name": type(model).__name__,
        "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **(metadata or {}),
    }
    config = keras.saving.serialize_keras_object(model)
    # A preset is architecture + weights: a compiled model's loss and optimizer
    # settings are left out, so loading it needs no training classes.
    config.pop("compile_config", None)
    (directory / _CONFIG).write_text(json.dumps(config, indent=2))
    model.save_weights(str(directory / _WEIGHTS))
    (directory / _METADATA).write_text(json.dumps(meta, indent=2))


def load_preset_dir(preset_dir, expected_cls=None):
    """Loads a preset directory; ``expected_cls`` (if given) is checked as described above."""
    preset_dir = pathlib.Path(preset_dir)
    for f in (_CONFIG, _WEIGHTS):
        if not (preset_dir / f).is_file():
            raise FileNotFoundError(f"preset directory {preset_dir} has no {f}")
    try:
        config = json.loads((preset_dir / _CONFIG).read_bytes())
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"{preset_dir / _CONFIG} is not valid JSON: {e}") from None
    if isinstance(config, dict):  # presets written by keras_facelm <= 0.1 kept it
        config.pop("compile_config", None)
    try:  # Keras raises many types on a damaged config
        model = keras.saving.deserialize_keras_object(config)
    except Exception as e:
        raise ValueError(
            f"{preset_dir / _CONFIG}: not a keras_facelm model config "
            f"({type(e).__name__}: {str(e)[:300]})"
        ) from None
    _check_class(type(model), expected_cls, f"preset directory {preset_dir}")
    try:
        model.load_weights(str(preset_dir / _WEIGHTS))
    except Exception as e:
        raise ValueError(
            f"{preset_dir / _WEIGHTS}: cannot load the weights ({type(e).__name__}: {str(e)[:300]})"
        ) from None
    return model


def load_preset(preset, *, expected_cls=None, checkpoint=None, **overrides):
    """See :meth:`keras_facelm.models.task.LandmarkTask.from_preset`."""
    from keras_facelm.utils.download import (
        cache_dir,
        cache_directory,
        download,
        sha256_prefix_from_filename,
    )

    if pathlib.Path(str(preset)).is_dir():
        return load_preset_dir(preset, expected_cls)
    name = _resolve_name(str(preset), expected_cls)
    spec = get_preset(name)
    _check_class(preset_class(name), expected_cls, f"preset {name!r}")
    if checkpoint is not None:
        path = download(str(checkpoint), sha256_prefix=sha256_prefix_from_filename(str(checkpoint)))
        return convert_checkpoint(name, path, **overrides)
    if not spec.has_weights:
        raise ValueError(
            f"preset {name!r} is recipe-only: MMPose released no checkpoint for it. "
            f"{spec.recipe or ''} To use your own weights pass checkpoint=PATH.pth."
        )
    cached = cache_dir() / "presets" / name
    if (cached / _CONFIG).is_file() and not overrides:
        return load_preset_dir(cached, expected_cls)
    path = download(spec.checkpoint_url, sha256_prefix=spec.sha256_prefix)
    log.info("converting %s for preset %s", path, name)
    model = convert_checkpoint(name, path, **overrides)
    if not overrides:
        metadata = {
            "preset": name,
            "source_checkpoint": spec.checkpoint_url,
            "mmpose_config": spec.mmpose_config,
        }
        with cache_directory(cached) as tmp:  # the first of concurrent converters wins
            _write_preset_files(model, pathlib.Path(tmp), metadata)
    return model
