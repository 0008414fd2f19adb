"""Checks GraphGen's ONNX exports with ONNX's own checker (Debian's python3-onnx): each file in the folders given is
loaded, checked in full (structure, opset 17 schemas, types and shapes inferred), and its input, output, batch dimension
and opset are those the README documents. Exit code 1 on any failure, naming the file."""
import os
import sys

import onnx


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    graph = model.graph
    assert model.ir_version == 8, f"IR version {model.ir_version}, expected 8"
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)], f"opset {model.opset_import}"
    assert [i.name for i in graph.input] == ["input"], f"inputs {[i.name for i in graph.input]}"
    assert [o.name for o in graph.output] == ["output"], f"outputs {[o.name for o in graph.output]}"
    for value in (graph.input[0], graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        assert len(dims) == 2 and dims[0].dim_param == "batch" and dims[1].dim_value > 0, f"{value.name} shape {dims}"
    return len(graph.node), len(graph.initializer)


def main(folders):
    files = sorted(os.path.join(f, n) for f in folders for n in os.listdir(f) if n.endswith(".onnx"))
    if not files:
        print("check_onnx: no .onnx files in " + ", ".join(folders), file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        try:
            nodes, initializers = check(path)
            print(f"ok  {path}: {nodes} nodes, {initializers} initializers")
        except Exception as e:  # the checker's own exceptions and our asserts alike
            failed += 1
            print(f"BAD {path}: {e}", file=sys.stderr)
    print(f"check_onnx (onnx {onnx.__version__}): {len(files) - failed} of {len(files)} exports pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
