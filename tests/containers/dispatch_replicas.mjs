// The browser half of dispatch_replicas.sh (which runs Janus and the replicas from deploy/kubernetes/dispatch.yaml):
// four Chromium fake cameras publish to room 1234 with ids chosen so that two hash to each of the two
// replicas. Each publisher must be analysed by the replica its hash names and by no other (asked of both
// replicas' GET /v1/janus and /v1/streams), the room page must show four tiles with results and video, and when one
// leaves, its replica alone takes it down. Exit code 0: passed, 1: failed, 77: a real part is missing.
//
//   node tests/containers/dispatch_replicas.mjs --out DIR --janus URL --controls PORT0,PORT1

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Harness, launchChromium, makeFakeCamera } from '../e2e/harness.mjs';

const { values: options } = parseArgs({
  options: { out: { type: 'string' }, janus: { type: 'string' }, controls: { type: 'string' } },
});
const room = 1234;
const harness = new Harness('dispatch replicas', options.out);
const fail = (message) => harness.fail(message);
const waitFor = (what, check, timeoutMs) => harness.waitFor(what, check, timeoutMs);
const replicas = options.controls.split(',').map((port, index) => ({ index, control: `http://127.0.0.1:${port}` }));

// The dispatcher's publisher_hash (include/elaborator/janus/dispatcher.hpp): FNV-1a over the room's and the
// publisher's 8 bytes, little-endian first. Written again here so that a change there fails this test.
function replicaOf(publisher) {
  let hash = 14695981039346656037n;
  for (const value of [BigInt(room), BigInt(publisher)]) {
    for (let byte = 0n; byte < 8n; byte += 1n) {
      hash ^= (value >> (8n * byte)) & 0xFFn;
      hash = (hash * 1099511628211n) & 0xFFFFFFFFFFFFFFFFn;
    }
  }
  return Number(hash % BigInt(replicas.length));
}

// The first ids from 1001 on, two for each replica.
function chooseIds(perReplica) {
  const ids = [];
  const taken = replicas.map(() => 0);
  for (let id = 1001; ids.length < perReplica * replicas.length; id += 1) {
    const replica = replicaOf(id);
    if (taken[replica] < perReplica) { taken[replica] += 1; ids.push(id); }
  }
  return ids;
}

async function get(replica, pathname) {
  return (await fetch(`${replica.control}${pathname}`)).json();
}

// Publisher id -> the replicas that analyse it (each replica's streams, and its dispatcher's account).
async function assignment() {
  const analysedBy = new Map();
  for (const replica of replicas) {
    const streams = new Set((await get(replica, '/v1/streams')).streams
      .filter((s) => s.stats.frames_decoded > 0).map((s) => s.id));
    for (const [streamId, published] of Object.entries((await get(replica, '/v1/janus')).publishers)) {
      if (!streams.has(streamId)) continue;
      analysedBy.set(published.publisher, [...(analysedBy.get(published.publisher) ?? []), replica.index]);
    }
  }
  return analysedBy;
}

async function main() {
  const work = fs.mkdtempSync(path.join(options.out, 'browser-'));
  const pages = await harness.startPageServer();
  const browser = await launchChromium(makeFakeCamera(work));
  try {
    const ids = chooseIds(2);
    const publishers = [];
    for (const id of ids) {
      const page = await browser.newPage();
      await page.goto(`${pages.base}/publish.html?janus=${encodeURIComponent(options.janus)}&room=${room}&display=camera-${id}&id=${id}`);
      publishers.push({ id, page });
    }
    // Every publisher analysed, timed from its page publishing to its stream decoding: replica 0 hears
    // Janus's events, replica 1 only reconciles (every 2 s).
    const published = new Map();
    const analysed = new Map();
    const analysedBy = await waitFor('every publisher to publish and be analysed', async () => {
      for (const p of publishers) {
        if (!published.has(p.id) && await p.page.evaluate(() => document.body.dataset.state === 'publishing')) {
          published.set(p.id, Date.now());
        }
      }
      const now = await assignment();
      for (const id of now.keys()) if (published.has(id) && !analysed.has(id)) analysed.set(id, Date.now() - published.get(id));
      return ids.every((id) => analysed.has(id)) ? now : null;
    }, 60000);
    for (const id of ids) {
      const by = analysedBy.get(id);
      if (by.length !== 1 || by[0] !== replicaOf(id)) fail(`publisher ${id} is analysed by replica(s) ${by}, not by ${replicaOf(id)} alone`);
    }
    const strangers = [...analysedBy.keys()].filter((id) => !ids.includes(id));
    if (strangers.length > 0) fail(`publishers ${strangers} that never joined are analysed`);

    // The room page: a tile per publisher, whichever replica made its mountpoint, each with results.
    const roomPage = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await roomPage.goto(`${pages.base}/room.html?janus=${encodeURIComponent(options.janus)}&room=${room}`);
    await waitFor('four tiles with results', () => roomPage.evaluate((expected) => {
      const withResults = Object.values(window.roomResults).filter((results) => results.length > 0);
      return document.body.dataset.tiles === String(expected) && withResults.length === expected;
    }, ids.length), 30000);
    // And their video plays (a mountpoint's viewers get keyframes when its elaborator asks for them).
    await waitFor('every tile\'s video to play', () => roomPage.evaluate(() =>
      [...document.querySelectorAll('.tile video')].every((video) => video.videoWidth > 0
        && video.getVideoPlaybackQuality().totalVideoFrames > 10)), 30000);
    await roomPage.screenshot({ path: path.join(options.out, 'room.png') });

    // One leaves: its replica takes it down; the others go on as they were.
    const leaving = publishers[0];
    await leaving.page.evaluate(() => new Promise((resolve) => {
      window.publisherHandle.send({ message: { request: 'leave' }, success: resolve, error: resolve });
    }));
    await leaving.page.close();
    const after = await waitFor(`publisher ${leaving.id} taken down`, async () => {
      const now = await assignment();
      return now.has(leaving.id) ? null : now;
    }, 15000);
    for (const id of ids.slice(1)) {
      if (after.get(id)?.[0] !== replicaOf(id)) fail(`publisher ${id} is no longer analysed by replica ${replicaOf(id)}`);
    }
    await waitFor('its tile to go', () => roomPage.evaluate((expected) => document.body.dataset.tiles === String(expected),
      ids.length - 1), 10000);

    const times = replicas.map((r) => ids.filter((id) => replicaOf(id) === r.index).map((id) => `${analysed.get(id)} ms`));
    console.log(`dispatch replicas: PASSED: publishers ${ids} analysed by replicas ${ids.map(replicaOf)}, each by exactly `
      + `one; from publishing to its stream decoding: ${times.map((t, i) => `replica ${i} ${t.join(', ')}`).join('; ')}; `
      + `four tiles with results and video in the room page; `
      + `publisher ${leaving.id} taken down by its replica when it left, the others untouched`);
  } finally {
    await browser.close();
    pages.server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => fail(error.stack || String(error)));
