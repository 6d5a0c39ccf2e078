"""Apache Beam ``RunInference`` handler: image paths in, landmark JSON records out.

.. code-block:: python

    import apache_beam as beam
    from apache_beam.ml.inference.base import RunInference
    from keras_facelm.beam import FaceLandmarkerModelHandler

    with beam.Pipeline() as p:
        (p | beam.io.MatchFiles("gs://bucket/photos/*.jpg")
           | beam.Map(lambda m: m.path)
           | RunInference(FaceLandmarkerModelHandler("hrnetv2_w18_wflw"))
           | beam.Map(json.dumps)
           | beam.io.WriteToText("gs://bucket/out/landmarks", file_name_suffix=".jsonl"))

Each worker builds one :class:`~keras_facelm.inference.FaceLandmarker`
(``load_model``) and landmarks batches of paths (all faces of a batch share
forward passes). Files are read through Beam's ``FileSystems``, so local, GCS
and S3 paths work on the DirectRunner, Dataflow, Flink or Spark alike. The
output of each path is the record ``keras-facelm predict`` writes
(:meth:`~keras_facelm.inference.ImageResult.to_json`); a path that cannot be
read gives a record with an ``error`` field and no faces, and the pipeline goes
on. Needs ``apache-beam`` (``pip install keras-facelm[beam]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from apache_beam.io.filesystems import FileSystems
from apache_beam.ml.inference.base import ModelHandler

__all__ = ["FaceLandmarkerModelHandler"]


def _read(path: str):
    """The file's bytes, or the exception that stopped reading them."""
    try:
        with FileSystems.open(path) as f:
            return f.read()
    except Exception as e:  # noqa: BLE001 - Beam's filesystems raise many types
        return FileNotFoundError(f"image file {path!r} cannot be read ({type(e).__name__})")


class FaceLandmarkerModelHandler(ModelHandler):
    """``ModelHandler[str, dict, FaceLandmarker]`` for ``RunInference``.

    Args:
        model: a preset name or directory, or an exported model file (a string:
            the handler is pickled to the workers); ignored when ``factory`` is given.
        detector: the detector name (``"default"``: BlazeFace full range).
        factory: optional picklable callable returning a ready
            :class:`~keras_facelm.inference.FaceLandmarker` (e.g. to pass a
            custom predictor).
        min_batch_size, max_batch_size: paths per ``run_inference`` call.
        **landmarker_kwargs: passed to ``FaceLandmarker``.
    """

    def __init__(
        self,
        model: str | None = None,
        detector: str = "default",
        *,
        factory: Callable | None = None,
        min_batch_size: int = 1,
        max_batch_size: int = 16,
        **landmarker_kwargs,
    ):
        if model is None and factory is None:
            raise ValueError("FaceLandmarkerModelHandler needs a model (preset name) or a factory")
        super().__init__(min_batch_size=min_batch_size, max_batch_size=max_batch_size)
        self._model, self._detector, self._factory = model, detector, factory
        self._landmarker_kwargs = landmarker_kwargs

    def load_model(self):
        if self._factory is not None:
            return self._factory()
        from keras_facelm.inference import FaceLandmarker

        return FaceLandmarker(self._model, self._detector, **self._landmarker_kwargs)

    def run_inference(self, batch: Sequence[str], model, inference_args=None) -> Iterable[dict]:
        paths = [str(p) for p in batch]
        data = [_read(p) for p in paths]
        readable = [i for i, d in enumerate(data) if isinstance(d, bytes)]
        results = model.detect([data[i] for i in readable], names=[paths[i] for i in readable])
        records = {i: r.to_json() for i, r in zip(readable, results, strict=True)}
        for i, d in enumerate(data):
            if i not in records:
                records[i] = {
                    "image": paths[i],
                    "width": None,
                    "height": None,
                    "scheme": model.scheme.name,
                    "faces": [],
                    "error": str(d),
                }
        return [records[i] for i in range(len(paths))]

    def get_num_bytes(self, batch: Sequence[str]) -> int:
        return sum(len(str(p)) for p in batch)

    def get_metrics_namespace(self) -> str:
        return "keras_facelm"
