// The viewer page: one Janus Streaming mountpoint (?mountpoint=ID), its video with the elaborator's results.
'use strict';

const settings = pageSettings();
connectJanus(settings.janus, {
  success: (janus) => {
    const watching = watchMountpoint(janus, settings.mountpoint, {
      video: document.getElementById('video'),
      canvas: document.getElementById('overlay'),
      audio: document.getElementById('audio'),
      list: document.getElementById('elaborations'),
    }, setStatus);
    window.elaboratorResults = watching.results;
  },
  error: (error) => setStatus(error),
});
