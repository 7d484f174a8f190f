#!/usr/bin/env python3
"""Makes the seed corpora of the fuzz targets from real traffic on this machine, over 127.0.0.1:

  rtp_header, rtp_pipeline   RTP from GStreamer senders (VP8, VP9, H.264) of a test pattern and of Debian's
                             Megamind.avi, and (Opus, PCMU, PCMA) of a tone and of real speech (Debian's
                             pocketsphinx-testdata), captured from a UDP socket
  rtcp                       the RTCP a GStreamer rtpbin sender emits (sender reports, SDES, BYE)
  janus_answer               the answers of a private Janus (examples/janus/make-config) to the requests
                             elaborator_janus makes, refusals included
  result_datagram, config    results written by face_detector on Megamind.avi, and the documented configs

Run it from the repository (it needs gst-launch-1.0, janus, a build of face_detector) to refresh the seeds:
  fuzz/capture-seeds.py BUILD_DIR
Seeds are named after what they are; crash and timeout reproducers found later go beside them as crash-*.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
MEGAMIND = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"
ENCODERS = {
    "vp8": "vp8enc deadline=1 keyframe-max-dist=10 ! rtpvp8pay pt=96",
    "vp9": "vp9enc deadline=1 keyframe-max-dist=10 ! rtpvp9pay pt=96",
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay pt=96 config-interval=-1",
}
AUDIO_ENCODERS = {
    "opus": "audioconvert ! audioresample ! opusenc ! rtpopuspay pt=96",
    "pcmu": "audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay pt=96",
    "pcma": "audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay pt=96",
}
SPEECH = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav"
# fuzz_rtp_pipeline's first byte picks the codec (Codec's order in source.hpp)
CODEC_BYTE = {"vp8": 0, "vp9": 1, "h264": 2, "opus": 3, "pcmu": 4, "pcma": 5}


def corpus(name):
    path = os.path.join(HERE, "corpus", name)
    os.makedirs(path, exist_ok=True)
    return path


def write(name, seed, data):
    with open(os.path.join(corpus(name), seed), "wb") as f:
        f.write(data)


def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    return s


def capture(sender, sock):
    """Runs a gst-launch sender and returns the datagrams it sent to `sock`."""
    process = subprocess.Popen(["gst-launch-1.0", "-q"] + sender.split())
    packets = []
    try:
        while True:
            packets.append(sock.recv(65536))
    except socket.timeout:
        pass
    process.wait(timeout=30)
    return packets


def rtp_pipeline_seed(codec, name, source, encoder):
    """Sends `source` through `encoder` as RTP, keeps it as a seed of fuzz_rtp_pipeline, returns its packets."""
    sock = udp_socket()
    port = sock.getsockname()[1]
    packets = capture(f"{source} ! {encoder} ! udpsink host=127.0.0.1 port={port}", sock)
    sock.close()
    if not packets:
        sys.exit(f"rtp {codec} {name}: the sender sent nothing")
    stream = bytes([CODEC_BYTE[codec]]) + b"".join(len(p).to_bytes(2, "big") + p for p in packets)
    write("rtp_pipeline", f"{codec}-{name}-{len(packets)}-packets", stream)
    print(f"rtp {codec} {name}: {len(packets)} packets")
    return packets


def capture_rtp():
    for codec, encoder in ENCODERS.items():
        for video, source in [("pattern", "videotestsrc num-buffers=20 pattern=ball ! video/x-raw,width=160,height=120"),
                              ("megamind", f"filesrc location={MEGAMIND} ! decodebin ! videoconvert ! videoscale ! "
                                           "video/x-raw,width=176,height=128 ! identity eos-after=12")]:
            if codec == "vp9" and video == "megamind":
                continue  # vp9enc sends nothing for this decodebin source here; the pattern covers VP9
            packets = rtp_pipeline_seed(codec, video, source, encoder)
            for i in (0, 1, len(packets) - 1):
                write("rtp_header", f"{codec}-{video}-packet-{i}", packets[i])


def capture_audio_rtp():
    for codec, encoder in AUDIO_ENCODERS.items():
        # A tenth of a second of each: about 5 Opus packets of 20 ms, 5 G.711 packets of 20 ms.
        for audio, source in [("tone", "audiotestsrc num-buffers=5 samplesperbuffer=960 ! audio/x-raw,rate=48000"),
                              ("speech", f"filesrc location={SPEECH} ! wavparse ! identity eos-after=10")]:
            rtp_pipeline_seed(codec, audio, source, encoder)


def capture_rtcp():
    rtp, rtcp = udp_socket(), udp_socket()
    sender = (f"rtpbin name=b videotestsrc num-buffers=300 is-live=true ! video/x-raw,width=64,height=48,framerate=30/1 ! "
              f"vp8enc deadline=1 ! rtpvp8pay pt=96 ! b.send_rtp_sink_0 b.send_rtp_src_0 ! "
              f"udpsink host=127.0.0.1 port={rtp.getsockname()[1]} b.send_rtcp_src_0 ! "
              f"udpsink host=127.0.0.1 port={rtcp.getsockname()[1]} sync=false async=false")
    process = subprocess.Popen(["gst-launch-1.0", "-q"] + sender.split())
    packets = []
    deadline = time.time() + 15
    while time.time() < deadline and process.poll() is None:
        try:
            packets.append(rtcp.recv(65536))
        except socket.timeout:
            continue
    process.wait(timeout=30)
    for i, packet in enumerate(packets[:4]):
        write("rtcp", f"gstreamer-rtpbin-{i}", packet)
    print(f"rtcp: {len(packets)} packets")


def janus_answers(build):
    with tempfile.TemporaryDirectory() as work:
        http = socket.socket()
        http.bind(("127.0.0.1", 0))
        port = http.getsockname()[1]
        http.close()
        subprocess.run([os.path.join(SOURCE, "examples/janus/make-config"), f"{work}/janus", "--http-port", str(port),
                        "--rtp-ports", "41000-41099"], check=True, stdout=subprocess.DEVNULL)
        secrets = dict(line.split("=", 1) for line in open(f"{work}/janus/secrets.env").read().split())
        janus = subprocess.Popen(["janus", "-C", f"{work}/janus/janus.jcfg", "-F", f"{work}/janus", "-N", "-o"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/janus"
            for _ in range(50):
                try:
                    urllib.request.urlopen(f"{url}/info", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)

            def post(path, body, seed):
                body["transaction"] = seed
                request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
                answer = urllib.request.urlopen(request, timeout=5).read()
                write("janus_answer", seed, answer)
                return json.loads(answer)

            session = post("", {"janus": "create"}, "create-session")["data"]["id"]
            post(f"/{session + 1}", {"janus": "attach", "plugin": "janus.plugin.streaming"}, "error-no-such-session")
            streaming = post(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.streaming"}, "attach")["data"]["id"]
            media = [{"type": "video", "mid": "v", "port": 0, "pt": 96, "codec": "vp8"},
                     {"type": "data", "mid": "d", "port": 0, "datatype": "text", "buffermsg": True}]
            post(f"/{session}/{streaming}", {"janus": "message", "body": {"request": "create", "type": "rtp", "id": 7,
                 "admin_key": secrets["JANUS_ADMIN_KEY"], "media": media}}, "mountpoint-created")
            post(f"/{session}/{streaming}", {"janus": "message", "body": {"request": "create", "type": "rtp", "id": 7,
                 "admin_key": secrets["JANUS_ADMIN_KEY"], "media": media}}, "mountpoint-exists")
            post(f"/{session}/{streaming}", {"janus": "message", "body": {"request": "create", "type": "rtp",
                 "media": media}}, "mountpoint-no-admin-key")
            room = post(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"}, "attach-videoroom")["data"]["id"]
            post(f"/{session}/{room}", {"janus": "message", "body": {"request": "listparticipants", "room": 1234}},
                 "participants-none")
            post(f"/{session}/{room}", {"janus": "message", "body": {"request": "rtp_forward", "room": 1234,
                 "publisher_id": 42, "secret": "wrong", "host": "127.0.0.1", "video_port": 5004}}, "forward-wrong-secret")
            post(f"/{session}/{room}", {"janus": "message", "body": {"request": "rtp_forward", "room": 1234,
                 "publisher_id": 42, "secret": secrets["JANUS_ROOM_SECRET"], "host": "127.0.0.1", "video_port": 5004}},
                 "forward-no-such-feed")
            post(f"/{session}/{room}", {"janus": "message", "body": {"request": "listparticipants", "room": 99}},
                 "participants-no-such-room")
            print("janus: answers captured")
        finally:
            janus.terminate()
            janus.wait(timeout=10)


def results(build):
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([os.path.join(build, "examples/face_detector"), "--file", MEGAMIND, "--every", "90",
                        "--jsonl", f"{work}/r.jsonl", "--stats-interval", "0"], check=True, stderr=subprocess.DEVNULL)
        for i, line in enumerate(open(f"{work}/r.jsonl").read().splitlines()):
            for limit in (2, 60):  # limits of 96 and 1024 bytes (fuzz_result_datagram's first byte)
                write("result_datagram", f"face-detector-megamind-{i}-limit-{64 + (limit << 4)}",
                      bytes([limit]) + line.encode())
    print("results captured")


def configs():
    text = open(os.path.join(SOURCE, "include/elaborator/config.hpp")).read()
    example = "".join(line[3:] + "\n" for line in text.splitlines() if line.startswith("// ") and "//   " in line[:6])
    write("config", "documented-in-config-hpp", example.encode())
    write("config", "minimal", b'{"streams": [{"id": "a", "rtp": {"port": 5004}, "elaborations": [{}]}]}')


if __name__ == "__main__":
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SOURCE, "build")
    capture_rtp()
    capture_audio_rtp()
    capture_rtcp()
    janus_answers(build)
    results(build)
    configs()
