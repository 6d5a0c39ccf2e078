"""Loading and saving presets: directories in KerasHub's layout, and registry names.

A preset directory holds ``config.json`` (the serialised detector),
``model.weights.h5`` and ``metadata.json``. A registry name resolves to the
converted preset cached under ``$KERAS_FACELM_HOME/presets/<name>``; on a cache
miss MMPose's checkpoint is downloaded (sha256-checked), converted with the
strict state-dict porter, and the preset written atomically, so an interrupted
download or conversion never leaves a half-written cache entry.
"""

from __future__ import annotations

import datetime
import json
import logging
import pathlib

import keras

from keras_facelm.models.presets import get_preset

__all__ = ["load_preset", "save_preset", "convert_checkpoint", "build_preset_model"]

_CONFIG, _WEIGHTS, _METADATA = "config.json", "model.weights.h5", "metadata.json"
log = logging.getLogger(__name__)


def _detector_classes():
    import keras_facelm.models as models

    return models.DETECTOR_CLASSES


def _resolve_name(preset, expected_cls):
    from keras_facelm.models.presets import PRESETS

    if preset in PRESETS:
        return preset
    prefix = getattr(expected_cls, "preset_prefix", "")
    if prefix and prefix + preset in PRESETS:
        return prefix + preset
    scoped = sorted(
        n[len(prefix):] for n in PRESETS if prefix and n.startswith(prefix)
    )
    hint = f" ({expected_cls.__name__} short names: {', '.join(scoped)})" if scoped else ""
    raise ValueError(
        f"{preset!r} is neither a preset directory nor a registered preset{hint}; "
        f"all presets: {', '.join(sorted(PRESETS))}"
    )


def _check_class(model_or_cls, expected_cls, source):
    cls = model_or_cls if isinstance(model_or_cls, type) else type(model_or_cls)
    if expected_cls is not None and not issubclass(cls, expected_cls):
        raise ValueError(
            f"{source} is a {cls.__name__} preset, not a {expected_cls.__name__}; "
            f"load it with keras_facelm.models.{cls.__name__}.from_preset or "
            "keras_facelm.models.from_preset"
        )


def build_preset_model(name, **overrides):
    """The (unweighted) detector a registered preset describes."""
    spec = get_preset(name)
    cls = _detector_classes()[spec.class_name]
    return cls(**{**dict(spec.model_kwargs), **overrides}, name=name)


def convert_checkpoint(name, checkpoint_path, **overrides):
    """Builds preset ``name`` and fills it from an MMPose ``.pth`` (0.x or 1.x keys).

    Raises:
        keras_facelm.convert.port.StateDictMismatchError: the checkpoint belongs to
            another architecture or keypoint count (names the keys).
        ValueError: the file is truncated, corrupt or not a checkpoint.
    """
    from keras_facelm.convert.port import load_state_dict
    from keras_facelm.convert.torch_checkpoint import load_state_dict as read_pth

    state_dict = read_pth(checkpoint_path)
    model = build_preset_model(name, **overrides)
    try:
        load_state_dict(model, state_dict, strict=True)
    except ValueError as e:
        raise type(e)(f"{checkpoint_path}: not a checkpoint of preset {name!r}: {e}") from None
    return model


def save_preset(model, preset_dir, *, metadata=None, overwrite=False):
    """Writes ``model`` as a preset directory, atomically (temp dir + rename).

    An existing non-empty ``preset_dir`` is refused (``OutputExistsError``, a
    ``FileExistsError``) unless ``overwrite=True``; an empty one is filled.
    """
    from keras_facelm.utils.atomic_write import write_directory

    with write_directory(preset_dir, overwrite=overwrite) as tmp:
        _write_preset_files(model, tmp, metadata)
    return pathlib.Path(preset_dir)


def _write_preset_files(model, tmp, metadata):
    from keras_facelm import __version__

    meta = {
        "keras_facelm_version": __version__,
        "keras_version": keras.__version__,
        "class_name": type(model).__name__,
        "saved": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **(metadata or {}),
    }
    config = keras.saving.serialize_keras_object(model)
    (tmp / _CONFIG).write_text(json.dumps(config, indent=2))
    model.save_weights(str(tmp / _WEIGHTS))
    (tmp / _METADATA).write_text(json.dumps(meta, indent=2))


def _load_dir(preset_dir, expected_cls):
    preset_dir = pathlib.Path(preset_dir)
    for f in (_CONFIG, _WEIGHTS):
        if not (preset_dir / f).is_file():
            raise FileNotFoundError(f"preset directory {preset_dir} has no {f}")
    _detector_classes()  # registers the serialisable classes
    try:
        config = json.loads((preset_dir / _CONFIG).read_bytes())
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"{preset_dir / _CONFIG} is not valid JSON: {e}") from None
    try:  # Keras raises many types on a damaged config
        model = keras.saving.deserialize_keras_object(config)
    except Exception as e:
        raise ValueError(
            f"{preset_dir / _CONFIG}: not a keras_facelm model config "
            f"({type(e).__name__}: {str(e)[:300]})"
        ) from None
    _check_class(model, expected_cls, f"preset directory {preset_dir}")
    try:
        model.load_weights(str(preset_dir / _WEIGHTS))
    except Exception as e:
        raise ValueError(
            f"{preset_dir / _WEIGHTS}: cannot load the weights "
            f"({type(e).__name__}: {str(e)[:300]})"
        ) from None
    return model


def load_preset(preset, *, expected_cls=None, checkpoint=None, **overrides):
    """See :meth:`keras_facelm.models.task.LandmarkTask.from_preset`."""
    from keras_facelm.models.task import LandmarkTask
    from keras_facelm.utils.download import (
        cache_dir,
        cache_directory,
        download,
        sha256_prefix_from_filename,
    )

    if expected_cls is LandmarkTask:
        expected_cls = None
    if pathlib.Path(str(preset)).is_dir():
        return _load_dir(preset, expected_cls)
    name = _resolve_name(str(preset), expected_cls)
    spec = get_preset(name)
    _check_class(_detector_classes()[spec.class_name], expected_cls, f"preset {name!r}")
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
        return _load_dir(cached, expected_cls)
    path = download(spec.checkpoint_url, sha256_prefix=spec.sha256_prefix)
    log.info("converting %s for preset %s", path, name)
    model = convert_checkpoint(name, path, **overrides)
    if not overrides:
        with cache_directory(cached) as tmp:  # first of concurrent converters wins
            _write_preset_files(model, tmp, {
                "preset": name, "source_checkpoint": spec.checkpoint_url,
                "mmpose_config": spec.mmpose_config,
            })  # fmt: skip
    return model
