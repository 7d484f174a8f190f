// Watches one Janus Streaming mountpoint on an open Janus session: plays its video in `elements.video` and
// draws the elaborator's results, which arrive on the mountpoint's datachannel, on `elements.canvas` over
// it, with one switch per elaboration in `elements.list`, and audio results (captions, level meters) in
// `elements.audio` under it. Used by the viewer page (one mountpoint) and the room page (one tile per
// analysed publisher). Returns { detach(), results }: results is the first `keptResults` messages received,
// in order, with when each arrived (ms), for tests and curious users (only the first: a page left open on a
// wall for weeks must not grow).
'use strict';

const keptResults = 1000;

function watchMountpoint(janus, id, elements, onStatus) {
  const elaborations = new Elaborations(elements.list, elements.audio);
  const decoder = new TextDecoder();
  const watching = { results: [], handle: null, closed: false, idleTimer: null };
  janus.attach({
    plugin: 'janus.plugin.streaming',
    success: (handle) => {
      watching.handle = handle;
      onStatus('asking to watch');
      handle.send({ message: { request: 'watch', id } });
    },
    error: (error) => onStatus(`cannot attach to the Streaming plugin: ${error}`),
    onmessage: (message, jsep) => {
      if (message.error) onStatus(`Streaming error: ${message.error}`);
      if (message.result && message.result.status) onStatus(message.result.status);
      if (jsep) {
        watching.handle.createAnswer({
          jsep,
          tracks: [{ type: 'data' }],  // receive what the mountpoint offers, send nothing but a datachannel
          success: (answer) => watching.handle.send({ message: { request: 'start' }, jsep: answer }),
          error: (error) => onStatus(`WebRTC error: ${error.message || error}`),
        });
      }
    },
    onremotetrack: (track, mid, on) => {
      if (track.kind === 'video' && on) elements.video.srcObject = new MediaStream([track]);
    },
    ondataopen: () => { elements.video.dataset.datachannel = 'open'; },
    ondata: (data) => {
      // Janus delivers text datachannel messages as ArrayBuffer in Chromium.
      const text = typeof data === 'string' ? data : decoder.decode(data);
      let message;
      try {
        message = JSON.parse(text);
      } catch (error) {
        return;  // not ours
      }
      if (elaborations.accept(message) && watching.results.length < keptResults) {
        watching.results.push({ receivedAt: Date.now(), message });
      }
    },
  });

  // Redrawn at the video's frame rate, so tracked boxes move with the picture: at each frame the video
  // presents when the browser can say (requestVideoFrameCallback), else at each display refresh. A video
  // with no frames yet or a stalled one presents none, so then a slow timer redraws: results and the
  // switches must show without video too.
  const { video, canvas } = elements;
  let lastDrawnAt = 0;
  function render() {
    if (canvas.width !== video.clientWidth || canvas.height !== video.clientHeight) {
      canvas.width = video.clientWidth;
      canvas.height = video.clientHeight;
    }
    elaborations.draw(canvas);
    lastDrawnAt = performance.now();
  }
  if (typeof video.requestVideoFrameCallback === 'function') {
    const onFrame = () => {
      if (watching.closed) return;
      render();
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    watching.idleTimer = setInterval(() => { if (performance.now() - lastDrawnAt > 200) render(); }, 100);
  } else {
    const onRefresh = () => {
      if (watching.closed) return;
      render();
      requestAnimationFrame(onRefresh);
    };
    requestAnimationFrame(onRefresh);
  }

  return {
    results: watching.results,
    detach: () => {
      watching.closed = true;
      clearInterval(watching.idleTimer);
      if (watching.handle) watching.handle.detach();
    },
  };
}
