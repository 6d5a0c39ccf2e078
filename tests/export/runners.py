"""Run exported files in their runtimes (LiteRT, onnxruntime, TensorFlow) for tests."""

from __future__ import annotations

import numpy as np


def run_litert(path, images):
    """Outputs for ``images``, fed in chunks of the file's batch (1 by default for LiteRT)."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    batch = int(interpreter.get_input_details()[0]["shape_signature"][0])
    runner = interpreter.get_signature_runner("serving_default")
    step = len(images) if batch < 1 else batch
    chunks = [runner(images=images[i : i + step]) for i in range(0, len(images), step)]
    return {k: np.concatenate([np.asarray(c[k]) for c in chunks]) for k in chunks[0]}


def run_onnx(path, images):
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"images": images}), strict=True))


def run_saved_model(path, images):
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    return {k: v.numpy() for k, v in serve(images=tf.constant(images)).items()}


RUNNERS = {"litert": run_litert, "onnx": run_onnx, "tf_saved_model": run_saved_model}


def tensor_types_by_operator(model_bytes: bytes) -> dict[str, set[str]]:
    """``{operator: {tensor type of its inputs and outputs}}`` over the main subgraph,
    e.g. ``{"CONV_2D": {"INT8", "INT32"}, "REVERSE_V2": {"FLOAT32", "INT32"}}``."""
    from ai_edge_litert import schema_py_generated as schema

    from keras_facelm.export.tflite_ops import operator_sequence

    types = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    graph = schema.Model.GetRootAs(model_bytes, 0).Subgraphs(0)
    out: dict[str, set[str]] = {}
    for i, name in enumerate(operator_sequence(model_bytes)[: graph.OperatorsLength()]):
        op = graph.Operators(i)
        tensors = [op.Inputs(j) for j in range(op.InputsLength())]
        tensors += [op.Outputs(j) for j in range(op.OutputsLength())]
        out.setdefault(name, set()).update(
            types[graph.Tensors(t).Type()] for t in tensors if t >= 0
        )
    return out


SUFFIX = {"litert": ".tflite", "onnx": ".onnx", "tf_saved_model": ""}


def keypoint_error(out, ref):
    """Largest keypoint distance component (input px) and score difference."""
    kp = np.abs(np.asarray(out["keypoints"]) - ref["keypoints"]).max()
    sc = np.abs(np.asarray(out["scores"]) - ref["scores"]).max()
    return float(kp), float(sc)
