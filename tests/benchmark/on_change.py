#!/usr/bin/env python3
"""Sampling on change (--on-change) against classifying every frame, on a real video file.

Runs PROGRAM twice on FILE: every frame (the baseline) and with --on-change. Reports the fraction of classify
calls saved, and the recall and precision of what a viewer would show at every frame -- the latest on-change
result at or before that frame, either held still ("held") or with each tracked box moved by its velocity
("moved") -- against that frame's every-frame detections (same label, IOU >= 0.5, greedy best-first).
For reference it also scores, from the baseline alone: holding frame f-1's result at frame f (the detector's
own frame-to-frame flicker: no sampling can beat it by much) and plain --every N (same calls saved).
Standard library only (Python 3.9+). The last line is one JSON object per on-change run.

  tests/benchmark/on_change.py --program build/examples/face_detector --track \\
      --file /usr/share/doc/opencv-doc/examples/data/Megamind.avi --sweep '0.002 0.005 0.01 0.02 0.04'
  tests/benchmark/on_change.py --program build/examples/people_counter \\
      --file /usr/share/doc/opencv-doc/examples/data/vtest.avi --sweep '0.002 0.005 0.01 0.02 0.04' \\
      --sweep-interval '0.5 1'       # HOG: the every-frame run takes about 70 s on 2 cores
"""

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

IOU_MIN = 0.5


def fail(message):
    sys.exit(f"on_change.py: {message}")


def run(program, video, out_dir, name, args):
    """Runs the program on the file; returns {results, cpu_s, wall_s, classified (from its summary), cmd}."""
    jsonl = os.path.join(out_dir, f"{name}.jsonl")
    if os.path.exists(jsonl):
        os.remove(jsonl)  # --jsonl appends
    cmd = [program, "--file", video, "--jsonl", jsonl, "--stats-interval", "0"] + args
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.path.join(out_dir, f"{name}.stderr"), "w") as f:
        f.write(done.stderr)
    if done.returncode != 0 or not os.path.exists(jsonl):
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        fail(f"run '{name}' failed (exit {done.returncode}): {shlex.join(cmd)}\n--- its stderr, last lines:\n{tail}")
    results = []
    with open(jsonl) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    results.append(json.loads(line))
                except json.JSONDecodeError as e:
                    fail(f"{jsonl}:{n}: not JSON ({e})")
    summary = re.findall(r"(\d+) classified", done.stderr)
    return {"cmd": cmd, "results": results, "wall_s": wall,
            "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "classified": int(summary[-1]) if summary else None}


def boxes_of(result, label):
    """[(label, x, y, w, h, vx, vy)] of one result, velocity 0 where there is no track."""
    out = []
    for d in result.get("detections", []):
        if label and d.get("label") != label:
            continue
        b = d["box"]
        v = (d.get("track") or {}).get("velocity") or {}
        out.append((d.get("label"), b["x"], b["y"], b["w"], b["h"], v.get("x", 0.0), v.get("y", 0.0)))
    return out


def iou(a, b):
    ax2, ay2, bx2, by2 = a[1] + a[3], a[2] + a[4], b[1] + b[3], b[2] + b[4]
    iw = min(ax2, bx2) - max(a[1], b[1])
    ih = min(ay2, by2) - max(a[2], b[2])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = a[3] * a[4] + b[3] * b[4] - inter
    return inter / union if union > 0 else 0.0


def match(shown, truth):
    """Greedy best-IOU-first one-to-one matching, same label, IOU >= 0.5; returns (tp, fp, fn)."""
    pairs = sorted(((iou(s, t), i, j) for i, s in enumerate(shown) for j, t in enumerate(truth)
                    if s[0] == t[0]), reverse=True)
    used_s, used_t, tp = set(), set(), 0
    for overlap, i, j in pairs:
        if overlap < IOU_MIN:
            break
        if i not in used_s and j not in used_t:
            used_s.add(i)
            used_t.add(j)
            tp += 1
    return tp, len(shown) - tp, len(truth) - tp


class Baseline:
    def __init__(self, results, label, fps):
        self.label = label
        self.frames = {}
        self.pts = {}
        for r in results:
            i = r["frame"]["index"]
            self.frames[i] = boxes_of(r, label)
            self.pts[i] = r["frame"].get("pts_ns")
        self.indices = sorted(self.frames)
        n = len(self.indices)
        if n == 0:
            fail("the every-frame run gave no results")
        if self.indices != list(range(self.indices[0], self.indices[0] + n)):
            print(f"warning: the every-frame run misses {self.indices[-1] - self.indices[0] + 1 - n} frame indices",
                  file=sys.stderr)
        if fps is None:  # from the PTS, else 25
            known = [(i, self.pts[i]) for i in self.indices if self.pts[i] is not None]
            fps = ((known[-1][0] - known[0][0]) / ((known[-1][1] - known[0][1]) / 1e9)
                   if len(known) > 1 and known[-1][1] > known[0][1] else 25.0)
        self.fps = fps

    def time_s(self, index, pts_ns=None):
        if pts_ns is None:
            pts_ns = self.pts.get(index)
        return pts_ns / 1e9 if pts_ns is not None else index / self.fps

    def score(self, shown_at):
        """shown_at(f) -> (boxes, dt_s) or None (nothing yet). Returns {recall/precision held/moved, tp...}."""
        tot = {"held": [0, 0, 0], "moved": [0, 0, 0]}
        for f in self.indices:
            truth = self.frames[f]
            got = shown_at(f)
            boxes, dt = got if got is not None else ([], 0.0)
            moved = [(b[0], b[1] + b[5] * dt, b[2] + b[6] * dt, b[3], b[4], b[5], b[6]) for b in boxes]
            for kind, shown in (("held", boxes), ("moved", moved)):
                for k, v in enumerate(match(shown, truth)):
                    tot[kind][k] += v
        out = {}
        for kind, (tp, fp, fn) in tot.items():
            out[f"recall_{kind}"] = tp / (tp + fn) if tp + fn else 1.0
            out[f"precision_{kind}"] = tp / (tp + fp) if tp + fp else 1.0
            out[f"tp_fp_fn_{kind}"] = (tp, fp, fn)
        return out

    def score_sampled(self, results):
        """What the viewer shows when only these results (sorted by frame) exist."""
        sampled = sorted(((r["frame"]["index"], self.time_s(r["frame"]["index"], r["frame"].get("pts_ns")),
                           boxes_of(r, self.label)) for r in results))
        pos = [-1]

        def shown_at(f):
            while pos[0] + 1 < len(sampled) and sampled[pos[0] + 1][0] <= f:
                pos[0] += 1
            if pos[0] < 0:
                return None
            index, t, boxes = sampled[pos[0]]
            return boxes, self.time_s(f) - t
        return self.score(shown_at)

    def score_from_baseline(self, pick):
        """Simulates a sampling from the baseline itself: pick(f) says whether frame f would be classified."""
        chosen = [{"frame": {"index": f, "pts_ns": self.pts[f]}, "detections": []} for f in self.indices if pick(f)]
        for c in chosen:  # boxes_of() wants result-shaped detections
            c["detections"] = [{"label": b[0], "box": {"x": b[1], "y": b[2], "w": b[3], "h": b[4]},
                                "track": {"velocity": {"x": b[5], "y": b[6]}}} for b in self.frames[c["frame"]["index"]]]
        return len(chosen), self.score_sampled(chosen)

    def score_previous_frame(self):
        """Shows frame f-1's every-frame result at frame f: the detector's own frame-to-frame flicker."""
        def shown_at(f):
            if f - 1 not in self.frames:
                return self.frames[f], 0.0
            return self.frames[f - 1], self.time_s(f) - self.time_s(f - 1)
        return self.score(shown_at)


def strip_option(args, name):
    """args without `name VALUE` (or name=VALUE)."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == name:
            skip = True
        elif not a.startswith(name + "="):
            out.append(a)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--program", required=True, help="face_detector, people_counter, ... (built)")
    p.add_argument("--file", required=True, help="the video file")
    p.add_argument("--label", help="score only detections with this label (default: all)")
    p.add_argument("--extra", default="", help="more arguments for both runs, one string")
    p.add_argument("--on-change-args", default="--change 0.005 --max-interval 1",
                   help="arguments of the on-change run besides --on-change (default: %(default)s)")
    p.add_argument("--sweep", help="several --change values, e.g. '0.002 0.005 0.01': one on-change run each")
    p.add_argument("--sweep-interval", help="several --max-interval values: crossed with --sweep")
    p.add_argument("--every", default="2 3 4", help="--every N values simulated from the baseline for reference "
                                                     "(default: %(default)s)")
    p.add_argument("--track", action="store_true", help="pass --track to both runs (velocity for 'moved')")
    p.add_argument("--fps", type=float, help="frame rate where results have no pts_ns (default: from the PTS)")
    p.add_argument("--out", help="directory for the runs' JSON Lines and stderr (default: a new temporary one)")
    a = p.parse_args()

    program = a.program if os.sep in a.program else (shutil.which(a.program) or a.program)
    if not (os.path.isfile(program) and os.access(program, os.X_OK)):
        fail(f"program not found or not executable: {a.program}")
    if not os.path.isfile(a.file):
        fail(f"video file not found: {a.file}")
    out_dir = a.out or tempfile.mkdtemp(prefix="on_change.")
    os.makedirs(out_dir, exist_ok=True)
    common = shlex.split(a.extra) + (["--track"] if a.track else [])
    base_args = shlex.split(a.on_change_args)
    label = a.label

    every = run(program, a.file, out_dir, "every", common)
    base = Baseline(every["results"], label, a.fps)
    frames = len(base.indices)
    sanity = base.score_sampled(every["results"])
    assert sanity["recall_held"] == 1.0 and sanity["precision_held"] == 1.0, f"baseline against itself: {sanity}"
    calls_every = len(every["results"])
    if every["classified"] is not None and every["classified"] != calls_every:
        print(f"warning: every-frame run says {every['classified']} classified, wrote {calls_every} results",
              file=sys.stderr)
    truth_boxes = sum(len(b) for b in base.frames.values())

    configs = []
    changes = a.sweep.split() if a.sweep else [None]
    intervals = a.sweep_interval.split() if a.sweep_interval else [None]
    for interval in intervals:
        for change in changes:
            args = base_args
            if change is not None:
                args = strip_option(args, "--change") + ["--change", change]
            if interval is not None:
                args = strip_option(args, "--max-interval") + ["--max-interval", interval]
            configs.append(args)

    print(f"{os.path.basename(a.file)}: {frames} frames, {truth_boxes} every-frame detections"
          f"{' labelled ' + label if label else ''}, {os.path.basename(program)} {shlex.join(common)}  "
          f"(runs in {out_dir})")
    print(f"every frame: {calls_every} classify calls, CPU {every['cpu_s']:.1f} s, wall {every['wall_s']:.1f} s")
    head = (f"{'sampling':<34} {'calls':>6} {'saved':>6} {'rec held':>8} {'prec held':>9} "
            f"{'rec moved':>9} {'prec moved':>10} {'CPU s':>6} {'wall s':>6}")
    print(head)
    print("-" * len(head))

    def row(name, calls, s, cpu=None, wall=None):
        saved = 1 - calls / calls_every
        print(f"{name:<34} {calls:>6} {saved:>6.3f} {s['recall_held']:>8.3f} {s['precision_held']:>9.3f} "
              f"{s['recall_moved']:>9.3f} {s['precision_moved']:>10.3f} "
              f"{'' if cpu is None else f'{cpu:.1f}':>6} {'' if wall is None else f'{wall:.1f}':>6}")
        return saved

    row("every frame (baseline)", calls_every, sanity, every["cpu_s"], every["wall_s"])
    row("ref: frame f-1 shown at f", calls_every, base.score_previous_frame())
    for n in (int(x) for x in a.every.split()):
        calls, s = base.score_from_baseline(lambda f, n=n: (f - base.indices[0]) % n == 0)
        row(f"ref: --every {n} (from baseline)", calls, s)
    sys.stdout.flush()

    lines = []
    for i, args in enumerate(configs):
        name = "on_change" if len(configs) == 1 else f"on_change_{i}"
        oc = run(program, a.file, out_dir, name, common + ["--on-change"] + args)
        calls = len(oc["results"])
        if oc["classified"] is not None and oc["classified"] != calls:
            print(f"warning: {name} says {oc['classified']} classified, wrote {calls} results", file=sys.stderr)
        s = base.score_sampled(oc["results"])
        saved = row("--on-change " + shlex.join(args), calls, s, oc["cpu_s"], oc["wall_s"])
        sys.stdout.flush()
        lines.append({"file": os.path.basename(a.file), "program": os.path.basename(program),
                      "args": shlex.join(common + ["--on-change"] + args), "frames": frames,
                      "classified_every": calls_every, "classified_on_change": calls, "saved": round(saved, 4),
                      **{k: round(s[k], 4) for k in ("recall_held", "precision_held", "recall_moved", "precision_moved")},
                      "cpu_every_s": round(every["cpu_s"], 2), "cpu_on_change_s": round(oc["cpu_s"], 2)})
    for line in lines:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
