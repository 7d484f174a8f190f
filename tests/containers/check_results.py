#!/usr/bin/env python3
"""Checks elaborator result messages (docs/results.md): one JSON object per line of FILE (other lines, such as
log lines mixed in from a container's log, are ignored). Fails unless there are at least --min results of
--stream, each valid, and at least --min-faces with a face.

  check_results.py FILE --stream megamind --min 100 --min-faces 50
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--stream", required=True)
    parser.add_argument("--min", type=int, required=True)
    parser.add_argument("--min-faces", type=int, required=True)
    args = parser.parse_args()

    results = faces = 0
    with open(args.file, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.startswith("{"):
                continue
            try:
                result = json.loads(line)
                assert result["schema"] == "elaborator.result/2", "schema"
                assert result["stream"] == args.stream, f"stream {result['stream']!r}"
                assert result["frame"]["width"] == 720 and result["frame"]["height"] == 528, "frame size"
                for detection in result["detections"]:
                    box = detection["box"]
                    assert 0 <= box["x"] <= 1 and 0 <= box["y"] <= 1 and box["w"] > 0 and box["h"] > 0, "box"
            except (ValueError, KeyError, TypeError, AssertionError) as e:
                sys.exit(f"{args.file}:{number}: not a valid result ({e}): {line[:200]}")
            results += 1
            faces += any(d["label"] == "face" for d in result["detections"])
    print(f"{args.file}: {results} results of stream {args.stream}, {faces} with a face")
    if results < args.min or faces < args.min_faces:
        sys.exit(f"expected at least {args.min} results and {args.min_faces} with a face")


if __name__ == "__main__":
    main()
