// End-to-end test of the dispatcher with the real parts: Debian's Janus with its HTTP event handler posting
// to the elaborator's control API, Chromium fake cameras (Megamind.avi) publishing to a VideoRoom, face_detector
// following the room (--janus, --room), and the room page in Chromium. Run inside netns.sh:
//
//   tests/e2e/netns.sh node tests/e2e/dispatch.mjs --build BUILD_DIR --out OUT_DIR [--joins 20]
//
// Two publishers join: the room page shows results on both tiles, each as the elaborator logged it. A third
// is refused at --max-streams 2, counted. One leaves: its forwards, mountpoint and stream are gone (asked of
// Janus with listforwarders and the Streaming list, and of the control API); it rejoins and is analysed
// again. Janus is killed and restarted: every publisher is analysed again within 10 s. The elaborator is
// killed (SIGKILL) and restarted: no duplicate forward or mountpoint is left. 1000 fake events: nothing
// leaks, and the counters say what became of them. A publisher without video (audio only) is tried once.
// --joins N: N more joins of one publisher, timed (from the page publishing to its first result in its
// tile, and from leaving to its ports free) for docs/performance.md. Exit code 0: passed, 1: failed, 77: a real part is missing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Harness, commandLine, describeRoomPage, freePort, janusRequest, launchChromium, makeFakeCamera, percentile,
  recordPageErrors, secretsOf,
} from './harness.mjs';

const options = commandLine('elaborator-dispatch', { joins: '0' });
const room = 1234;
const harness = new Harness('dispatch', options.out);
const fail = (message) => harness.fail(message);
const waitFor = harness.waitFor.bind(harness);
const instance = 'e2e';
const portRange = [30000, 30099];

// --- Janus's own view, over its HTTP API ---

// Our forwards (to 127.0.0.1 within our range) by publisher, and our mountpoints' descriptions.
async function janusState(janus, secret) {
  const forwards = await janusRequest(janus, 'janus.plugin.videoroom', { request: 'listforwarders', room, secret });
  const ours = [];
  for (const p of forwards.publishers ?? []) {
    for (const f of p.forwarders ?? []) {
      if (f.host === '127.0.0.1' && f.port >= portRange[0] && f.port <= portRange[1]) ours.push(p.publisher_id);
    }
  }
  const list = await janusRequest(janus, 'janus.plugin.streaming', { request: 'list' });
  const mountpoints = (list.list ?? []).map((m) => m.description ?? '').filter((d) => d.startsWith(`elaborator/${instance}/`));
  return { forwards: ours, mountpoints };
}

// --- the elaborator and its API ---

async function startElaborator(janus, controlPort) {
  const ready = path.join(options.out, 'ready.json');
  fs.rmSync(ready, { force: true });
  const process = harness.start('elaborator', path.join(options.build, 'examples/face_detector'), [
    '--janus', janus.url, '--room', String(room), '--janus-secrets-file', janus.secrets, '--janus-instance', instance,
    '--janus-ports', portRange.join('-'), '--reconcile-seconds', '2', '--control', `127.0.0.1:${controlPort}`,
    '--ready-file', ready, '--max-streams', '2', '--max-fps', '5', '--name', 'faces', '--stats-interval', '5',
    '--jsonl', path.join(options.out, 'results.jsonl')]);
  await waitFor('the elaborator to be ready', () => fs.existsSync(ready), 10000);
  return process;
}

async function api(controlPort, pathname) {
  return (await fetch(`http://127.0.0.1:${controlPort}${pathname}`)).json();
}

// --- pages ---

async function publish(browser, pages, janus, display) {
  const page = await browser.newPage();
  await page.goto(`${pages.base}/publish.html?janus=${encodeURIComponent(janus.url)}&room=${room}&display=${display}`);
  await waitFor(`${display} to publish`, () => page.evaluate(() => document.body.dataset.state === 'publishing'), 30000);
  const id = Number(await page.evaluate(() => document.body.dataset.publisherId));
  return { page, id, display, publishedAt: Date.now() };
}

async function tileResults(roomPage, publisherId) {
  return roomPage.evaluate((id) => {
    const entry = Object.entries(window.roomResults).find(([description]) => description.split('/')[3] === String(id));
    return entry ? entry[1].map((r) => ({ receivedAt: r.receivedAt, message: r.message })) : null;
  }, publisherId);
}

async function tileCount(roomPage) {
  return Number(await roomPage.evaluate(() => document.body.dataset.tiles ?? '0'));
}

// Every result a tile got is one the elaborator logged, word for word.
function checkAgainstLog(received, publisherId) {
  const logged = new Map();
  for (const line of fs.readFileSync(path.join(options.out, 'results.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) { const m = JSON.parse(line); logged.set(`${m.stream}/${m.elaboration}/${m.sequence}`, m); }
  }
  for (const { message } of received) {
    if (!message.stream.includes(`-p${publisherId}-`)) fail(`publisher ${publisherId}'s tile got ${message.stream}'s result`);
    const original = logged.get(`${message.stream}/${message.elaboration}/${message.sequence}`);
    if (!original || JSON.stringify(original.detections) !== JSON.stringify(message.detections)) {
      fail(`result ${message.stream}/${message.sequence} in the room page is not what the elaborator logged`);
    }
  }
}

async function waitForResults(roomPage, publisher, what, timeoutMs = 30000) {
  return waitFor(what, async () => {
    const results = await tileResults(roomPage, publisher.id);
    return results && results.some((r) => r.message.detections.length > 0) ? results : null;
  }, timeoutMs, () => describeRoomPage(roomPage));
}

// A publisher leaves: its forwards, mountpoint and stream must go. Returns how long until its stream (and
// so its ports) was gone, in ms.
async function leave(publisher, controlPort, janus, secret) {
  const left = Date.now();
  // As a "leave" button does. (A tab closed without it leaves when Janus times its session out: 60 s here.)
  await publisher.page.evaluate(() => new Promise((resolve) => {
    window.publisherHandle.send({ message: { request: 'leave' }, success: resolve, error: resolve });
  }));
  await publisher.page.close();
  const running = async () => (await api(controlPort, '/v1/streams')).streams.some((s) => s.id.includes(`-p${publisher.id}-`));
  const deadline = Date.now() + 15000;
  while (await running()) {
    if (Date.now() > deadline) {
      fail(`publisher ${publisher.id}'s stream still runs 15 s after it left; the dispatcher: `
        + JSON.stringify(await api(controlPort, '/v1/janus')));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const gone = Date.now() - left;
  await waitFor(`publisher ${publisher.id}'s forwards and mountpoint to go`, async () => {
    const state = await janusState(janus, secret);
    return !state.forwards.includes(publisher.id) && !state.mountpoints.some((d) => d.split('/')[3] === String(publisher.id));
  }, 15000);
  return gone;
}

// --- the test ---

async function main() {
  harness.checkParts([[path.join(options.build, 'examples/face_detector'), 'the face_detector example (build it first)']]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'elaborator-dispatch-'));
  const controlPort = await freePort();
  const janus = await harness.startJanus(work, room, ['--events', `http://127.0.0.1:${controlPort}/v1/janus/events`]);
  const secrets = secretsOf(janus);
  const pages = await harness.startPageServer();
  const browser = await launchChromium(makeFakeCamera(work));
  try {
    let elaborator = await startElaborator(janus, controlPort);
    const roomPage = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    recordPageErrors(roomPage);
    await roomPage.goto(`${pages.base}/room.html?janus=${encodeURIComponent(janus.url)}&room=${room}`);

    // Two publishers: both analysed, each tile with its own results.
    const joins = [];
    let alice = await publish(browser, pages, janus, 'alice');
    const bob = await publish(browser, pages, janus, 'bob');
    for (const p of [alice, bob]) {
      const results = await waitForResults(roomPage, p, `results with faces in ${p.display}'s tile`);
      joins.push(results[0].receivedAt - p.publishedAt);
      checkAgainstLog(results, p.id);
    }
    if (await tileCount(roomPage) !== 2) fail(`the room page shows ${await tileCount(roomPage)} tiles for 2 publishers`);
    await roomPage.screenshot({ path: path.join(options.out, 'room.png') });

    // A third is one too many (--max-streams 2): refused, counted, no tile.
    const carol = await publish(browser, pages, janus, 'carol');
    const refused = await waitFor('the third publisher to be refused and counted', async () => {
      const count = (await api(controlPort, '/v1/janus')).stats.refused_at_limit;
      return count >= 1 ? count : null;
    }, 10000);
    if ((await api(controlPort, '/v1/streams')).streams.length !== 2) fail('a third stream runs beyond --max-streams 2');
    await leave(carol, controlPort, janus, secrets.JANUS_ROOM_SECRET).catch(() => {});

    // One leaves, and everything of it goes; it rejoins and is analysed again.
    const freed = [await leave(alice, controlPort, janus, secrets.JANUS_ROOM_SECRET)];
    await waitFor('its tile to go', async () => (await tileCount(roomPage)) === 1, 10000);
    alice = await publish(browser, pages, janus, 'alice');
    const rejoined = await waitForResults(roomPage, alice, 'results for the publisher who rejoined');
    joins.push(rejoined[0].receivedAt - alice.publishedAt);

    // Janus killed and restarted: the pages publish again (as new publishers), and every publisher is
    // analysed again within 10 s.
    const beforeRestart = (await api(controlPort, '/v1/streams')).streams.map((s) => s.id);
    janus.process.kill('SIGKILL');
    await janus.process.exited;
    await janus.restart();
    const restarted = Date.now();
    await waitFor('every publisher analysed again after Janus restarted', async () => {
      const streams = (await api(controlPort, '/v1/streams')).streams;
      return streams.length === 2 && streams.every((s) => !beforeRestart.includes(s.id) && s.stats.frames_decoded > 0);
    }, 30000);
    const reanalysed = Date.now() - restarted;
    if (reanalysed > 10000 + 2000) fail(`publishers analysed again ${reanalysed} ms after Janus restarted (2 s of it the pages' own reconnect delay)`);

    // The elaborator killed and restarted: what it had made is found again, none of it twice.
    elaborator.kill('SIGKILL');
    await elaborator.exited;
    elaborator = await startElaborator(janus, controlPort);
    await waitFor('both publishers analysed by the restarted elaborator', async () =>
      (await api(controlPort, '/v1/streams')).streams.length === 2, 20000);
    const after = await waitFor('no duplicate forward or mountpoint', async () => {
      const state = await janusState(janus, secrets.JANUS_ROOM_SECRET);
      return state.mountpoints.length === 2 && state.forwards.length === 4 ? state : null;
    }, 20000);

    // 1000 fake events (authenticated, as from Janus): counted, and nothing grows.
    const pid = elaborator.pid;
    const usage = () => ({ threads: fs.readdirSync(`/proc/${pid}/task`).length, fds: fs.readdirSync(`/proc/${pid}/fd`).length });
    // Measured once both streams decode (a decoder starts its threads with its first frames).
    await waitFor('both streams decoding', async () =>
      (await api(controlPort, '/v1/streams')).streams.every((s) => s.stats.frames_decoded > 30), 20000);
    const before = usage();
    const statsBefore = (await api(controlPort, '/v1/janus')).stats;
    const auth = `Basic ${Buffer.from(`janus:${secrets.JANUS_EVENTS_SECRET}`).toString('base64')}`;
    for (let batch = 0; batch < 10; batch += 1) {
      const events = Array.from({ length: 100 }, (_, i) => ({
        type: 64, event: { plugin: 'janus.plugin.videoroom',
          data: { event: 'published', room, id: 900000 + batch * 100 + i, streams: [{ type: 'video', mid: '0' }] } } }));
      const answer = await fetch(`http://127.0.0.1:${controlPort}/v1/janus/events`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(events) });
      if (!answer.ok) fail(`the events endpoint answered ${answer.status} to authenticated events`);
    }
    const unauthenticated = await fetch(`http://127.0.0.1:${controlPort}/v1/janus/events`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    if (unauthenticated.status !== 401) fail(`events without the secret were answered ${unauthenticated.status}`);
    const statsAfter = await waitFor('the fake events to be handled', async () => {
      const stats = (await api(controlPort, '/v1/janus')).stats;
      return stats.events_received >= statsBefore.events_received + 1000 &&
        stats.events_unknown >= statsBefore.events_unknown + 1000 ? stats : null;
    }, 30000);
    if ((await api(controlPort, '/v1/streams')).streams.length !== 2) fail('fake events made streams');
    await waitFor(`threads and descriptors back where they were (${JSON.stringify(before)})`, () => {
      const now = usage();
      return now.threads <= before.threads && now.fds <= before.fds;
    }, 10000);

    // More joins, timed, when asked for (docs/performance.md): bob makes room for them (--max-streams 2).
    freed.push(await leave(bob, controlPort, janus, secrets.JANUS_ROOM_SECRET));

    // A publisher without video is tried once, not set up and torn down again at every reconcile.
    const quiet = (await api(controlPort, '/v1/janus')).stats;
    const audioOnly = await browser.newPage();
    await audioOnly.goto(`${pages.base}/publish.html?janus=${encodeURIComponent(janus.url)}&room=${room}&id=4242&media=audio`);
    await waitFor('the audio-only publisher to publish', () => audioOnly.evaluate(() => document.body.dataset.state === 'publishing'), 30000);
    await waitFor('three reconciles with the audio-only publisher in the room', async () =>
      (await api(controlPort, '/v1/janus')).stats.reconciles >= quiet.reconciles + 3, 20000);
    const withAudio = (await api(controlPort, '/v1/janus')).stats;
    const tries = fs.readFileSync(path.join(options.out, 'elaborator.log'), 'utf8').split('\n')
      .filter((line) => line.includes('publisher 4242 publishes no video')).length;
    if (tries !== 1 || withAudio.janus_errors !== quiet.janus_errors || withAudio.publishers_added !== quiet.publishers_added) {
      fail(`the audio-only publisher was tried ${tries} times (${JSON.stringify(quiet)} -> ${JSON.stringify(withAudio)})`);
    }
    await audioOnly.close();
    for (let i = 0; i < Number(options.joins); i += 1) {
      const p = await publish(browser, pages, janus, `join${i}`);
      const results = await waitForResults(roomPage, p, `join ${i}'s first result`);
      joins.push(results[0].receivedAt - p.publishedAt);
      freed.push(await leave(p, controlPort, janus, secrets.JANUS_ROOM_SECRET));
    }

    const exit = await harness.stopGracefully(elaborator);
    if (exit.code !== 0) fail(`the elaborator exited with ${JSON.stringify(exit)}`);
    console.log(`dispatch: PASSED: ${joins.length} joins analysed, first result in the room page p50 ${percentile(joins, 0.5)} ms, `
      + `p95 ${percentile(joins, 0.95)} ms (from the page publishing); ports free ${percentile(freed, 0.5)} ms (p50) after `
      + `leaving; all analysed again ${reanalysed} ms after Janus restarted; after a SIGKILL restart ${after.mountpoints.length} `
      + `mountpoints and ${after.forwards.length} forwards for 2 publishers; 1000 fake events: `
      + `${statsAfter.events_unknown - statsBefore.events_unknown} unknown, none analysed; the third publisher refused at `
      + `--max-streams 2 (counted ${refused} times); an audio-only publisher tried once over 3 reconciles`);
  } finally {
    await harness.tearDown(browser, pages.server, work);
  }
}

main().catch((error) => fail(error.stack || String(error)));
