"""Writing exports without half-written results: temporary names, then rename."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import tempfile

from keras_facelm.export.sidecar import sidecar_path

__all__ = ["staged_export"]


@contextlib.contextmanager
def staged_export(path: pathlib.Path, *, is_dir: bool, overwrite: bool):
    """Yields ``(tmp_model_path, write_sidecar)``; renames both into place on success.

    The model is written to a hidden sibling of ``path`` with the same suffix
    (converters check suffixes) and the sidecar dict passed to
    ``write_sidecar`` is kept in memory; only when the block ends without an
    exception are the model and then ``<path>.json`` renamed into place. On an
    exception nothing is left behind and an existing export stays as it was.
    """
    path = pathlib.Path(path)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp_model = tmp / ("saved_model" if is_dir else f"model{path.suffix}")
    facts = {}
    try:
        yield tmp_model, facts.update
        if not tmp_model.exists():
            raise RuntimeError(f"{path}: the exporter wrote no file")
        tmp_json = tmp / "sidecar.json"
        tmp_json.write_text(json.dumps(facts, indent=2) + "\n")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it")
        if path.is_dir():
            shutil.rmtree(path)
        os.replace(tmp_model, path)
        os.replace(tmp_json, sidecar_path(path))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
