// Watches a Janus Streaming mountpoint: plays its video and draws the elaborator's results, which arrive
// on the mountpoint's datachannel, on top of it.
'use strict';

const settings = pageSettings();
const video = document.getElementById('video');
const canvas = document.getElementById('overlay');
const elaborations = new Elaborations(document.getElementById('elaborations'));
const decoder = new TextDecoder();
// For tests and curious users: every result message received, in order, with when it arrived (ms).
window.elaboratorResults = [];

connectJanus(settings.janus, 'janus.plugin.streaming', {
  success: (handle) => {
    window.streamingHandle = handle;
    setStatus('asking to watch');
    handle.send({ message: { request: 'watch', id: settings.mountpoint } });
  },
  error: (error) => setStatus(`cannot attach to the Streaming plugin: ${error}`),
  onmessage: (message, jsep) => {
    const handle = window.streamingHandle;
    if (message.error) setStatus(`Streaming error: ${message.error}`);
    if (message.result && message.result.status) setStatus(message.result.status);
    if (jsep) {
      handle.createAnswer({
        jsep,
        tracks: [{ type: 'data' }],  // receive what the mountpoint offers, send nothing but a datachannel
        success: (answer) => handle.send({ message: { request: 'start' }, jsep: answer }),
        error: (error) => setStatus(`WebRTC error: ${error.message || error}`),
      });
    }
  },
  onremotetrack: (track, mid, on) => {
    if (track.kind === 'video' && on) video.srcObject = new MediaStream([track]);
  },
  ondataopen: () => { document.body.dataset.datachannel = 'open'; },
  ondata: (data) => {
    // Janus delivers text datachannel messages as ArrayBuffer in Chromium.
    const text = typeof data === 'string' ? data : decoder.decode(data);
    let message;
    try {
      message = JSON.parse(text);
    } catch (error) {
      return;  // not ours
    }
    if (elaborations.accept(message)) window.elaboratorResults.push({ receivedAt: Date.now(), message });
  },
});

function render() {
  if (canvas.width !== video.clientWidth || canvas.height !== video.clientHeight) {
    canvas.width = video.clientWidth;
    canvas.height = video.clientHeight;
  }
  elaborations.draw(canvas);
  requestAnimationFrame(render);
}
requestAnimationFrame(render);
