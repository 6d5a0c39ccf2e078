"""Reading a ``.tflite`` flatbuffer: its operators, and its embedded facts.

Needs only ``ai_edge_litert``'s generated flatbuffer schema (and the
``flatbuffers`` package it uses), no TensorFlow, so tests and the runtime can
both use it.
"""

from __future__ import annotations

__all__ = [
    "METADATA_NAME",
    "embed_metadata",
    "operator_sequence",
    "output_tensor_names",
    "read_metadata",
    "tflite_operators",
]

#: Name of the TFLite metadata entry holding the sidecar JSON.
METADATA_NAME = "keras_facelm"


def _schema():
    from ai_edge_litert import schema_py_generated

    return schema_py_generated


def operator_sequence(model_bytes: bytes) -> list[str]:
    """The operator of every node of a ``.tflite`` model, in order, all subgraphs.

    Built-in operators by their ``BuiltinOperator`` name (``"CONV_2D"``);
    custom operators (Flex ops included, whose custom code starts with
    ``"Flex"``) as ``"CUSTOM:<code>"``.
    """
    schema = _schema()
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    model = schema.Model.GetRootAs(model_bytes, 0)
    codes = []
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        # builtin codes above 127 live in BuiltinCode; DeprecatedBuiltinCode caps at 127
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin == schema.BuiltinOperator.CUSTOM:
            codes.append("CUSTOM:" + code.CustomCode().decode())
        else:
            codes.append(names.get(builtin, f"BUILTIN_{builtin}"))
    sequence = []
    for s in range(model.SubgraphsLength()):
        graph = model.Subgraphs(s)
        sequence += [
            codes[graph.Operators(i).OpcodeIndex()] for i in range(graph.OperatorsLength())
        ]
    return sequence


def tflite_operators(model_bytes: bytes) -> set[str]:
    """Names of the operators a ``.tflite`` model uses (see :func:`operator_sequence`)."""
    return set(operator_sequence(model_bytes))


def embed_metadata(model_bytes: bytes, text: str) -> bytes:
    """The model with ``text`` (UTF-8) added as TFLite metadata ``keras_facelm``.

    TFLite files carry named metadata buffers (``Model.metadata``); runtimes
    ignore names they do not know, so the model runs unchanged.
    """
    import flatbuffers

    schema = _schema()
    model = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    buffer = schema.BufferT()
    buffer.data = list(text.encode("utf-8"))
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name != METADATA_NAME.encode()]
    model.metadata.append(entry)
    builder = flatbuffers.Builder(len(model_bytes) + len(text) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def read_metadata(model_bytes: bytes) -> str | None:
    """The ``keras_facelm`` metadata text of a ``.tflite`` model, or ``None``."""
    schema = _schema()
    model = schema.Model.GetRootAs(model_bytes, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == METADATA_NAME.encode():
            return model.Buffers(entry.Buffer()).DataAsNumpy().tobytes().decode("utf-8")
    return None


def output_tensor_names(model_bytes: bytes, *, model_outputs: bool = False) -> list[str]:
    """Output tensor names of the operators of a ``.tflite`` model (all subgraphs).

    These are the "node" names TFLite's quantizer accepts in ``denylisted_nodes``;
    they carry the Keras layer path (``.../decode_1/Max``), except for the ops
    producing the model's outputs, which are named after the signature
    (``StatefulPartitionedCall:1``). ``model_outputs=True`` returns only those.
    """
    schema = _schema()
    model = schema.Model.GetRootAs(model_bytes, 0)
    if model_outputs:
        graph = model.Subgraphs(0)
        return [
            graph.Tensors(graph.Outputs(j)).Name().decode() for j in range(graph.OutputsLength())
        ]
    names = []
    for s in range(model.SubgraphsLength()):
        graph = model.Subgraphs(s)
        for i in range(graph.OperatorsLength()):
            op = graph.Operators(i)
            names += [
                graph.Tensors(op.Outputs(j)).Name().decode() for j in range(op.OutputsLength())
            ]
    return names
