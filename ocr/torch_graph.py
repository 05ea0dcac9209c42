"""An ONNX graph run in PyTorch, its weights trainable, and written back into the same graph.

Why not a converter (onnx2torch): it imports torchvision, which PyPI's build does not
load beside the CPU build of torch this project installs, and a converted model has to be
exported back, a second translation that rapidocr must then accept. Here the graph the
wheel ships is kept as it is: each node is run by the torch function of the same meaning,
each float initializer is a parameter under its own ONNX name, and after training the
values go back into the original graph's initializers. The model rapidocr loads is the
shipped one, node for node, with other numbers in it.

Only the operators the PP-OCR recognisers use are implemented (opset 11 semantics); an
unknown operator is named in the error.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

Op = Callable[[onnx.NodeProto, list], list]


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _same_upper(x: torch.Tensor, kernel: list[int], strides: list[int],
                value: float = 0.0) -> torch.Tensor:
    """Pads as ONNX's auto_pad=SAME_UPPER does: the output is ceil(input / stride), the
    extra pixel of an odd padding going at the end (bottom, right)."""
    pads = []
    for size, k, s in zip(reversed(x.shape[2:]), reversed(kernel), reversed(strides),
                          strict=True):
        total = max((math.ceil(size / s) - 1) * s + k - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads, value=value)


def _explicit(x: torch.Tensor, pads: list[int], value: float = 0.0) -> torch.Tensor:
    """ONNX pads [x1_begin, x2_begin, x1_end, x2_end] applied to the spatial axes."""
    half = len(pads) // 2
    torch_pads = []
    for axis in reversed(range(half)):
        torch_pads += [pads[axis], pads[axis + half]]
    return F.pad(x, torch_pads, value=value) if any(pads) else x


def _conv(node, x):
    a = _attrs(node)
    data, weight = x[0], x[1]
    bias = x[2] if len(x) > 2 else None
    kernel = list(weight.shape[2:])
    strides = a.get("strides", [1] * len(kernel))
    if a.get("auto_pad", b"NOTSET") in (b"SAME_UPPER", "SAME_UPPER"):
        data = _same_upper(data, kernel, strides)
    else:
        data = _explicit(data, a.get("pads", [0] * 2 * len(kernel)))
    return [F.conv2d(data, weight, bias, stride=strides, dilation=a.get("dilations", 1),
                     groups=a.get("group", 1))]


def _pool(node, x, kind: str):
    a = _attrs(node)
    kernel, strides = a["kernel_shape"], a.get("strides", [1, 1])
    data = x[0]
    if a.get("auto_pad", b"NOTSET") in (b"SAME_UPPER", "SAME_UPPER"):
        data = _same_upper(data, kernel, strides, -math.inf if kind == "max" else 0.0)
        pads = [0, 0]
    else:
        explicit = a.get("pads", [0, 0, 0, 0])
        if explicit[:2] != explicit[2:]:
            data = _explicit(data, explicit, -math.inf if kind == "max" else 0.0)
            pads = [0, 0]
        else:
            pads = explicit[:2]
    ceil = bool(a.get("ceil_mode", 0))
    if kind == "max":
        return [F.max_pool2d(data, kernel, strides, pads, ceil_mode=ceil)]
    return [F.avg_pool2d(data, kernel, strides, pads, ceil_mode=ceil,
                         count_include_pad=bool(a.get("count_include_pad", 0)))]


def _softmax(node, x):
    """Opset 11's Softmax: the input seen as 2-D, split at `axis`."""
    axis = _attrs(node).get("axis", 1)
    data = x[0]
    axis = axis % data.dim()
    if axis == data.dim() - 1:
        return [torch.softmax(data, -1)]
    flat = data.reshape(*data.shape[:axis], -1)
    return [torch.softmax(flat, -1).reshape(data.shape)]


def _slice(node, x):
    data, starts, ends = x[0], x[1].tolist(), x[2].tolist()
    axes = x[3].tolist() if len(x) > 3 else list(range(len(starts)))
    steps = x[4].tolist() if len(x) > 4 else [1] * len(starts)
    index = [slice(None)] * data.dim()
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        size = data.shape[axis]
        end = min(end, size) if end >= 0 else end
        index[axis] = slice(start, end, step)
    return [data[tuple(index)]]


def _reshape(_node, x):
    data, shape = x[0], [int(v) for v in x[1].tolist()]
    shape = [data.shape[i] if v == 0 else v for i, v in enumerate(shape)]
    return [data.reshape(shape)]


def _batch_norm(node, x):
    data, scale, bias, mean, var = x
    # running statistics stay as shipped: a fine-tune on a few thousand lines in small
    # batches would only make them noisier
    return [F.batch_norm(data, mean, var, scale, bias, training=False,
                         eps=_attrs(node).get("epsilon", 1e-5))]


def _reduce_mean(node, x):
    a = _attrs(node)
    return [x[0].mean(dim=a["axes"], keepdim=bool(a.get("keepdims", 1)))]


def _squeeze(node, x):
    axes = _attrs(node).get("axes")
    data = x[0]
    if axes is None:
        return [data.squeeze()]
    for axis in sorted((a % data.dim() for a in axes), reverse=True):
        data = data.squeeze(axis)
    return [data]


def _unsqueeze(node, x):
    data = x[0]
    for axis in sorted(_attrs(node)["axes"]):
        data = data.unsqueeze(axis if axis >= 0 else axis + data.dim() + 1)
    return [data]


def _hard_sigmoid(node, x):
    a = _attrs(node)
    return [torch.clamp(x[0] * a.get("alpha", 0.2) + a.get("beta", 0.5), 0, 1)]


OPS: dict[str, Op] = {
    "Identity": lambda _n, x: [x[0]],
    "Add": lambda _n, x: [x[0] + x[1]],
    "Sub": lambda _n, x: [x[0] - x[1]],
    "Mul": lambda _n, x: [x[0] * x[1]],
    "Div": lambda _n, x: [x[0] / x[1]],
    "Pow": lambda _n, x: [torch.pow(x[0], x[1])],
    "Sqrt": lambda _n, x: [torch.sqrt(x[0])],
    "Erf": lambda _n, x: [torch.erf(x[0])],
    "Relu": lambda _n, x: [F.relu(x[0])],
    "Sigmoid": lambda _n, x: [torch.sigmoid(x[0])],
    "HardSigmoid": _hard_sigmoid,
    "MatMul": lambda _n, x: [torch.matmul(x[0], x[1])],
    "Transpose": lambda n, x: [x[0].permute(*_attrs(n)["perm"])],
    "Concat": lambda n, x: [torch.cat(x, dim=_attrs(n)["axis"])],
    "Shape": lambda _n, x: [torch.tensor(x[0].shape, dtype=torch.int64)],
    "Conv": _conv,
    "MaxPool": lambda n, x: _pool(n, x, "max"),
    "AveragePool": lambda n, x: _pool(n, x, "average"),
    "BatchNormalization": _batch_norm,
    "ReduceMean": _reduce_mean,
    "Softmax": _softmax,
    "Slice": _slice,
    "Reshape": _reshape,
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
}


class GraphModule(torch.nn.Module):
    """The graph from its input up to `output` (by default the graph's own output).

    Float initializers of more than one value are parameters (the scalars are constants
    of the arithmetic: 2 in x^2, an epsilon); a BatchNormalization's mean and variance are
    not trained."""

    def __init__(self, model: onnx.ModelProto, output: str | None = None,
                 train_from: str | None = None) -> None:
        super().__init__()
        graph = model.graph
        unknown = sorted({n.op_type for n in graph.node} - set(OPS))
        if unknown:
            raise ValueError(f"the model uses operators this trainer cannot run: {unknown}")
        self.input_name = graph.input[0].name
        self.output_name = output or graph.output[0].name
        frozen = {n.input[i] for n in graph.node if n.op_type == "BatchNormalization"
                  for i in (3, 4)}
        self.names: dict[str, str] = {}  # ONNX initializer name -> attribute name
        self.params = torch.nn.ParameterDict()
        for i, init in enumerate(graph.initializer):
            array = numpy_helper.to_array(init)
            key = f"t{i}"
            self.names[init.name] = key
            tensor = torch.from_numpy(array.copy())
            if array.dtype == np.float32 and array.size > 1 and init.name not in frozen:
                self.params[key] = torch.nn.Parameter(tensor)
            else:
                self.register_buffer(key, tensor, persistent=False)
        self.nodes = self._needed(list(graph.node))
        self.train_from = 0
        self.freeze(train_from)

    def freeze(self, train_from: str | None) -> None:
        """Trains only from the node named `train_from` on (None: the whole graph): the
        nodes before it run without gradients, so a fine-tune of the later layers costs
        a fraction of the whole."""
        names = [n.name for n in self.nodes]
        self.train_from = names.index(train_from) if train_from else 0
        later = {i for n in self.nodes[self.train_from:] for i in n.input}
        for name, key in self.names.items():
            if key in self.params:
                self.params[key].requires_grad_(name in later)

    def _needed(self, nodes: list[onnx.NodeProto]) -> list[onnx.NodeProto]:
        """The nodes the output depends on, in graph order."""
        wanted, keep = {self.output_name}, []
        for node in reversed(nodes):
            if wanted & set(node.output):
                keep.append(node)
                wanted.update(i for i in node.input if i)
        return list(reversed(keep))

    def tensor(self, name: str) -> torch.Tensor:
        key = self.names[name]
        return self.params[key] if key in self.params else getattr(self, key)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values: dict[str, torch.Tensor] = {self.input_name: x}
        with torch.no_grad():
            self._run(self.nodes[: self.train_from], values)
        self._run(self.nodes[self.train_from:], values)
        return values[self.output_name]

    def _run(self, nodes: list[onnx.NodeProto], values: dict[str, torch.Tensor]) -> None:
        for node in nodes:
            inputs = [values[i] if i in values else self.tensor(i) for i in node.input if i]
            for name, value in zip(node.output, OPS[node.op_type](node, inputs), strict=False):
                values[name] = value

    def write_back(self, model: onnx.ModelProto) -> None:
        """Puts the trained values into `model`'s initializers (shapes may have grown)."""
        for init in model.graph.initializer:
            key = self.names.get(init.name)
            if key in self.params:
                array = self.params[key].detach().cpu().numpy().astype(np.float32)
                init.CopyFrom(numpy_helper.from_array(array, init.name))
