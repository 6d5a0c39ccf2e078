"""Training MMPose's way: recipes, schedules equal to mmengine's, the train loop.

``get_recipe(name)`` / ``list_recipes()`` give one :class:`Recipe` per model-zoo
row (named like its preset) plus ``synthetic_quick``; ``train(...)`` runs one.
"""

from keras_facelm.training.optimizers import TorchAdam
from keras_facelm.training.recipes import RECIPES, Recipe, get_recipe, list_recipes
from keras_facelm.training.schedules import (
    MultiStepWarmup,
    WarmupMultiStepSchedule,
    mmpose_steps_per_epoch,
)

__all__ = [
    "RECIPES",
    "MultiStepWarmup",
    "Recipe",
    "TorchAdam",
    "WarmupMultiStepSchedule",
    "get_recipe",
    "list_recipes",
    "mmpose_steps_per_epoch",
]
