#!/usr/bin/python3
"""The seed's own way as a peer: a Python loop on cv2.VideoCapture against the elaborator, on one stream.

What a user would write instead of the elaborator: Debian's python3-opencv, cv2.VideoCapture on the seed's
GStreamer pipe (udpsrc ! rtpjitterbuffer ! rtpvp8depay ! vp8dec ! videoconvert ! appsink), read() every
frame, and every Nth frame the Haar frontal-face cascade, synchronously, with the parameters of the library's
HaarFaceDetector (scale factor 1.1, 4 neighbours, 40-pixel smallest face, on the gray image). Next to it, at
the same time and on the same packets, the elaborator: `elaborator_benchmark --serve PORT --classify faces
--every N` (the same cascade, the same parameters, newest-only sampling).

One sender (a Python process, python3-gi) plays Debian's Megamind.avi (720x528, looped, at 30 fps instead of
its 23.976) in real time, VP8 over RTP, to both peers at once (multiudpsink, 127.0.0.1, ports the OS picked).
Every frame is identifiable:
  - its number is painted into the picture, 24 black or white 16x16 blocks along the top left edge (20 bits
    of the number, 4 check bits): the Python peer reads it back from the frame it classifies;
  - its RTP timestamp is logged by the sender (read from the packets as they leave, timestamp-offset 0):
    the elaborator's results carry it (frame.rtp_timestamp).
The sender logs the wall-clock time the first packet of each frame was handed to the socket. Latency is that
time to the end of classify (the elaborator's times_us.classify_end; in Python, detectMultiScale returned),
both on the same clock (CLOCK_REALTIME). As a check of the mapping, the elaborator's own arrival time of each
classified frame is compared with the sender's time: off by one frame would show as 33 ms.

CPU is read from /proc/<pid>/stat (user + system, all threads) of each process, every second; resident
memory from /proc/<pid>/status. The JSON (--json) has every figure, the per-10-s windows, and what else used
the machine's CPU during the run. --plot draws latency and CPU over time with gnuplot (Debian: gnuplot-nox).

A benchmark, never run by ctest. Needs Debian's python3-opencv, python3-gi, gir1.2-gst-plugins-base-1.0,
gstreamer1.0-plugins-{base,good}, opencv-data and opencv-doc, and a built elaborator_benchmark:

  cmake --build build --target elaborator_benchmark
  tests/benchmark/seed_peer.py --elaborator build/tests/elaborator_benchmark --every 3 --seconds 600 \\
      --json docs/seed-peer-every-3.json --plot docs/images/seed-peer-every-3.png
"""

import argparse
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

MEGAMIND = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"
CASCADE = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
FPS = 30
RTP_CAPS = "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96"

# The frame-number stamp: BITS blocks of BLOCK x BLOCK pixels from the top left corner, black for 0, white for
# 1: 20 bits of the number (9.7 hours at 30 fps), then 8 check bits (a hash of the number). A picture the
# decoder corrupted after a lost packet can still pass the check (1 in 256), so a reader also wants the number
# to follow the last one it read (see peer()).
BLOCK = 16
NUMBER_BITS = 20
CHECK_BITS = 8
BITS = NUMBER_BITS + CHECK_BITS


def check_byte(n):
    return ((n * 0x9E3779B1) >> 24) & 0xFF


def stamp_bits(n):
    word = (n & ((1 << NUMBER_BITS) - 1)) | (check_byte(n) << NUMBER_BITS)
    return [(word >> i) & 1 for i in range(BITS)]


def read_stamp(bgr):
    """The frame number painted into a BGR picture, or None where the check bits disagree."""
    strip = bgr[4:BLOCK - 4, :BITS * BLOCK, 1].reshape(BLOCK - 8, BITS, BLOCK)[:, :, 4:BLOCK - 4]
    bits = strip.mean(axis=(0, 2)) > 128
    word = 0
    for i, bit in enumerate(bits):
        word |= int(bit) << i
    n = word & ((1 << NUMBER_BITS) - 1)
    return n if (word >> NUMBER_BITS) == check_byte(n) else None


def fail(message):
    sys.exit(f"seed_peer.py: {message}")


# --- the sender: Megamind.avi, stamped, 30 fps, VP8 RTP to both peers ---

def sender(a):
    import cv2
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst
    Gst.init(None)

    capture = cv2.VideoCapture(a.video)
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420))
    capture.release()
    if not frames:
        fail(f"sender: no frame in {a.video}")
    height, width = frames[0].shape[0] * 2 // 3, frames[0].shape[1]
    if width < BITS * BLOCK or height < BLOCK or width % 2 or height % 2:
        fail(f"sender: {width}x{height} is too small or odd for the stamp")

    clients = ",".join(f"127.0.0.1:{p}" for p in a.ports.split(","))
    pipeline = Gst.parse_launch(
        f"appsrc name=src is-live=true format=time do-timestamp=false "
        f"caps=video/x-raw,format=I420,width={width},height={height},framerate={FPS}/1 ! "
        f"vp8enc deadline=1 cpu-used=8 keyframe-max-dist={FPS} target-bitrate=2000000 ! "
        f"rtpvp8pay pt=96 timestamp-offset=0 ! multiudpsink name=sink sync=false clients={clients}")
    src = pipeline.get_by_name("src")
    sent = {}  # frame number -> [rtp timestamp, wall ns of its first packet at the socket]

    def note(buffer):
        n = round(buffer.pts * FPS / Gst.SECOND)
        if n not in sent:
            sent[n] = [int.from_bytes(buffer.extract_dup(4, 4), "big"), time.time_ns()]

    def probe(_pad, info):
        if info.type & Gst.PadProbeType.BUFFER_LIST:
            packets = info.get_buffer_list()
            if packets.length() > 0:
                note(packets.get(0))
        else:
            note(info.get_buffer())
        return Gst.PadProbeReturn.OK

    pipeline.get_by_name("sink").get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, probe)
    pipeline.set_state(Gst.State.PLAYING)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    pushed = []  # wall ns at push, per frame
    late = []    # ms behind the 30 fps schedule at push
    start = time.monotonic()
    total = int(a.seconds * FPS)
    for n in range(total):
        if stop:
            break
        due = start + n / FPS
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        late.append(max(0.0, -wait) * 1000)
        picture = frames[n % len(frames)].copy()
        u = picture[height:height + height // 4].reshape(height // 2, width // 2)
        v = picture[height + height // 4:].reshape(height // 2, width // 2)
        for i, bit in enumerate(stamp_bits(n)):
            picture[0:BLOCK, i * BLOCK:(i + 1) * BLOCK] = 235 if bit else 16
        u[0:BLOCK // 2, 0:BITS * BLOCK // 2] = 128
        v[0:BLOCK // 2, 0:BITS * BLOCK // 2] = 128
        buffer = Gst.Buffer.new_wrapped(picture.tobytes())
        buffer.pts = n * Gst.SECOND // FPS
        buffer.duration = (n + 1) * Gst.SECOND // FPS - buffer.pts
        pushed.append(time.time_ns())
        src.emit("push-buffer", buffer)
    src.emit("end-of-stream")
    pipeline.get_bus().timed_pop_filtered(5 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    late.sort()
    with open(a.log, "w") as f:
        json.dump({"width": width, "height": height, "frames_in_clip": len(frames), "pushed": len(pushed),
                   "late_ms": {"p50": late[len(late) // 2], "p99": late[int(0.99 * len(late))], "max": late[-1]}
                   if late else None,
                   "frames": [[n, pushed[n]] + sent.get(n, [None, None]) for n in range(len(pushed))]}, f)


# --- the seed's way: what a user writes with cv2.VideoCapture ---

def peer(a):
    import cv2
    pipeline = (f'udpsrc port={a.port} caps="{RTP_CAPS}" ! rtpjitterbuffer ! rtpvp8depay ! vp8dec ! '
                "videoconvert ! appsink")
    capture = cv2.VideoCapture(pipeline, cv2.CAP_GSTREAMER)
    if not capture.isOpened():
        fail("peer: VideoCapture did not open the pipeline")
    cascade = cv2.CascadeClassifier(a.cascade)
    if cascade.empty():
        fail(f"peer: cannot load {a.cascade}")
    log = open(a.log, "w", buffering=1)  # measuring: a line per classified frame
    log.write(json.dumps({"appsink_max_buffers": capture.get(cv2.CAP_PROP_GSTREAMER_QUEUE_LENGTH),
                          "opencv": cv2.__version__, "threads": cv2.getNumThreads()}) + "\n")
    count = 0
    last, unreadable, gaps = None, 0, 0  # measuring: frames that never reached read()
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        read_ns = time.time_ns()  # measuring
        n = read_stamp(frame)  # measuring: about 20 us
        if n is not None and last is not None and not last < n <= last + 30 * FPS:
            n = None  # a corrupt picture that passed the check: frames come in order
        if n is None:
            unreadable += 1
        else:
            if last is not None and n > last + 1:
                gaps += n - last - 1
            last = n
        if count % a.every == 0:
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(40, 40))
            log.write(json.dumps({"n": n, "read_ns": read_ns, "done_ns": time.time_ns(), "faces": len(faces),
                                  "count": count + 1, "last": last, "gaps": gaps, "unreadable": unreadable}) + "\n")
        count += 1


# --- the benchmark: both peers on one stream ---

def free_ports(n):
    probes = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for s in probes:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in probes]
    for s in probes:
        s.close()
    return ports


def listening(port):
    """Whether some socket is bound to this UDP port (from /proc/net/udp)."""
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table) as f:
                for line in f.readlines()[1:]:
                    if int(line.split()[1].split(":")[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def process_cpu(pid):
    """(command name, CPU seconds: user + system, all threads) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
        fields = text.rsplit(")", 1)[1].split()  # after the name, which may hold spaces and parentheses
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return text[text.index("(") + 1:text.rindex(")")], seconds
    except (OSError, ValueError, IndexError):
        return None


def cpu_seconds(pid):
    usage = process_cpu(pid)
    return usage[1] if usage else None


def machine_busy_seconds():
    """CPU seconds all processes of the machine used (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def all_cpu():
    """CPU seconds of every process now: {pid: (command, seconds)}."""
    usage = {int(entry): process_cpu(entry) for entry in os.listdir("/proc") if entry.isdigit()}
    return {pid: u for pid, u in usage.items() if u is not None}


def percentiles(values):
    if not values:
        return {"p50": None, "p99": None, "max": None, "count": 0}
    v = sorted(values)
    return {"p50": round(v[len(v) // 2], 1), "p99": round(v[min(len(v) - 1, int(0.99 * len(v)))], 1),
            "max": round(v[-1], 1), "count": len(v)}


def windows(points, seconds, width=10):
    """points: (t s, latency ms) -> per window of `width` s: latency percentiles and classified per second."""
    out = []
    for start in range(0, int(seconds + width), width):
        inside = [ms for t, ms in points if start <= t < start + width]
        if inside or start < seconds:
            out.append({"t": start + width / 2, "latency_ms": percentiles(inside),
                        "classified_per_s": round(len(inside) / width, 2)})
    return out


class Children:
    """The processes this run started, each stopped by its PID on any exit."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.procs = {}

    def start(self, name, argv):
        with open(os.path.join(self.out_dir, f"{name}.out"), "w") as out, \
                open(os.path.join(self.out_dir, f"{name}.err"), "w") as err:
            self.procs[name] = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        return self.procs[name]

    def stop(self, name, timeout):
        p = self.procs.get(name)
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)

    def stop_all(self):
        for name in reversed(list(self.procs)):
            self.stop(name, 5)

    def tail(self, name):
        with open(os.path.join(self.out_dir, f"{name}.err"), errors="replace") as f:
            return "\n".join(f.read().strip().splitlines()[-10:])


def run(a, out_dir):
    children = Children(out_dir)
    me = os.path.abspath(__file__)
    try:
        ports = free_ports(2)
        elaborator = children.start("elaborator", [
            a.elaborator, "--serve", str(ports[0]), "--classify", "faces", "--every", str(a.every),
            "--results-prefix", os.path.join(out_dir, "elaborator-")])
        python_peer = children.start("python", [sys.executable, me, "--role", "peer", "--port", str(ports[1]),
                                                "--every", str(a.every), "--cascade", a.cascade,
                                                "--log", os.path.join(out_dir, "python.jsonl")])
        deadline = time.monotonic() + 15
        while not (listening(ports[0]) and listening(ports[1])):
            for name, p in (("elaborator", elaborator), ("python", python_peer)):
                if p.poll() is not None:
                    fail(f"the {name} peer exited at start ({p.returncode}):\n{children.tail(name)}")
            if time.monotonic() > deadline:
                fail("the peers did not bind their ports within 15 s")
            time.sleep(0.1)

        others_before = all_cpu()
        load_before = os.getloadavg()
        sender = children.start("sender", [sys.executable, me, "--role", "sender", "--ports", f"{ports[0]},{ports[1]}",
                                           "--seconds", str(a.seconds), "--video", a.video,
                                           "--log", os.path.join(out_dir, "sender.json")])
        pids = {"elaborator": elaborator.pid, "python": python_peer.pid, "sender": sender.pid}
        t0 = time.monotonic()
        first = {k: cpu_seconds(p) for k, p in pids.items()}
        first["machine"] = machine_busy_seconds()
        samples = []  # (wall ns, {name: cpu s}, {name: rss MB})
        next_report = 60
        print(f"seed_peer: {a.seconds:.0f} s, face detection on 1 frame in {a.every}, output in {out_dir}",
              flush=True)
        while sender.poll() is None:
            time.sleep(1)
            t = time.monotonic() - t0
            cpu = {k: cpu_seconds(p) for k, p in pids.items()}
            cpu["machine"] = machine_busy_seconds()
            cpu["others"] = cpu["machine"] - cpu["elaborator"] - cpu["python"] - cpu["sender"]
            samples.append((time.time_ns(), cpu, {k: resident_mb(p) for k, p in pids.items()}))
            for name, p in (("elaborator", elaborator), ("python", python_peer)):
                if p.poll() is not None:
                    fail(f"the {name} peer exited during the run ({p.returncode}):\n{children.tail(name)}")
            if t >= next_report:
                cpu = samples[-1][1]
                print(f"  {t:4.0f} s: CPU so far elaborator {cpu['elaborator'] - first['elaborator']:.1f} s, "
                      f"python {cpu['python'] - first['python']:.1f} s, sender {cpu['sender'] - first['sender']:.1f} s",
                      flush=True)
                next_report += 60
            if t > a.seconds + 60:
                fail("the sender did not finish within a minute of its time")
        if sender.returncode != 0:
            fail(f"the sender failed ({sender.returncode}):\n{children.tail('sender')}")
        load_after = os.getloadavg()
        others_after = all_cpu()
        time.sleep(1)  # the last frames through both peers
        children.stop("elaborator", 15)
        children.stop("python", 5)
    finally:
        children.stop_all()

    with open(os.path.join(out_dir, "elaborator.out")) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    try:
        elaborator_stats = json.loads(lines[-1])[0]
    except (IndexError, ValueError, KeyError):
        fail(f"the elaborator printed no statistics:\n{children.tail('elaborator')}")

    # Who else used the CPU: the processes alive at the end, by name (the total is from /proc/stat).
    ours = {pids["elaborator"], pids["python"], pids["sender"], os.getpid()}
    others = {}  # name -> CPU seconds
    for pid, (name, seconds) in others_after.items():
        if pid in ours:
            continue
        used = seconds - others_before.get(pid, (name, 0.0))[1]
        if used > 0:
            others[name] = others.get(name, 0.0) + used
    return {"samples": samples, "first_cpu": first, "elaborator_stats": elaborator_stats,
            "load": [load_before, load_after], "others": others}


def analyse(a, out_dir, measured):
    with open(os.path.join(out_dir, "sender.json")) as f:
        sent_log = json.load(f)
    frames = sent_log["frames"]  # [n, pushed ns, rtp ts, sent ns]
    sent_ns = {n: s for n, _, _, s in frames if s is not None}
    by_rtp = {rtp: n for n, _, rtp, s in frames if rtp is not None}
    t0_ns = min(sent_ns.values())
    seconds = len(frames) / FPS

    # The elaborator: its results, each mapped to its frame by RTP timestamp.
    elaborator_points, arrival_check, unmapped, faces_e, elaborator_waited = [], [], 0, 0, []
    path = os.path.join(out_dir, "elaborator-stream-0-e0.jsonl")
    with open(path) as f:
        results = [json.loads(line) for line in f if line.strip()]
    for r in results:
        n = by_rtp.get(r["frame"].get("rtp_timestamp"))
        if n is None or n not in sent_ns:
            unmapped += 1
            continue
        done = r["times_us"]["classify_end"] * 1000
        elaborator_points.append(((done - t0_ns) / 1e9, (done - sent_ns[n]) / 1e6))
        arrival_check.append((r["times_us"]["arrival"] * 1000 - sent_ns[n]) / 1e6)
        elaborator_waited.append((r["times_us"]["classify_start"] * 1000 - sent_ns[n]) / 1e6)
        faces_e += len(r.get("detections", []))

    # The Python peer: its log, each line mapped to its frame by the number painted into it.
    python_points, unreadable_classified, faces_p, header, last, python_classify = [], 0, 0, {}, {}, []
    python_waited = []
    with open(os.path.join(out_dir, "python.jsonl")) as f:
        for line in f:
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue  # a line cut by the stop
            if "appsink_max_buffers" in r:
                header = r
                continue
            last = r
            python_classify.append((r["done_ns"] - r["read_ns"]) / 1e6)
            if r["n"] is None or r["n"] not in sent_ns:
                unreadable_classified += 1
                continue
            python_points.append(((r["done_ns"] - t0_ns) / 1e9, (r["done_ns"] - sent_ns[r["n"]]) / 1e6))
            python_waited.append((r["read_ns"] - sent_ns[r["n"]]) / 1e6)
            faces_p += r["faces"]

    # CPU samples on the latency's time axis: seconds since the first frame was sent.
    samples = [((ns - t0_ns) / 1e9, cpu, rss) for ns, cpu, rss in measured["samples"]]
    warm = [s for s in samples if s[0] >= 10]  # CPU after the first 10 s (first keyframe, decoder threads)

    def cpu_percent(name, from_sample, to_sample):
        return round(100 * (to_sample[1][name] - from_sample[1][name]) / (to_sample[0] - from_sample[0]), 1)

    def cpu_windows(name, width=10):
        out = []
        for i in range(width, len(samples), width):
            out.append({"t": round(samples[i][0] - width / 2, 1),
                        "cpu_percent": cpu_percent(name, samples[i - width], samples[i])})
        return out

    def peer_report(name, points, classified, extra):
        ordered = sorted(points)
        first_minute = [ms for t, ms in ordered if 10 <= t < 70]
        last_minute = [ms for t, ms in ordered if t >= seconds - 60]
        report = {"cpu_percent": cpu_percent(name, warm[0], warm[-1]) if len(warm) > 1 else None,
                  "cpu_seconds": round(samples[-1][1][name] - measured["first_cpu"][name], 1),
                  "resident_mb_start": round(warm[0][2][name] or 0, 1) if warm else None,
                  "resident_mb_end": round(samples[-1][2][name] or 0, 1),
                  "resident_mb_max": round(max((s[2][name] or 0) for s in samples), 1),
                  "frames_classified": classified,
                  "latency_ms": percentiles([ms for _, ms in ordered]),
                  "latency_ms_first_minute": percentiles(first_minute),
                  "latency_ms_last_minute": percentiles(last_minute),
                  "over_time": windows(ordered, seconds), "cpu_over_time": cpu_windows(name)}
        report.update(extra)
        return report

    e = measured["elaborator_stats"]
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "load_average_before": [round(x, 2) for x in measured["load"][0]],
                    "load_average_after": [round(x, 2) for x in measured["load"][1]],
                    "other_processes_alive_at_end_cpu_s": dict(sorted(
                        ((k, round(v, 1)) for k, v in measured["others"].items()), key=lambda kv: -kv[1])[:8])},
        "stream": {"video": os.path.basename(a.video), "width": sent_log["width"], "height": sent_log["height"],
                   "fps": FPS, "codec": "VP8", "seconds": round(seconds, 1), "frames_sent": len(sent_ns),
                   "sender_late_ms": sent_log["late_ms"]},
        "every": a.every,
        "face_detector": {"cascade": os.path.basename(a.cascade), "scale_factor": 1.1, "min_neighbors": 4,
                          "min_size": 40},
        "elaborator": peer_report("elaborator", elaborator_points, e["frames_classified"], {
            "frames_decoded": e["frames_decoded"], "frames_sampled": e["frames_sampled"],
            "sampled_frames_dropped": e["frames_dropped"], "decode_errors": e["decode_errors"],
            "results_unmapped": unmapped, "faces": faces_e,
            "check_arrival_minus_sent_ms": percentiles(arrival_check),
            "sent_to_classify_start_ms": percentiles(elaborator_waited),
            "classify_ms": {k: round(v, 1) for k, v in e["classify_ms"].items()}}),
        "python": peer_report("python", python_points, len(python_points) + unreadable_classified, {
            "frames_read": last.get("count", 0), "frames_lost_before_read": last.get("gaps", 0),
            "frames_unreadable_stamp": last.get("unreadable", 0),
            "frames_not_yet_read_at_end": (len(frames) - 1 - last["last"]) if last.get("last") is not None else None,
            "classified_unmapped": unreadable_classified, "faces": faces_p,
            "sent_to_classify_start_ms": percentiles(python_waited),
            "classify_ms": percentiles(python_classify),
            "appsink_max_buffers": header.get("appsink_max_buffers"), "opencv": header.get("opencv"),
            "opencv_threads": header.get("threads")}),
        "sender": {"cpu_percent": cpu_percent("sender", warm[0], warm[-1]) if len(warm) > 1 else None},
        "others": {"cpu_percent": cpu_percent("others", warm[0], warm[-1]) if len(warm) > 1 else None,
                   "cpu_over_time": cpu_windows("others")},
    }
    return report


def summary(r):
    rows = []
    for name, label in (("elaborator", "elaborator --every"), ("python", "cv2.VideoCapture loop, every")):
        p = r[name]
        f, l = p["latency_ms_first_minute"], p["latency_ms_last_minute"]
        rows.append(f"{label} {r['every']}: CPU {p['cpu_percent']} %, {p['frames_classified']} classified, latency "
                    f"p50/p99 first minute {f['p50']}/{f['p99']} ms, last minute {l['p50']}/{l['p99']} ms, "
                    f"resident {p['resident_mb_end']:.0f} MB")
    e = r["elaborator"]
    check = e["check_arrival_minus_sent_ms"]
    rows.append(f"elaborator: {e['frames_decoded']} frames decoded, {e['sampled_frames_dropped']} sampled frames "
                f"dropped (newest-only); check: first packet arrival - sent p50 {check['p50']} ms, "
                f"max {check['max']} ms")
    p = r["python"]
    rows.append(f"python: {p['frames_read']} frames read, {p['frames_lost_before_read']} lost before read(), "
                f"{p['frames_not_yet_read_at_end']} sent but not yet read at the end")
    rows.append(f"sender {r['sender']['cpu_percent']} % CPU, {r['stream']['frames_sent']} frames sent; other processes "
                f"{r['others']['cpu_percent']} % CPU; load {r['machine']['load_average_before']} -> "
                f"{r['machine']['load_average_after']}")
    return "\n".join(rows)


def plot(r, png):
    if subprocess.run(["sh", "-c", "command -v gnuplot"], stdout=subprocess.DEVNULL).returncode != 0:
        print("seed_peer: gnuplot is missing (apt-get install gnuplot-nox): no plot", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "others-cpu.dat"), "w") as f:
            for w in r["others"]["cpu_over_time"]:
                f.write(f'{w["t"]} {max(0.0, w["cpu_percent"])}\n')  # /proc/stat less ours: +-2 % of rounding
        for name in ("elaborator", "python"):
            with open(os.path.join(d, f"{name}.dat"), "w") as f:
                for w in r[name]["over_time"]:
                    if w["latency_ms"]["count"]:
                        f.write(f'{w["t"]} {w["latency_ms"]["p50"] / 1000} {w["latency_ms"]["p99"] / 1000}\n')
            with open(os.path.join(d, f"{name}-cpu.dat"), "w") as f:
                for w in r[name]["cpu_over_time"]:
                    f.write(f'{w["t"]} {w["cpu_percent"]}\n')
        title = (f'{r["stream"]["video"]} {r["stream"]["width"]}x{r["stream"]["height"]} at {FPS} fps, VP8 over RTP, '
                 f'Haar faces on 1 frame in {r["every"]}, both peers at once on {r["machine"]["cores"]} cores')
        script = f'''
set terminal pngcairo size 900,700 font "sans,10"
set output "{png}"
set multiplot layout 2,1 title "{title}"
set grid
set key left top
set xrange [0:{r["stream"]["seconds"]:.0f}]
set xlabel "time (s)"
set ylabel "latency, sent to classified (s)"
set logscale y
plot "{d}/python.dat" using 1:3 with lines lw 2 lc rgb "#c0392b" title "cv2.VideoCapture loop, p99 per 10 s", \\
     "{d}/python.dat" using 1:2 with lines dt 2 lc rgb "#c0392b" title "p50", \\
     "{d}/elaborator.dat" using 1:3 with lines lw 2 lc rgb "#2471a3" title "elaborator, p99 per 10 s", \\
     "{d}/elaborator.dat" using 1:2 with lines dt 2 lc rgb "#2471a3" title "p50"
unset logscale y
set ylabel "CPU (% of one core)"
set yrange [0:*]
set key horizontal outside top center
plot "{d}/python-cpu.dat" using 1:2 with lines lw 2 lc rgb "#c0392b" title "cv2.VideoCapture loop", \\
     "{d}/elaborator-cpu.dat" using 1:2 with lines lw 2 lc rgb "#2471a3" title "elaborator", \\
     "{d}/others-cpu.dat" using 1:2 with lines lc rgb "#7f7f7f" title "the rest of the machine (sender excluded)"
unset multiplot
'''
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--elaborator", help="the built elaborator_benchmark (it runs the elaborator side)")
    p.add_argument("--seconds", type=float, default=600, help="how long the sender sends (default: %(default)s)")
    p.add_argument("--every", type=int, default=3, help="classify every Nth frame, both peers (default: %(default)s)")
    p.add_argument("--video", default=MEGAMIND, help="the clip to loop (default: Debian's Megamind.avi)")
    p.add_argument("--cascade", default=CASCADE, help="the Python peer's cascade (the elaborator's default one)")
    p.add_argument("--out", help="directory for the processes' logs (default: a new temporary one)")
    p.add_argument("--json", help="write the figures here")
    p.add_argument("--plot", help="draw latency and CPU over time into this PNG (gnuplot)")
    p.add_argument("--from-json", metavar="JSON", help="run nothing: summarise (and --plot) a run's saved --json")
    p.add_argument("--role", choices=["sender", "peer"], help=argparse.SUPPRESS)
    p.add_argument("--ports", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--log", help=argparse.SUPPRESS)
    a = p.parse_args()

    if a.role == "sender":
        return sender(a)
    if a.role == "peer":
        return peer(a)
    if a.from_json:
        with open(a.from_json) as f:
            report = json.load(f)
        print(summary(report))
        if a.plot:
            plot(report, a.plot)
        return 0
    missing = [m for m in ("cv2", "gi") if importlib.util.find_spec(m) is None]
    if missing:
        fail(f"no module {', '.join(missing)} in {sys.executable}: run it with Debian's /usr/bin/python3 "
             "(packages python3-opencv, python3-gi)")
    if not a.elaborator or not os.access(a.elaborator, os.X_OK):
        fail("--elaborator: the built elaborator_benchmark is needed "
             "(cmake --build build --target elaborator_benchmark)")
    for path in (a.video, a.cascade):
        if not os.path.isfile(path):
            fail(f"not found: {path} (Debian packages opencv-doc and opencv-data)")
    if a.every < 1 or a.seconds < 20:
        fail("--every must be at least 1 and --seconds at least 20")
    out_dir = a.out or tempfile.mkdtemp(prefix="seed_peer.")
    os.makedirs(out_dir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("seed_peer.py: terminated"))

    measured = run(a, out_dir)
    report = analyse(a, out_dir, measured)
    print(summary(report))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
    if a.plot:
        plot(report, a.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
