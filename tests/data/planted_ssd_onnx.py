#!/usr/bin/python3
"""Writes an ONNX model whose output is a DetectionOutput-shaped blob [1, 1, N, 7] of rows the caller plants,
whatever the image: Slice(input) * 0 + planted. It still reads its input, so cv::dnn runs a real forward pass.

    planted_ssd_onnx.py OUT.onnx WIDTH HEIGHT '[[0, 1, 0.9, 0.1, 0.2, 0.5, 0.6], ...]'

Needs Debian's python3-onnx and python3-numpy (run with /usr/bin/python3).
"""
import json
import sys

import numpy
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(path, width, height, rows):
    planted = numpy.array(rows, dtype=numpy.float32).reshape(1, 1, len(rows), 7)
    if len(rows) > height or width < 7:
        sys.exit("the input must be at least 7 wide and as high as there are rows")
    shape = list(planted.shape)
    constants = [
        numpy_helper.from_array(numpy.zeros(4, dtype=numpy.int64), "starts"),
        numpy_helper.from_array(numpy.array(shape, dtype=numpy.int64), "ends"),
        numpy_helper.from_array(numpy.zeros(shape, dtype=numpy.float32), "zeros"),
        numpy_helper.from_array(planted, "planted"),
    ]
    nodes = [
        helper.make_node("Slice", ["data", "starts", "ends"], ["corner"]),
        helper.make_node("Mul", ["corner", "zeros"], ["nothing"]),
        helper.make_node("Add", ["nothing", "planted"], ["detections"]),
    ]
    graph = helper.make_graph(
        nodes, "planted_ssd",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, height, width])],
        [helper.make_tensor_value_info("detections", TensorProto.FLOAT, shape)],
        constants)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)], producer_name="elaborator tests")
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]))
