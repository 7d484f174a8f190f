// The room page: one tile per publisher of a VideoRoom that the elaborator analyses (?room=ID), each its
// mountpoint's video with the results over it. The elaborator's dispatcher describes the mountpoints it
// makes "elaborator/<instance>/<room>/<publisher>/<mid>": the page lists the Streaming plugin's mountpoints
// every 250 ms (a new publisher's tile must not wait long for it) and keeps one tile for each of this
// room's, so tiles come and go with the publishers.
'use strict';

const settings = pageSettings();
const tiles = new Map();  // mountpoint id -> { element, watching }
// For tests: every tile's results, by the mountpoint's description.
window.roomResults = {};

connectJanus(settings.janus, {
  success: (janus) => {
    setStatus('listing the mountpoints');
    janus.attach({
      plugin: 'janus.plugin.streaming',
      success: (lister) => {
        // janus.js swallows what its callbacks throw (it logs it only with debug on): say it on the page.
        const list = () => lister.send({
          message: { request: 'list' },
          success: (answer) => {
            try {
              update(janus, answer.list || []);
            } catch (error) {
              setStatus(`cannot show the mountpoints: ${error}`);
            }
          },
        });
        list();
        setInterval(list, 250);
      },
      error: (error) => setStatus(`cannot attach to the Streaming plugin: ${error}`),
    });
  },
  // A Janus that went away (restarted): start again in a moment.
  error: (error) => {
    setStatus(error);
    setTimeout(() => location.reload(), 2000);
  },
});

function update(janus, mountpoints) {
  const ours = mountpoints.filter((m) => typeof m.description === 'string' && m.description.startsWith('elaborator/')
    && m.description.split('/')[2] === String(settings.room));
  const wanted = new Set(ours.map((m) => m.id));
  for (const [id, tile] of tiles) {
    if (wanted.has(id)) continue;
    tile.watching.detach();
    tile.element.remove();
    tiles.delete(id);
  }
  for (const mountpoint of ours) {
    if (!tiles.has(mountpoint.id)) tiles.set(mountpoint.id, addTile(janus, mountpoint));
  }
  setStatus(`${tiles.size} publisher${tiles.size === 1 ? '' : 's'} analysed`);
  document.body.dataset.tiles = String(tiles.size);
}

// A tile: the publisher, its video and overlay, its captions and level meters, and its elaborations'
// switches. Names are text, never HTML.
function addTile(janus, mountpoint) {
  const [, , room, publisher, mid] = mountpoint.description.split('/');
  const element = document.createElement('section');
  element.className = 'tile';
  element.dataset.description = mountpoint.description;
  const title = document.createElement('h2');
  // The mid names the published stream, video or audio: a publisher with both has a tile for each.
  title.textContent = `publisher ${publisher}${mid ? ` (stream ${mid})` : ''}, room ${room}`;
  const status = document.createElement('p');
  status.className = 'status';
  const stage = document.createElement('div');
  stage.className = 'stage';
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  const canvas = document.createElement('canvas');
  stage.append(video, canvas);
  const audio = document.createElement('div');
  audio.className = 'audio';
  const list = document.createElement('fieldset');
  list.className = 'elaborations';
  const legend = document.createElement('legend');
  legend.textContent = 'Elaborations';
  list.append(legend);
  element.append(title, status, stage, audio, list);
  const watching = watchMountpoint(janus, mountpoint.id, { video, canvas, list, audio },
    (text) => { status.textContent = text; });
  window.roomResults[mountpoint.description] = watching.results;
  document.getElementById('tiles').append(element);  // only once it watches: a failed tile must not stay
  return { element, watching };
}
