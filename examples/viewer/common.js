// Shared by the viewer and the publisher pages: settings from the page's address, and a Janus session.
'use strict';

// ?janus=<Janus HTTP API URL>&room=<VideoRoom id>&mountpoint=<Streaming mountpoint id>&display=<publisher name>
// &id=<publisher id> (an application's own user id; unset: Janus picks one)&media=video|audio (what to publish)
function pageSettings() {
  const query = new URLSearchParams(location.search);
  return {
    janus: query.get('janus') || `${location.protocol}//${location.hostname}:8088/janus`,
    room: Number(query.get('room') || 1234),
    mountpoint: Number(query.get('mountpoint') || 1),
    display: query.get('display') || 'camera',
    publisherId: query.has('id') ? Number(query.get('id')) : undefined,
    media: query.get('media') === 'audio' ? 'audio' : 'video',
  };
}

function setStatus(text) {
  document.getElementById('status').textContent = text;
  document.body.dataset.state = text;
}

// Opens a Janus session; `callbacks.success(janus)` gets it, `callbacks.error(text)` says why not.
function connectJanus(server, callbacks) {
  Janus.init({
    debug: false,
    callback: () => {
      const janus = new Janus({
        server,
        success: () => callbacks.success(janus),
        error: (error) => callbacks.error(`cannot reach Janus at ${server}: ${error}`),
        destroyed: () => callbacks.error('Janus session closed'),
      });
    },
  });
}
