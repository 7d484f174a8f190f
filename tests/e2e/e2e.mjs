// End-to-end test with the real parts: Debian's Janus, Debian's Chromium driven by playwright-core, the
// face_detector example and the elaborator_janus tool. Run it inside the network namespace netns.sh makes
// (Janus gathers ICE candidates on v0 only; no packet leaves the namespace):
//
//   tests/e2e/netns.sh node tests/e2e/e2e.mjs --mode videoroom|external --build BUILD_DIR --out OUT_DIR
//
// videoroom: a fake camera made from Megamind.avi publishes to a VideoRoom whose periodic keyframe requests
//            are off (fir_freq = 0); Janus forwards it (rtp_forward) to the elaborator, which must ask for
//            keyframes itself (RTCP PLI), and to a Streaming mountpoint for the viewer.
// external:  GStreamer sends Megamind.avi as RTP to the mountpoint and to the elaborator; no VideoRoom.
// In both, the elaborator sends its results to the mountpoint's data port, and a viewer page in Chromium
// must receive video frames and at least 20 results whose boxes are the faces the elaborator logged.
// Exit code 0: passed, 1: failed, 77: a real part is missing (the message says which).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness, commandLine, launchChromium, makeFakeCamera, megamind, percentile } from './harness.mjs';

const options = commandLine('elaborator-e2e', { mode: 'videoroom', results: '20' });
const room = 1234;
const mountpointId = 1;
const wantedResults = Number(options.results);
const harness = new Harness(`e2e ${options.mode}`, options.out);
const fail = (message) => harness.fail(message);
const waitFor = harness.waitFor.bind(harness);

function janusTool(janus, args) {
  const output = execFileSync(path.join(options.build, 'examples/elaborator_janus'),
    [args[0], '--janus', janus.url, '--secrets-file', janus.secrets, ...args.slice(1)], { encoding: 'utf8' });
  return JSON.parse(output);
}

async function startElaborator(dataPort, withRtcp) {
  const ready = path.join(options.out, 'ready.json');
  fs.rmSync(ready, { force: true });
  const args = ['--rtp-port', '0', '--udp', `127.0.0.1:${dataPort}`, '--jsonl', path.join(options.out, 'results.jsonl'),
    '--name', 'faces', '--stream-id', 'camera', '--stats-interval', '2', '--ready-file', ready];
  if (withRtcp) args.push('--rtcp-port', '0');
  const elaborator = harness.start('elaborator', path.join(options.build, 'examples/face_detector'), args);
  // The ready file appears once the elaborator listens, with the ports the OS picked.
  const ports = await waitFor('the elaborator to listen', () => {
    if (!fs.existsSync(ready)) return null;
    const stream = JSON.parse(fs.readFileSync(ready, 'utf8')).streams[0];
    return { rtp: stream.rtp_port, rtcp: stream.rtcp_port ?? undefined };
  }, 10000);
  return { elaborator, ...ports };
}

async function openViewer(browser, pages, janus) {
  const viewer = await browser.newPage({ viewport: { width: 900, height: 760 } });
  await viewer.goto(`${pages.base}/index.html?janus=${encodeURIComponent(janus.url)}&mountpoint=${mountpointId}`);
  await waitFor('the viewer to join the mountpoint', () => viewer.evaluate(() => document.body.dataset.state), 15000);
  return viewer;
}

// --- the two ways the video comes in ---

async function publishCamera(browser, pages, janus, work) {
  const publisher = await browser.newPage();
  await publisher.goto(`${pages.base}/publish.html?janus=${encodeURIComponent(janus.url)}&room=${room}`);
  await waitFor('the camera to publish', () => publisher.evaluate(() => document.body.dataset.state === 'publishing'), 20000);
  const mid = await publisher.evaluate(() => document.body.dataset.videoMid);
  const forward = (port, rtcpPort) => janusTool(janus, ['forward', '--room', String(room), '--wait', '10', '--mid', mid,
    '--port', String(port), ...(rtcpPort ? ['--rtcp-port', String(rtcpPort)] : [])]);
  return { publisher, forward };
}

function streamFile(targets) {
  const clients = targets.map((port) => `127.0.0.1:${port}`).join(',');
  return harness.start('sender', 'gst-launch-1.0', ['-q', 'filesrc', `location=${megamind}`, '!', 'decodebin', '!', 'videoconvert',
    '!', 'vp8enc', 'deadline=1', 'keyframe-max-dist=30', '!', 'rtpvp8pay', 'pt=96', '!', 'multiudpsink', `clients=${clients}`,
    'sync=true']);
}

// --- checks ---

function checkAgainstLog(received) {
  const logged = new Map();
  for (const line of fs.readFileSync(path.join(options.out, 'results.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) { const m = JSON.parse(line); logged.set(`${m.elaboration}/${m.sequence}`, m); }
  }
  let withFaces = 0;
  for (const { message } of received) {
    const original = logged.get(`${message.elaboration}/${message.sequence}`);
    if (!original) fail(`the viewer got result ${message.sequence}, which the elaborator never logged`);
    if (JSON.stringify(original.detections) !== JSON.stringify(message.detections)) {
      fail(`result ${message.sequence} differs between the viewer and the elaborator's log`);
    }
    for (const d of message.detections) {
      if (d.label !== 'face' || d.box.x < 0 || d.box.y < 0 || d.box.x + d.box.w > 1.0001 || d.box.y + d.box.h > 1.0001) {
        fail(`result ${message.sequence} has a box that is not a face inside the frame: ${JSON.stringify(d)}`);
      }
    }
    if (message.detections.length > 0) withFaces += 1;
  }
  return withFaces;
}

// How many pixels of the viewer's overlay canvas something is drawn on.
function drawnPixels(viewer) {
  return viewer.evaluate(() => {
    const canvas = document.getElementById('overlay');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn += 1;
    return drawn;
  });
}

// Switching an elaboration off clears its boxes from the overlay; switching it on draws them again.
async function checkOverlaySwitch(viewer) {
  const checkbox = viewer.locator('input[data-elaboration="faces"]');
  await checkbox.uncheck();
  await waitFor('the overlay to clear once its elaboration is switched off', async () => (await drawnPixels(viewer)) === 0, 5000);
  await checkbox.check();
  await waitFor('the boxes to come back once it is switched on', async () => (await drawnPixels(viewer)) > 0, 5000);
}

// A result whose names and labels are HTML must show as text: nothing in it may become an element.
async function checkLabelsAreText(viewer, dataPort) {
  const hostile = '<img src=x onerror="window.injected=1"><b>bold</b>';
  const message = { schema: 'elaborator.result/2', stream: 'camera', elaboration: hostile, sequence: 0,
    frame: { index: 0, width: 10, height: 10 }, detections: [{ label: hostile, confidence: 1, box: { x: 0, y: 0, w: 1, h: 1 } }] };
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  await new Promise((resolve) => socket.send(JSON.stringify(message), dataPort, '127.0.0.1', resolve));
  socket.close();
  await waitFor('the hostile result to reach the viewer', () => viewer.evaluate((name) =>
    window.elaboratorResults.some((r) => r.message.elaboration === name), hostile), 5000);
  const injected = await viewer.evaluate((name) => ({
    elements: document.querySelectorAll('#elaborations img, #elaborations b').length,
    text: [...document.querySelectorAll('#elaborations label')].some((l) => l.textContent.includes(name)),
    ran: window.injected === 1,
  }), hostile);
  if (injected.elements !== 0 || injected.ran || !injected.text) {
    fail(`a result's HTML was not shown as text: ${JSON.stringify(injected)}`);
  }
}

// --- the test ---

async function main() {
  harness.checkParts([
    [path.join(options.build, 'examples/face_detector'), 'the face_detector example (build it first)'],
    [path.join(options.build, 'examples/elaborator_janus'), 'the elaborator_janus tool (build it first)'],
  ]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'elaborator-e2e-'));
  const janus = await harness.startJanus(work, room);
  const pages = await harness.startPageServer();
  const videoroom = options.mode === 'videoroom';
  const browser = await launchChromium(videoroom ? makeFakeCamera(work) : null);
  try {
    const mountpoint = janusTool(janus, ['create-mountpoint', '--id', String(mountpointId)]);
    const { elaborator, rtp, rtcp } = await startElaborator(mountpoint.data_port, videoroom);
    const viewer = await openViewer(browser, pages, janus);

    let requestedAt;
    if (videoroom) {
      const camera = await publishCamera(browser, pages, janus, work);
      camera.forward(mountpoint.video_port);  // the viewer's video
      requestedAt = Date.now();
      camera.forward(rtp, rtcp);              // the elaborator's: it must ask for a keyframe itself
    } else {
      requestedAt = Date.now();
      streamFile([mountpoint.video_port, rtp]);
    }

    await waitFor(`${wantedResults} results with faces and video frames in the viewer`, () => viewer.evaluate((wanted) => {
      const withFaces = window.elaboratorResults.filter((r) => r.message.detections.length > 0).length;
      const video = document.getElementById('video');
      const frames = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
      return withFaces >= wanted && frames > 0;
    }, wantedResults), 60000);
    await waitFor('the overlay to draw boxes for the screenshot', async () => (await drawnPixels(viewer)) > 0, 5000);
    await viewer.screenshot({ path: path.join(options.out, `viewer-${options.mode}.png`) });

    await checkOverlaySwitch(viewer);
    await checkLabelsAreText(viewer, mountpoint.data_port);
    const received = (await viewer.evaluate(() => window.elaboratorResults))
      .filter((r) => r.message.elaboration === 'faces');
    const frames = await viewer.evaluate(() => document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames);
    const exit = await harness.stopGracefully(elaborator);
    if (exit.code !== 0) fail(`the elaborator exited with ${JSON.stringify(exit)}`);
    const withFaces = checkAgainstLog(received);

    const log = fs.readFileSync(path.join(options.out, 'elaborator.log'), 'utf8');
    const keyframeRequests = Number((/(\d+) keyframe requests/.exec(log) ?? [0, 0])[1]);
    if (videoroom && keyframeRequests < 1) fail('the elaborator never asked Janus for a keyframe');

    const firstResult = received[0].receivedAt - requestedAt;
    const overlay = received.map((r) => r.receivedAt - r.message.times_us.arrival / 1000);
    console.log(`e2e ${options.mode}: PASSED: ${received.length} results in the viewer (${withFaces} with faces, all as `
      + `the elaborator logged them), ${frames} video frames; first result ${(firstResult / 1000).toFixed(2)} s after `
      + `the ${videoroom ? 'forward request' : 'stream started'}; frame arrival to result in the page p50 `
      + `${percentile(overlay, 0.5).toFixed(0)} ms, p95 ${percentile(overlay, 0.95).toFixed(0)} ms; `
      + `${keyframeRequests} keyframe requests`);
  } finally {
    await harness.tearDown(browser, pages.server, work);
  }
}

main().then(() => process.exit(0), (error) => fail(error.stack ?? error));
