"""``train``: run a recipe with ``model.fit``, resumably, and evaluate it as MMPose does.

The output folder of a run holds::

    run.json                  what was trained (recipe, dataset, seed, batch, epochs, ...)
    state/                    the latest resumable state (weights, optimizer, position)
    checkpoints/epoch_NNN.weights.h5   weights after every epoch
    checkpoints/best_weights.npz       weights of the best validation NME
                                       (``model.get_weights()`` order)
    logs/train.csv, logs/tensorboard/  per-epoch loss, learning rate and val NME
    preset/                   the final model (best-NME weights) as a preset directory
    metrics.json              test NME / FR / AUC per split, with the mean-shape baseline
    overlay.png               first test faces: ground truth red, predictions green

Resuming (``resume=True``) restores weights, optimizer state (including the
step counter that drives the LR schedule) and the position in the epoch, and
replays the same shuffled batches with the same augmentation draws
(:class:`~keras_facelm.data.pipeline.TopdownDataset` draws sample ``i`` of
epoch ``e`` from ``(seed, e, i)``), so a run killed mid-epoch and resumed ends
with the weights of an uninterrupted run.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import shutil
import time

import keras
import numpy as np

from keras_facelm.data.pipeline import TopdownDataset
from keras_facelm.data.records import DATASET_SCHEMES, load_records
from keras_facelm.training.mean_shape import MeanShapePredictor, check_keypoint_count
from keras_facelm.training.recipes import TEST_SPLITS, VAL_SPLIT, get_recipe

__all__ = ["train", "TrainingDiverged"]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message names the batch and checkpoint."""


class _BatchRange(keras.utils.PyDataset):
    """Batches ``start..`` of epoch ``epoch`` of a :class:`TopdownDataset`, pinned to it.

    Its ``on_epoch_end`` does nothing: the epoch is chosen by the trainer.
    """

    def __init__(self, dataset, epoch, start, **kwargs):
        super().__init__(**kwargs)
        self.dataset, self.start = dataset, int(start)
        dataset.set_epoch(epoch)

    def __len__(self):
        return len(self.dataset) - self.start

    def __getitem__(self, idx):
        return self.dataset[self.start + idx]


def _save_weights(model, path):
    """``model.get_weights()`` as an ``.npz`` (atomic).

    Keras's ``load_weights`` walks every attribute of the model and recurses
    without end once ``predict_landmarks`` has cached its landmark models (as
    validation does), so run-internal checkpoints use this plain format.
    """
    tmp = pathlib.Path(str(path) + ".tmp.npz")
    np.savez(tmp, *model.get_weights())
    os.replace(tmp, path)


def _load_weights(model, path):
    with np.load(path) as saved:
        values = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    if len(values) != len(model.weights):
        raise ValueError(
            f"{path}: {len(values)} arrays, the model has {len(model.weights)} weights"
        )
    model.set_weights(values)


def _write_json(path, data):
    tmp = pathlib.Path(str(path) + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


class _RunState(keras.callbacks.Callback):
    """Checkpoints, best-NME tracking, validation and NaN detection for one run.

    Args:
        output: run folder.
        train_data: the training :class:`TopdownDataset` (batch records for
            error messages).
        val: ``(records, every_n_epochs)`` or ``None``.
        checkpoint_every: also save the resumable state every N steps.
        state: the restored position (``epoch``, ``batch``, ``best_nme``...).
        epochs: total epochs of the run (the last one is always validated).
    """

    def __init__(self, output, train_data, val, checkpoint_every, state, epochs):
        super().__init__()
        self.epochs = int(epochs)
        self.output = pathlib.Path(output)
        self.train_data = train_data
        self.val = val
        self.checkpoint_every = checkpoint_every
        self.state = dict(state)
        self.batch_offset = 0
        self.epoch = state["epoch"]
        self.diverged = None

    # -- state on disk ------------------------------------------------------------
    def save_state(self, epoch, batch):
        weights = self.model.get_weights()
        if not all(np.all(np.isfinite(w)) for w in weights):
            return  # never overwrite the last good state with non-finite weights
        new, cur, old = (self.output / n for n in ("state.new", "state", "state.old"))
        shutil.rmtree(new, ignore_errors=True)
        new.mkdir()
        _save_weights(self.model, new / "model_weights.npz")
        opt = self.model.optimizer
        np.savez(new / "optimizer.npz",
                 *[keras.ops.convert_to_numpy(v) for v in opt.variables])  # fmt: skip
        self.state.update(epoch=int(epoch), batch=int(batch),
                          step=int(keras.ops.convert_to_numpy(opt.iterations)))  # fmt: skip
        _write_json(new / "state.json", self.state)
        shutil.rmtree(old, ignore_errors=True)
        if cur.exists():
            os.replace(cur, old)
        os.replace(new, cur)
        shutil.rmtree(old, ignore_errors=True)

    # -- callbacks ----------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = None if logs is None else logs.get("loss")
        index = self.batch_offset + batch
        if loss is not None and not math.isfinite(float(loss)):
            bs = self.train_data.batch_size
            records = self.train_data._order[index * bs : (index + 1) * bs].tolist()
            self.diverged = (self.epoch, index, records)
            self.model.stop_training = True
            return
        step = self.epoch * len(self.train_data) + index + 1
        if self.checkpoint_every and step % self.checkpoint_every == 0:
            self.save_state(self.epoch, index + 1)

    def on_epoch_end(self, epoch, logs=None):
        self.batch_offset = 0
        if self.diverged is not None:
            return
        logs = logs if logs is not None else {}
        opt = self.model.optimizer
        logs["learning_rate"] = float(keras.ops.convert_to_numpy(opt._get_current_learning_rate()))
        if self.val is not None:
            records, every = self.val
            if (epoch + 1) % every == 0 or epoch + 1 == self.epochs:
                from keras_facelm.evaluation import evaluate

                nme = float(evaluate(self.model, records, progress=False)["nme"])
                logs["val_nme"] = nme
                best = self.state.get("best_nme")
                if best is None or nme < best:
                    self.state.update(best_nme=nme, best_epoch=epoch + 1)
                    _save_weights(self.model, self.output / "checkpoints" / "best_weights.npz")
                print(f"epoch {epoch + 1}: val NME {nme:.5f} (best {self.state['best_nme']:.5f}"
                      f" at epoch {self.state['best_epoch']})")  # fmt: skip
        self.model.save_weights(self.output / "checkpoints" / f"epoch_{epoch + 1:03d}.weights.h5")
        self.save_state(epoch + 1, 0)


def _prepare_output(output, run, resume, overwrite):
    """Creates ``output`` or checks that it holds this run; returns the saved state."""
    output = pathlib.Path(output)
    run_file = output / "run.json"
    if output.exists() and any(output.iterdir()):
        saved = json.loads(run_file.read_text()) if run_file.exists() else None
        if overwrite:
            shutil.rmtree(output)
        elif saved is None:
            raise FileExistsError(
                f"output folder {output} is not empty and holds no run.json; "
                "choose another folder or pass overwrite=True (--overwrite)"
            )
        elif saved != run:
            diff = sorted(k for k in set(saved) | set(run) if saved.get(k) != run.get(k))
            raise FileExistsError(
                f"output folder {output} holds a different run (differs in {', '.join(diff)}); "
                "choose another folder or pass overwrite=True (--overwrite)"
            )
        elif not resume:
            raise FileExistsError(
                f"output folder {output} already holds this run; pass resume=True (--resume) "
                "to continue it or overwrite=True (--overwrite) to start again"
            )
    (output / "checkpoints").mkdir(parents=True, exist_ok=True)
    (output / "logs").mkdir(exist_ok=True)
    _write_json(run_file, run)
    for name in ("state", "state.old"):
        state_file = output / name / "state.json"
        if resume and state_file.exists():
            return json.loads(state_file.read_text()), output / name
    return {"epoch": 0, "batch": 0, "step": 0}, None


def _restore(model, state_dir):
    _load_weights(model, state_dir / "model_weights.npz")
    opt = model.optimizer
    opt.build(model.trainable_variables)
    with np.load(state_dir / "optimizer.npz") as saved:
        values = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    if len(values) != len(opt.variables):
        raise ValueError(f"{state_dir}: optimizer state does not match the model")
    for var, value in zip(opt.variables, values, strict=True):
        var.assign(value)


def _tensorboard(log_dir):
    """Keras's TensorBoard callback when ``tensorboard`` is installed (``[train]`` extra)."""
    import importlib.util

    if importlib.util.find_spec("tensorboard") is None:
        print("tensorboard is not installed (pip install tensorboard); "
              "logging to logs/train.csv only")  # fmt: skip
        return []
    return [keras.callbacks.TensorBoard(str(log_dir))]


def _distribution_scope(data_parallel):
    """A context for building and fitting with data parallelism, or a no-op."""
    import contextlib

    if not data_parallel:
        return contextlib.nullcontext()
    backend = keras.backend.backend()
    if backend == "jax":
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        return contextlib.nullcontext()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy().scope()
    raise ValueError(
        f"data_parallel is supported on the JAX and TensorFlow backends, not {backend}"
    )


def _drop_remainder(data_parallel, num_faces, batch_size):
    """Whether to drop the epoch's last batch: JAX's DataParallel shards every batch evenly.

    Raises:
        ValueError: ``batch_size`` is not a multiple of the device count.
    """
    if not data_parallel or keras.backend.backend() != "jax":
        return False
    devices = len(keras.distribution.list_devices())
    if batch_size % devices:
        raise ValueError(f"batch_size {batch_size} does not split over {devices} devices; "
                         f"give a multiple of {devices} with data_parallel")  # fmt: skip
    return num_faces % batch_size % devices != 0


def _resolve_pipeline(pipeline):
    """``"tf.data"`` or ``"pydataset"`` from ``train``'s ``pipeline`` argument.

    Raises:
        ValueError: an unknown name, or ``"tf.data"`` off the TensorFlow backend.
    """
    backend = keras.backend.backend()
    if pipeline == "auto":
        return "tf.data" if backend == "tensorflow" else "pydataset"
    if pipeline not in ("tf.data", "pydataset"):
        raise ValueError(f"pipeline must be 'auto', 'tf.data' or 'pydataset', got {pipeline!r}")
    if pipeline == "tf.data" and backend != "tensorflow":
        raise ValueError(f"pipeline 'tf.data' needs the TensorFlow backend, not {backend}; "
                         "use 'pydataset' (or 'auto')")  # fmt: skip
    return pipeline


def _epoch_batches(pipeline, train_data, epoch, first, workers):
    """Batches ``first..`` of ``epoch`` of ``train_data`` from ``pipeline`` (see ``train``)."""
    if pipeline == "pydataset":
        return _BatchRange(train_data, epoch, first, workers=workers)
    from keras_facelm.data.tf_pipeline import topdown_tf_dataset

    train_data.set_epoch(epoch)  # its shuffle order names the records of a diverged batch
    return topdown_tf_dataset(train_data, epoch, first, parallel_calls=workers)


def train(recipe, dataset=None, data_dir=None, output="runs/train", *, epochs=None,
          batch_size=None, resume=False, overwrite=False, mixed_precision=None,
          data_parallel=False, seed=0, workers=2, pipeline="auto", input_size=None,
          backbone_checkpoint=None, train_limit=None, test_limit=None,
          exact_crops=False, checkpoint_every=None, callbacks=(), verbose="auto"):  # fmt: skip
    """Trains ``recipe`` on ``dataset`` and writes the run into ``output``.

    Args:
        recipe: recipe name or :class:`~keras_facelm.training.recipes.Recipe`.
        dataset: TFDS name (default: the recipe's); ``synthetic_faces`` needs
            no ``data_dir``.
        data_dir: TFDS data directory the dataset was built into.
        output: run folder (see the module docstring).
        epochs: default the recipe's.
        batch_size: global batch; default the recipe's (MMPose's 8-GPU batch).
            The LR follows the linear scaling rule with the warm-up in samples.
        resume: continue the run saved in ``output``.
        overwrite: delete whatever ``output`` holds first.
        mixed_precision: ``None``, ``"mixed_float16"`` or ``"mixed_bfloat16"``.
        data_parallel: split each batch over all local devices
            (``keras.distribution.DataParallel`` on JAX, ``MirroredStrategy``
            on TensorFlow). On JAX the batch must be a multiple of the device
            count, and an epoch's last batch is dropped when it does not split
            evenly.
        seed: seed of weights, shuffling and augmentation.
        workers: data-loading threads (the PyDataset's workers, or tf.data's
            parallel calls).
        pipeline: the training input pipeline: ``"tf.data"``
            (:func:`~keras_facelm.data.tf_pipeline.topdown_tf_dataset`, TensorFlow
            backend only), ``"pydataset"`` (the ``TopdownDataset`` itself) or
            ``"auto"`` (tf.data on TensorFlow, the PyDataset elsewhere). Both
            yield the same batches for the same seed; ``metrics.json`` records
            the one used.
        input_size: square crop side (default the recipe's, 256 for MMPose's).
        backbone_checkpoint: ImageNet checkpoint for the backbone
            (``recipe.backbone_init`` names MMPose's).
        train_limit, test_limit: use only the first N faces of each split.
        exact_crops: MMPose's bit-exact OpenCV-4 crops (about 20x slower).
        checkpoint_every: also save the resumable state every N steps
            (default: every epoch only, and about every 1,000 steps).
        callbacks: extra Keras callbacks.
        verbose: ``model.fit`` verbosity (progress bar by default).

    Returns:
        The ``metrics.json`` content as a dict.

    Raises:
        ValueError: unknown recipe/dataset/pipeline, tf.data on a backend other
            than TensorFlow, or a dataset whose K differs from the recipe's.
        FileNotFoundError: missing data directory.
        FileExistsError: ``output`` holds another run (and no resume/overwrite).
        TrainingDiverged: NaN loss (names the batch; the last good state stays).
    """
    start = time.time()
    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    dataset = dataset or recipe.dataset
    if dataset not in DATASET_SCHEMES:
        raise ValueError(
            f"unknown dataset {dataset!r}; expected one of {', '.join(sorted(DATASET_SCHEMES))}"
        )
    from keras_facelm.data.schemes import get_scheme

    scheme = DATASET_SCHEMES[dataset]
    if get_scheme(scheme).num_keypoints != recipe.num_keypoints:
        raise ValueError(
            f"dataset {dataset!r} has {get_scheme(scheme).num_keypoints} keypoints "
            f"({scheme} scheme); recipe {recipe.name!r} trains a K={recipe.num_keypoints} model"
        )
    if mixed_precision not in (None, "mixed_float16", "mixed_bfloat16"):
        raise ValueError(f"mixed_precision must be mixed_float16 or mixed_bfloat16, "
                         f"got {mixed_precision!r}")  # fmt: skip
    pipeline = _resolve_pipeline(pipeline)
    epochs = int(epochs or recipe.epochs)
    batch_size = int(batch_size or recipe.batch_size)
    side = int(input_size or recipe.codec_config().get("input_size", (256, 256))[0])
    run = dict(recipe=recipe.name, dataset=dataset, data_dir=None if data_dir is None
               else str(pathlib.Path(data_dir).resolve()), epochs=epochs,
               batch_size=batch_size, input_size=side, seed=int(seed),
               mixed_precision=mixed_precision, train_limit=train_limit,
               exact_crops=bool(exact_crops))  # fmt: skip

    train_records = load_records(dataset, "train", data_dir=data_dir, limit=train_limit)
    val_records = load_records(dataset, VAL_SPLIT[dataset], data_dir=data_dir, limit=test_limit)
    check_keypoint_count(train_records, recipe.num_keypoints, f"{dataset} train")
    if not train_records:
        raise ValueError(f"dataset {dataset!r}: the train split is empty")
    drop_remainder = _drop_remainder(data_parallel, len(train_records), batch_size)
    state, state_dir = _prepare_output(output, run, resume, overwrite)
    output = pathlib.Path(output)

    previous_policy = keras.mixed_precision.global_policy()
    previous_distribution = keras.distribution.distribution()
    try:
        if mixed_precision:
            keras.mixed_precision.set_global_policy(mixed_precision)
        keras.utils.set_random_seed(int(seed))
        with _distribution_scope(data_parallel):
            model = recipe.build_model(input_size=side, backbone_checkpoint=backbone_checkpoint,
                                       seed=seed)  # fmt: skip
            # The model's codec states input size, heatmap size and sigma; the recipe says
            # which kind of target the loss takes.
            train_data = TopdownDataset(
                train_records, codec=recipe.target_codec(model), scheme=scheme, train=True,
                seed=seed,
                batch_size=batch_size, flip_prob=recipe.flip_prob,
                bbox_transform=dict(recipe.bbox_transform), opencv4_exact=exact_crops,
                drop_remainder=drop_remainder,
                workers=workers, use_multiprocessing=False,
            )  # fmt: skip
            steps = len(train_data)
            if checkpoint_every is None:
                checkpoint_every = 1000 if steps > 1000 else 0
            model.compile(
                optimizer=recipe.build_optimizer(steps_per_epoch=steps, batch_size=batch_size),
                loss=recipe.build_loss(),
            )
            if state_dir is not None:
                _restore(model, state_dir)
                print(f"resuming {output} at epoch {state['epoch'] + 1}, batch {state['batch']} "
                      f"(step {state['step']})")  # fmt: skip
            run_state = _RunState(output, train_data,
                                  (val_records, recipe.val_interval) if val_records else None,
                                  checkpoint_every, state, epochs)  # fmt: skip
            cbs = [
                run_state,
                keras.callbacks.CSVLogger(str(output / "logs" / "train.csv"), append=True),
                *_tensorboard(output / "logs" / "tensorboard"),
                *callbacks,
            ]
            # One fit call per epoch over a view pinned to that epoch: Keras starts
            # prefetching the next epoch's batches before it calls the dataset's
            # on_epoch_end, so an epoch counter inside the dataset would race.
            for epoch in range(int(state["epoch"]), epochs):
                first = int(state["batch"]) if epoch == int(state["epoch"]) else 0
                run_state.batch_offset = first
                if verbose:
                    print(f"epoch {epoch + 1}/{epochs}" + (f" from batch {first}" if first else ""))
                view = _epoch_batches(pipeline, train_data, epoch, first, workers)
                # shuffle=False: the dataset shuffles itself per epoch from the seed;
                # Keras's own batch shuffle would be unseeded and change on resume.
                model.fit(view, initial_epoch=epoch, epochs=epoch + 1, callbacks=cbs,
                          shuffle=False, verbose=verbose)  # fmt: skip
                if run_state.diverged is not None:
                    break
            if run_state.diverged is not None:
                e, b, records = run_state.diverged
                raise TrainingDiverged(
                    f"loss became NaN/inf at epoch {e + 1}, batch {b} (0-based; training "
                    f"records {records[:8]}{' ...' if len(records) > 8 else ''}); training "
                    f"stopped, the last good state is kept in {output / 'state'}"
                )
            best = output / "checkpoints" / "best_weights.npz"
            if best.exists():
                _load_weights(model, best)
            metrics = _final_metrics(model, recipe, dataset, data_dir, train_records,
                                     test_limit, run_state.state, output)  # fmt: skip
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
        keras.distribution.set_distribution(previous_distribution)
    model.save_to_preset(output / "preset")
    metrics.update(run, backend=keras.backend.backend(), pipeline=pipeline, steps_per_epoch=steps,
                   seconds=round(time.time() - start, 1))  # fmt: skip
    _write_json(output / "metrics.json", metrics)
    print(f"wrote {output}/metrics.json, preset/ and checkpoints/")
    return metrics


def _write_overlay(path, records, result, count=8, side=256):
    """The first ``count`` test faces, cropped, ground truth red and predictions green."""
    from keras_facelm.data.pipeline import prepare_record
    from keras_facelm.data.transforms import warp_to_crop
    from keras_facelm.inference.drawing import prediction_grid, write_image

    crops, predicted, truth = [], [], []
    for i, record in enumerate(records[:count]):
        face = prepare_record(record, index=i)
        box = (face["center"], face["bbox_scale"], 0.0, (side, side))
        crop, gt = warp_to_crop(face["image"], result["gt_keypoints"][i], *box,
                                opencv4_exact=False)  # fmt: skip
        crops.append(crop)
        truth.append(gt)
        predicted.append(warp_to_crop(face["image"], result["keypoints"][i], *box,
                                      opencv4_exact=False)[1])  # fmt: skip
    write_image(path, prediction_grid(crops, predicted, truth))


def _final_metrics(model, recipe, dataset, data_dir, train_records, test_limit, state, output):
    """Test NME/FR/AUC per split (flip test per the model's test_cfg) and baselines.

    Also draws ``overlay.png``: the first test split's first faces with predictions.
    """
    from keras_facelm.evaluation import evaluate

    baseline = MeanShapePredictor(train_records, model.scheme, model.image_size)
    splits = {}
    for label, split in TEST_SPLITS[dataset].items():
        try:
            records = load_records(dataset, split, data_dir=data_dir, limit=test_limit)
        except ValueError as err:  # a split this build lacks
            print(f"skipping split {split!r}: {err}")
            continue
        if not records:
            continue
        result = evaluate(model, records, progress=True)
        if not splits:
            _write_overlay(output / "overlay.png", records, result)
        base = evaluate(baseline, records, progress=False)
        splits[label] = {
            "split": split, "num_faces": len(records), "nme": float(result["nme"]),
            "failure_rate": float(result["failure_rate"]), "auc": float(result["auc"]),
            "baseline_nme": float(base["nme"]),
        }  # fmt: skip
        print(f"{label}: NME {result['nme']:.5f} (mean-shape baseline {base['nme']:.5f}), "
              f"FR@0.1 {result['failure_rate']:.4f}, AUC@0.1 {result['auc']:.4f}")  # fmt: skip
    return {
        "splits": splits,
        "weights": "best" if state.get("best_nme") is not None else "final",
        "best_val_nme": state.get("best_nme"),
        "best_epoch": state.get("best_epoch"),
        "flip_test": bool(model.test_cfg.get("flip_test", False)),
        "fr_auc_threshold": 0.1,
    }
