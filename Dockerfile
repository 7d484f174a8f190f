# The elaborator examples as an OCI image: one container per video stream.
#
#   podman build --pull=never -t localhost/elaborator .      (or: docker build -t elaborator .)
#   podman run --rm --network=host localhost/elaborator face_detector --rtp-port 5004 --udp 127.0.0.1:20001
#
# Configuration: command-line options, or the same options as ELABORATOR_<OPTION> environment variables
# (ELABORATOR_RTP_PORT=5004, ELABORATOR_UDP=..., ELABORATOR_STDOUT=1); the command line wins.
# See docs/deployment.md. The programs: face_detector (the default), dark_frames, object_detector,
# face_recognizer, emotion_client, elaborator (all their kinds in one process, streams added through its
# control API), and elaborator_janus (Janus's HTTP API from scripts and init containers). object_detector's
# model goes in a volume at /models (docs/deployment.md); fetch_ssd_mobilenet.sh, on the PATH, fetches it.

# ---- build: the compilers and -dev packages, never shipped
# Every apt-get here cleans up after itself (lists and downloaded packages): Debian's official image does that by
# itself, a debootstrap'd one (deploy/debian-base-image.sh) does not, and 230 MB of .deb files would ship.
FROM debian:bookworm AS build
ARG JOBS=2
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config libopencv-dev libopencv-contrib-dev \
      libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev \
      libfmt-dev libcxxopts-dev nlohmann-json3-dev libcurl4-openssl-dev libcpp-httplib-dev \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Sources last, so that editing them reuses the cached layers above.
COPY CMakeLists.txt ./
COPY cmake cmake
COPY include include
COPY examples examples
# -O2, not Release's -O3: the programs spend their time in OpenCV and GStreamer. Only the stripped programs
# stay in the layer (a cached build tree would be dead weight on every rebuild).
RUN cmake -S . -B /tmp/build -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
          -DELABORATOR_BUILD_TESTS=OFF \
 && cmake --build /tmp/build -j "$JOBS" \
 && mkdir /out \
 && cd /tmp/build/examples \
 && install -s -m 755 face_detector dark_frames object_detector face_recognizer emotion_client elaborator elaborator_janus /out/ \
 && rm -rf /tmp/build

# ---- runtime: the shared libraries, GStreamer plugins and data the programs load, and nothing else
FROM debian:bookworm
# OpenCV's modules; GStreamer with RTP, the VP8/VP9 decoders (good), h264parse (bad) and avdec_h264 (libav);
# opencv-data for face_detector's Haar cascade; tini as PID 1 (passes SIGTERM on, reaps); CA certificates
# for emotion_client's HTTPS and, with curl, for fetch_ssd_mobilenet.sh.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libopencv-core406 libopencv-imgproc406 libopencv-imgcodecs406 libopencv-objdetect406 \
      libopencv-dnn406 libopencv-contrib406 opencv-data \
      libgstreamer1.0-0 libgstreamer-plugins-base1.0-0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
      gstreamer1.0-plugins-bad gstreamer1.0-libav \
      libfmt9 libcurl4 libcpp-httplib0.11 ca-certificates curl tini \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
# object_detector's class names, where its --labels default points: the file of Debian's opencv-doc (the
# project's copy of it: the package is 270 MB of documentation). Its model is in no package: the script that
# fetches it, and /models for a volume that holds it (ELABORATOR_MODELS, where object_detector looks by default
# and the script writes). See docs/deployment.md.
COPY examples/models/object_detection_classes_coco.txt /usr/share/doc/opencv-doc/examples/data/dnn/
COPY examples/models/fetch_ssd_mobilenet.sh /usr/local/bin/
COPY --from=build /out/ /usr/local/bin/
# A library missing here would only show when a container starts: fail the build instead.
RUN ! ldd /usr/local/bin/* | grep 'not found'
# Not root: a fixed numeric id, so Kubernetes' runAsNonRoot can check it. GStreamer keeps its plugin
# registry in the home directory.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/elaborator elaborator \
 && install -d -o 10001 -g 10001 /models
ENV ELABORATOR_MODELS=/models
USER 10001:10001
WORKDIR /home/elaborator
# In a container the RTP port must be reachable from outside it. With host networking, prefer 127.0.0.1
# (Janus on the same machine) or ELABORATOR_ALLOWED_SENDER=<Janus's address>. Following rooms (--room),
# where ports are per publisher, set it empty: --janus-host says what to bind.
ENV ELABORATOR_BIND=0.0.0.0
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["face_detector"]
