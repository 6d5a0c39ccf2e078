"""``train`` under mixed precision and split over several devices.

Data parallelism is tested on CPU: JAX gets two host devices from
``XLA_FLAGS=--xla_force_host_platform_device_count=2``, which must be set
before JAX starts, so that run happens in a subprocess. The runs use
``synthetic_quick`` on a few faces at 64x64 crops (slow: model builds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from keras_facelm.training.trainer import train
from tests.conftest import REPO
from tests.training.test_trainer import SMALL, _final_weights

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_run_trains_and_restores_the_policy(tmp_path, policy):
    metrics = train("synthetic_quick", output=tmp_path / "run", mixed_precision=policy,
                    **{**SMALL, "epochs": 1})  # fmt: skip
    assert keras.mixed_precision.global_policy().name == "float32"
    assert metrics["mixed_precision"] == policy
    assert np.isfinite(metrics["splits"]["test"]["nme"])
    # Weights stay float32 (the policy's variable dtype); they moved and are finite.
    weights = _final_weights(tmp_path / "run")
    assert all(w.dtype == np.float32 and np.isfinite(w).all() for w in weights)


_DATA_PARALLEL_RUN = textwrap.dedent(
    """
    import json, sys
    import jax
    from keras_facelm.training.trainer import train
    from tests.training.test_trainer import SMALL
    assert len(jax.devices()) == 2, jax.devices()
    out, parallel = sys.argv[1], sys.argv[2] == "1"
    train("synthetic_quick", output=out, data_parallel=parallel, **{**SMALL, "epochs": 1})
    if parallel:  # 21 faces: the last batch of 5 does not split over 2 devices and is dropped
        train("synthetic_quick", output=out + "_odd", data_parallel=True,
              **{**SMALL, "epochs": 1, "train_limit": 21})
        try:
            train("synthetic_quick", output=out + "_bad", data_parallel=True,
                  **{**SMALL, "batch_size": 7})
        except ValueError as err:
            assert "batch_size 7 does not split over 2 devices" in str(err), err
        else:
            raise AssertionError("batch 7 on 2 devices was accepted")
    """
)


def test_jax_data_parallel_on_two_devices_equals_one_device(tmp_path):
    """Keras's ``DataParallel`` splits each batch over two CPU devices.

    JAX computes the step as one SPMD program over the global batch (BatchNorm
    statistics included), so the weights after an epoch equal a one-device
    run's up to float32 summation order. A last batch that does not split over
    the devices is dropped; a batch size that is not a multiple of the device
    count is refused before anything is written.
    """
    if keras.backend.backend() != "jax":
        pytest.skip("keras.distribution.DataParallel is the JAX path")
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
    }
    for name, parallel in (("one", "0"), ("two", "1")):
        subprocess.run(
            [sys.executable, "-c", _DATA_PARALLEL_RUN, str(tmp_path / name), parallel],
            check=True, cwd=REPO, env=env, timeout=900,
        )  # fmt: skip
    assert json.loads((tmp_path / "two_odd" / "metrics.json").read_text())["steps_per_epoch"] == 2
    assert not (tmp_path / "two_bad").exists()
    for a, b in zip(_final_weights(tmp_path / "one"), _final_weights(tmp_path / "two"),
                    strict=True):  # fmt: skip
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
