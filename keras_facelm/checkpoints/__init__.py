"""MMPose checkpoints: a safe ``.pth`` reader and the by-name porter onto Keras models.

* :func:`read_state_dict` (:mod:`~keras_facelm.checkpoints.torch_reader`): a
  PyTorch ``.pth`` (zip or legacy serialisation) → ``{key: numpy array}``,
  without PyTorch and without executing code from the file.
* :func:`port_state_dict` (:mod:`~keras_facelm.checkpoints.porting`): copies
  such a state dict (MMPose 0.x or 1.x keys) into a model's variables, strictly.
"""

from keras_facelm.checkpoints.porting import StateDictMismatchError, port_state_dict
from keras_facelm.checkpoints.torch_reader import read_state_dict

__all__ = ["StateDictMismatchError", "port_state_dict", "read_state_dict"]
