// Publishes the camera to a Janus VideoRoom, video only (the elaborator analyses video); ?media=audio
// publishes the microphone alone instead, as someone with the camera off.
'use strict';

const settings = pageSettings();
document.getElementById('viewer-link').search = location.search;

connectJanus(settings.janus, {
  success: (janus) => janus.attach({ plugin: 'janus.plugin.videoroom', ...publisher }),
  // A Janus that went away (restarted): start again in a moment, as a camera app would reconnect.
  error: (error) => {
    setStatus(error);
    setTimeout(() => location.reload(), 2000);
  },
});

const publisher = {
  success: (handle) => {
    setStatus('joining');
    const join = { request: 'join', ptype: 'publisher', room: settings.room, display: settings.display };
    if (settings.publisherId !== undefined) join.id = settings.publisherId;
    handle.send({ message: join });
    window.publisherHandle = handle;
  },
  error: (error) => setStatus(`cannot attach to the VideoRoom: ${error}`),
  onmessage: (message, jsep) => {
    const handle = window.publisherHandle;
    if (message.videoroom === 'joined') {
      document.body.dataset.publisherId = message.id;
      publish(handle);
    } else if (message.error) {
      setStatus(`VideoRoom error: ${message.error}`);
    }
    if (message.configured === 'ok') {
      // The mid names the video stream in an rtp_forward request ("elaborator_janus forward --mid").
      const video = (message.streams || []).find((stream) => stream.type === 'video');
      if (video) document.body.dataset.videoMid = video.mid;
      setStatus('publishing');
    }
    if (jsep) handle.handleRemoteJsep({ jsep });
  },
  onlocaltrack: (track, on) => {
    if (track.kind === 'video' && on) document.getElementById('preview').srcObject = new MediaStream([track]);
  },
};

function publish(handle) {
  setStatus('starting the camera');
  handle.createOffer({
    tracks: [{ type: settings.media, capture: true, recv: false }],
    success: (jsep) => handle.send({
      message: { request: 'configure', audio: settings.media === 'audio', video: settings.media === 'video' }, jsep }),
    error: (error) => setStatus(`cannot start the camera: ${error.message || error}`),
  });
}
