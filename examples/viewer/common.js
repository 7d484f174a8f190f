// Shared by the viewer and the publisher pages: settings from the page's address, and a Janus session.
'use strict';

// ?janus=<Janus HTTP API URL>&room=<VideoRoom id>&mountpoint=<Streaming mountpoint id>
function pageSettings() {
  const query = new URLSearchParams(location.search);
  return {
    janus: query.get('janus') || `${location.protocol}//${location.hostname}:8088/janus`,
    room: Number(query.get('room') || 1234),
    mountpoint: Number(query.get('mountpoint') || 1),
  };
}

function setStatus(text) {
  document.getElementById('status').textContent = text;
  document.body.dataset.state = text;
}

// Connects to Janus and attaches one plugin; `callbacks` are janus.js plugin callbacks.
function connectJanus(server, plugin, callbacks) {
  Janus.init({
    debug: false,
    callback: () => {
      const janus = new Janus({
        server,
        success: () => janus.attach({ plugin, ...callbacks }),
        error: (error) => setStatus(`cannot reach Janus at ${server}: ${error}`),
        destroyed: () => setStatus('Janus session closed'),
      });
    },
  });
}
