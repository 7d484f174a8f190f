// End-to-end test of the dispatcher with a room whose elaboration is an audio one: Debian's Janus with its HTTP
// event handler posting to the elaborator's control API, a Chromium fake microphone (its beeps, Opus)
// publishing to a VideoRoom with its camera off, and sound_level following the room (--janus, --room). Run
// inside netns.sh:
//
//   tests/e2e/netns.sh node tests/e2e/dispatch_audio.mjs --build BUILD_DIR --out OUT_DIR
//
// The publisher's audio stream is analysed: sound_level's results arrive (media "audio", windows classified),
// through a mountpoint of its own whose audio Janus receives. The elaborator is killed (SIGKILL) and
// restarted: it takes the publisher again from the room's list (no event says its audio mid then) and sweeps
// what it had made, so one mountpoint and two forwards are left. The publisher leaves: its forwards,
// mountpoint and stream are gone and its ports free. Exit code 0: passed, 1: failed, 77: a real part is missing.

import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness, commandLine, controlApi as api, freePort, janusRequest, launchChromium, secretsOf } from './harness.mjs';

const options = commandLine('elaborator-dispatch-audio');
const room = 1234;
const publisherId = 4343;
const instance = 'e2e-audio';
const portRange = [30100, 30199];
const harness = new Harness('dispatch audio', options.out);
const fail = (message) => harness.fail(message);
const waitFor = harness.waitFor.bind(harness);
const program = path.join(options.build, 'examples/sound_level');

// Our forwards (within our range) and our mountpoints, as Janus lists them.
async function janusState(janus, secret) {
  const listed = await janusRequest(janus, 'janus.plugin.videoroom', { request: 'listforwarders', room, secret });
  const forwards = (listed.publishers ?? []).flatMap((p) => p.forwarders ?? [])
    .filter((f) => f.port >= portRange[0] && f.port <= portRange[1]);
  const list = await janusRequest(janus, 'janus.plugin.streaming', { request: 'list' });
  const mountpoints = (list.list ?? []).filter((m) => (m.description ?? '').startsWith(`elaborator/${instance}/`));
  return { forwards, mountpoints };
}

function startElaborator(janus, controlPort) {
  return harness.startRoomElaborator(program, janus, { room, instance, ports: portRange, controlPort,
    extra: ['--reconcile-seconds', '1', '--stats-interval', '5'] });
}

// The publisher's audio stream as the control API shows it, once its sound_level has classified windows.
async function analysedAudio(controlPort) {
  const streams = (await api(controlPort, '/v1/streams')).streams;
  const stream = streams.find((s) => s.id.startsWith(`r${room}-p${publisherId}-a`));
  return stream && stream.stats.media === 'audio' && stream.elaborations[0]?.stats.frames_classified > 0 ? stream : null;
}

function portFree(port) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

async function main() {
  harness.checkParts([[program, 'the sound_level example (build it first)']]);
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'elaborator-dispatch-audio-'));
  const controlPort = await freePort();
  const janus = await harness.startJanus(work, room, ['--events', `http://127.0.0.1:${controlPort}/v1/janus/events`]);
  const secret = secretsOf(janus).JANUS_ROOM_SECRET;
  const pages = await harness.startPageServer();
  const browser = await launchChromium(undefined, true);  // a fake microphone: Chromium's beeps
  try {
    let elaborator = await startElaborator(janus, controlPort);
    const page = await harness.publish(browser, pages, janus, { room, id: publisherId, media: 'audio' });
    const publishedAt = Date.now();

    // Analysed from the event: sound_level's results, of audio, for this publisher's stream.
    const stream = await waitFor('sound_level to classify the publisher\'s audio', () => analysedAudio(controlPort), 15000);
    const firstResult = Date.now() - publishedAt;
    const results = fs.readFileSync(path.join(options.out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean)
      .map((line) => JSON.parse(line)).filter((r) => r.stream === stream.id);
    if (results.length === 0 || results.some((r) => r.media !== 'audio' || !r.window)) {
      fail(`the results of ${stream.id} are not audio results: ${JSON.stringify(results.slice(0, 2))}`);
    }
    if (stream.rtcp_port !== null) fail(`the audio stream has an RTCP port: ${JSON.stringify(stream)}`);
    const published = (await api(controlPort, '/v1/janus')).publishers[stream.id];
    if (published?.media !== 'audio' || !published.audio_port) fail(`/v1/janus shows ${JSON.stringify(published)}`);
    const made = await janusState(janus, secret);
    if (made.mountpoints.length !== 1 || made.forwards.length !== 2) fail(`Janus has ${JSON.stringify(made)}`);
    const info = await janusRequest(janus, 'janus.plugin.streaming', { request: 'info', id: made.mountpoints[0].id });
    const media = (info.info?.media ?? []).map((m) => m.type).sort();
    if (JSON.stringify(media) !== '["audio","data"]') fail(`the mountpoint has ${JSON.stringify(info)}`);

    // The elaborator killed and restarted: the publisher is taken again from the room's list, and what the
    // first one made is swept, none of it left twice.
    elaborator.kill('SIGKILL');
    await elaborator.exited;
    elaborator = await startElaborator(janus, controlPort);
    await waitFor('the restarted elaborator to classify the audio', () => analysedAudio(controlPort), 15000);
    const after = await waitFor('one mountpoint and two forwards after the restart', async () => {
      const state = await janusState(janus, secret);
      return state.mountpoints.length === 1 && state.forwards.length === 2 ? state : null;
    }, 10000);

    // The publisher leaves: everything of it goes, and its ports are free.
    const restarted = Object.values((await api(controlPort, '/v1/janus')).publishers)[0];
    await page.evaluate(() => new Promise((resolve) => {
      window.publisherHandle.send({ message: { request: 'leave' }, success: resolve, error: resolve });
    }));
    await page.close();
    await waitFor('its stream to go', async () => (await api(controlPort, '/v1/streams')).streams.length === 0, 10000);
    await waitFor('its forwards and mountpoint to go', async () => {
      const state = await janusState(janus, secret);
      return state.mountpoints.length === 0 && state.forwards.length === 0;
    }, 10000);
    for (const port of [restarted.rtp_port, restarted.audio_port, restarted.data_port]) {
      if (!(await portFree(port))) fail(`port ${port} is still taken after the publisher left`);
    }
    if (Object.keys((await api(controlPort, '/v1/janus')).publishers).length !== 0) fail('/v1/janus still shows a publisher');

    const exit = await harness.stopGracefully(elaborator);
    if (exit.code !== 0) fail(`the elaborator exited with ${JSON.stringify(exit)}`);
    console.log(`dispatch audio: PASSED: ${stream.id} analysed (${results.length} audio results, first ${firstResult} ms after `
      + `publishing); after a SIGKILL restart ${after.mountpoints.length} mountpoint (audio + data) and `
      + `${after.forwards.length} forwards; all gone and ports free after leaving; ${Date.now() - started} ms in all`);
  } finally {
    await harness.tearDown(browser, pages.server, work);
  }
}

main().catch((error) => fail(error.stack || String(error)));
