"""Learning-rate schedules equal to MMPose's ``param_scheduler`` of the face configs.

Every MMPose face config composes two mmengine schedulers
(``mmengine/optim/scheduler/lr_scheduler.py``):

* ``LinearLR(start_factor=0.001, begin=0, end=500, by_epoch=False)``: a warm-up
  over optimizer steps. mmengine sets ``total_iters = end - begin - 1`` (499), so
  the step with 0-based index ``t`` runs at
  ``start + (1 - start) * min(t, 499) / 499`` times the base LR (the full LR
  from step 499 on);
* ``MultiStepLR(milestones, gamma=0.1, begin=0, end=E, by_epoch=True)``: after
  every finished epoch ``e`` (1-based count) that is a milestone and ``< E``,
  the LR is multiplied by ``gamma``; a milestone at or beyond ``end`` never
  fires (COFW's config has ``end=50`` with milestones 40 and 55).

mmengine's ``ParamSchedulerHook`` steps iteration schedulers after every
iteration and epoch schedulers after every epoch; both update the LR
multiplicatively, so the LR of step ``t`` in epoch ``e = t // steps_per_epoch``
is ``base_lr * warmup(t) * gamma ** #{m in milestones: m <= e and m < end}``.

MMPose trained with 8 GPUs (a global batch of 512, 256 for COCO-WholeBody-Face).
With another global batch ``B`` the schedule follows the linear scaling rule
(mmengine's ``auto_scale_lr``: ``base_lr * B / reference_batch``) and keeps the
warm-up's length in **samples**: it lasts ``ceil(500 * reference_batch / B)``
steps (4,000 at batch 64 for a reference of 512), the mmengine schedule one
would configure for that batch. Milestones stay in epochs.
"""

from __future__ import annotations

import dataclasses
import math

import keras
from keras import ops

__all__ = ["MultiStepWarmup", "WarmupMultiStepSchedule", "mmpose_steps_per_epoch"]


def mmpose_steps_per_epoch(num_samples, batch_per_gpu, num_gpus=8):
    """Iterations per epoch of MMPose's ``DefaultSampler`` (``round_up=True``).

    Each of ``num_gpus`` ranks gets ``ceil(num_samples / num_gpus)`` samples and
    ``drop_last`` is False, so an epoch is ``ceil(ceil(N / gpus) / batch)``
    iterations (15 for WFLW's 7,500 faces at 8 x 64).
    """
    per_rank = math.ceil(int(num_samples) / int(num_gpus))
    return math.ceil(per_rank / int(batch_per_gpu))


@dataclasses.dataclass(frozen=True)
class MultiStepWarmup:
    """An MMPose ``LinearLR`` warm-up + ``MultiStepLR`` decay, as plain data.

    Attributes:
        base_lr: the optimizer's ``lr`` at ``reference_batch``.
        milestones: epochs (1-based count of finished epochs) after which the LR
            is multiplied by ``gamma``.
        gamma: decay factor.
        decay_end: ``MultiStepLR``'s ``end`` (epochs); milestones ``>= decay_end``
            never fire.
        warmup_iters: ``LinearLR``'s ``end`` (iterations at ``reference_batch``).
        warmup_start_factor: ``LinearLR``'s ``start_factor``.
        reference_batch: the global batch of MMPose's run (GPUs x batch per GPU).
    """

    base_lr: float
    milestones: tuple[int, ...]
    gamma: float = 0.1
    decay_end: int = 60
    warmup_iters: int = 500
    warmup_start_factor: float = 0.001
    reference_batch: int = 512

    def _check(self, steps_per_epoch, batch_size):
        if int(steps_per_epoch) <= 0:
            raise ValueError(f"steps_per_epoch must be positive, got {steps_per_epoch!r}")
        if int(batch_size) <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size!r}")

    def scaled_base_lr(self, batch_size):
        """``base_lr * batch_size / reference_batch`` (linear scaling rule)."""
        return self.base_lr * int(batch_size) / self.reference_batch

    def warmup_steps(self, batch_size):
        """Warm-up length in steps at ``batch_size``: the same number of samples."""
        return math.ceil(self.warmup_iters * self.reference_batch / int(batch_size))

    def effective_milestones(self):
        """The milestones that fire (those before ``decay_end``)."""
        return tuple(m for m in self.milestones if m < self.decay_end)

    def learning_rate(self, iteration, *, steps_per_epoch, batch_size):
        """LR (float) of the optimizer step with 0-based index ``iteration``."""
        self._check(steps_per_epoch, batch_size)
        t = int(iteration)
        if t < 0:
            raise ValueError(f"iteration must be >= 0, got {iteration!r}")
        total = self.warmup_steps(batch_size) - 1
        s = self.warmup_start_factor
        warm = s + (1.0 - s) * min(t, total) / total if total > 0 else 1.0
        epoch = t // int(steps_per_epoch)
        decays = sum(1 for m in self.effective_milestones() if m <= epoch)
        return self.scaled_base_lr(batch_size) * warm * self.gamma**decays

    def keras_schedule(self, *, steps_per_epoch, batch_size):
        """This schedule as a :class:`WarmupMultiStepSchedule` for an optimizer."""
        self._check(steps_per_epoch, batch_size)
        return WarmupMultiStepSchedule(
            base_lr=self.scaled_base_lr(batch_size),
            warmup_steps=self.warmup_steps(batch_size),
            warmup_start_factor=self.warmup_start_factor,
            steps_per_epoch=int(steps_per_epoch),
            milestones=self.effective_milestones(),
            gamma=self.gamma,
        )

    def describe(self):
        """One line for logs and recipe docs."""
        ms = ", ".join(str(m) for m in self.milestones)
        return (
            f"lr {self.base_lr:g} at global batch {self.reference_batch} (linear scaling), "
            f"linear warm-up x{self.warmup_start_factor:g} over {self.warmup_iters} iterations "
            f"({self.warmup_iters * self.reference_batch:,} samples), x{self.gamma:g} after "
            f"epochs [{ms}] (decay end {self.decay_end})"
        )


@keras.saving.register_keras_serializable(package="keras_facelm")
class WarmupMultiStepSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up then step decay per epoch; works on every Keras backend.

    ``lr(t) = base_lr * (s + (1 - s) * min(t, W - 1) / (W - 1)) *
    gamma ** #{m in milestones: m <= t // steps_per_epoch}`` for the optimizer
    step with 0-based index ``t`` (Keras passes ``optimizer.iterations``).

    Args:
        base_lr: peak LR (already scaled to the global batch).
        warmup_steps: ``W``, warm-up length in optimizer steps (mmengine's
            ``LinearLR`` ``end``); ``1`` or less disables it.
        warmup_start_factor: ``s``.
        steps_per_epoch: optimizer steps per epoch.
        milestones: epochs after which the LR is multiplied by ``gamma``.
        gamma: decay factor.
    """

    def __init__(
        self, base_lr, warmup_steps, warmup_start_factor, steps_per_epoch, milestones, gamma=0.1
    ):
        self.base_lr = float(base_lr)
        self.warmup_steps = int(warmup_steps)
        self.warmup_start_factor = float(warmup_start_factor)
        self.steps_per_epoch = int(steps_per_epoch)
        self.milestones = tuple(int(m) for m in milestones)
        self.gamma = float(gamma)

    def __call__(self, step):
        t = ops.cast(step, "float32")
        total = float(max(self.warmup_steps - 1, 0))
        s = self.warmup_start_factor
        if total > 0:
            warm = s + (1.0 - s) * ops.minimum(t, total) / total
        else:
            warm = ops.ones_like(t)
        epoch = ops.floor(t / float(self.steps_per_epoch))
        decay = ops.ones_like(t)
        for m in self.milestones:
            decay = decay * ops.where(epoch >= float(m), self.gamma, 1.0)
        return self.base_lr * warm * decay

    def get_config(self):
        return {
            "base_lr": self.base_lr,
            "warmup_steps": self.warmup_steps,
            "warmup_start_factor": self.warmup_start_factor,
            "steps_per_epoch": self.steps_per_epoch,
            "milestones": list(self.milestones),
            "gamma": self.gamma,
        }
