// The viewer's overlay (examples/viewer/overlay.js) in Debian's Chromium, driven by playwright-core: no
// Janus, no network. A page with a canvas gets result messages with tracked detections, as a datachannel
// would hand them to it, and the test reads the boxes as draw() would draw them (Elaborations.boxesAt, in
// canvas pixels), not pixels:
//   - a tracked box moves with its velocity between results, for at most 1 s after its result, inside the frame;
//   - a new result for a track on screen does not jump: the box glides to its new place, then follows it;
//   - a track is coloured by its id (same id same colour, two ids two), untracked boxes by their elaboration;
//   - labels, names and summaries from a result stay text;
//   - watch.js redraws at the video's frames (requestVideoFrameCallback) and keeps the results for tests.
//
//   node tests/e2e/overlay.mjs [--out OUT_DIR]
//
// Exit code 0: passed, 1: failed, 77: Chromium or playwright-core is missing (the message says which).

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Harness, injectedScriptRan, launchChromium, source } from './harness.mjs';

const { values: options } = parseArgs({
  options: { out: { type: 'string', default: path.join(os.tmpdir(), 'elaborator-e2e-overlay') } },
});
const harness = new Harness('overlay', options.out);
const fail = (message) => harness.fail(message);
const viewer = path.join(source, 'examples/viewer');
const width = 640;
const height = 480;
const processingMs = 40;  // times_us.sent - arrival in every result below

function check(condition, message, details) {
  if (!condition) fail(`${message}${details === undefined ? '' : `: ${JSON.stringify(details)}`}`);
}

function near(a, b, tolerance) {
  return Math.abs(a - b) <= tolerance;
}

// Only to let time pass where time passing is the behaviour under test (a box moving on its own), never to
// wait for something to happen.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A page with the overlay's script, a canvas and the switches' fieldset; `window.feed(name, detections,
// summary, at)` hands it a result made now (times_us from the page's clock) as received at page time `at`
// (default and returned: performance.now()), `window.boxes(now)` the boxes as drawn at that page time
// (default: now).
async function openPage(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setContent(`<!doctype html><meta charset="utf-8">
    <canvas id="overlay" width="${width}" height="${height}"></canvas><fieldset id="elaborations"></fieldset>`);
  await page.addScriptTag({ path: path.join(viewer, 'overlay.js') });
  await page.evaluate((processing) => {
    const canvas = document.getElementById('overlay');
    window.elaborations = new Elaborations(document.getElementById('elaborations'));
    const sequences = {};
    window.result = (name, detections, summary) => {
      const sent = Date.now() * 1000;
      const arrival = sent - processing * 1000;
      sequences[name] = (sequences[name] ?? -1) + 1;
      const message = { schema: 'elaborator.result/2', stream: 'cam', elaboration: name, sequence: sequences[name],
        frame: { index: sequences[name], width: 768, height: 576 },
        times_us: { arrival, decoded: arrival + 1000, sampled: arrival + 1000, classify_start: arrival + 2000,
          classify_end: sent - 1000, sent },
        detections };
      if (summary !== undefined) message.summary = summary;
      return message;
    };
    window.feed = (name, detections, summary, at = performance.now()) => {
      if (!window.elaborations.accept(window.result(name, detections, summary), at)) throw new Error('result refused');
      return at;
    };
    window.boxes = (now) => window.elaborations.boxesAt(canvas, now);
  }, processingMs);
  return { page, errors };
}

const tracked = (id, x, y, vx, vy, label = 'person') => ({ label, confidence: 0.9, box: { x, y, w: 0.1, h: 0.2 },
  track: { id, age_ms: 500, velocity: { x: vx, y: vy } } });

// (a) Between results a tracked box follows its velocity from its frame's capture time.
async function checkExtrapolation(page) {
  const first = await page.evaluate((detection) => {
    const at = window.feed('people', [detection]);
    return { at, box: window.boxes(at)[0] };
  }, tracked(7, 0.1, 0.4, 0.2, 0));
  check(first.box.track === 7, 'the tracked detection is drawn with its track id', first.box);
  check(first.box.text === '#7 person 90%', 'a tracked label reads "#id label confidence"', first.box.text);
  // Drawn at once where the object is now: its frame was captured processingMs before the result.
  const atResult = (0.1 + 0.2 * processingMs / 1000) * width;
  check(near(first.box.x, atResult, 2), `right after its result the box is at x ${atResult.toFixed(1)} px`, first.box);
  await sleep(300);  // not synchronisation: let time pass, the box must move on its own
  const later = await page.evaluate(() => ({ now: performance.now(), box: window.boxes()[0] }));
  const moved = later.box.x - first.box.x;
  // For at most 1 s after its result (a page slowed down by a loaded machine may look later than 300 ms).
  const expected = 0.2 * Math.min(later.now - first.at, 1000) / 1000 * width;
  check(moved > 20, `a track moving at 0.2 frame widths/s moved right ${moved.toFixed(1)} px in `
    + `${(later.now - first.at).toFixed(0)} ms (more than 20 wanted)`, later.box);
  check(near(moved, expected, 3), `it moved ${moved.toFixed(1)} px, its velocity says ${expected.toFixed(1)}`);
  check(near(later.box.y, first.box.y, 0.01) && near(later.box.w, 0.1 * width, 0.01),
    'a horizontal velocity changes neither y nor the size', later.box);
  return first.box.color;
}

// (b) A new result for the same track: no jump, a glide of ~150 ms, then the new position and velocity.
async function checkGlide(page) {
  const step = await page.evaluate((detection) => {
    // Before and after at the same instant: the glide moves the box ~1.5 px a millisecond at first.
    const at = performance.now();
    const before = window.boxes(at)[0];
    window.feed('people', [detection], undefined, at);
    const after = window.boxes(at)[0];
    return { before, at, after, halfway: window.boxes(at + 75)[0], glided: window.boxes(at + 200)[0] };
  }, tracked(7, 0.5, 0.3, 0.2, 0));
  const { before, after, at } = step;
  for (const key of ['x', 'y', 'w', 'h']) {
    check(near(before[key], after[key], 1), `a new result for track 7 moves its box by at most a pixel (${key})`,
      { before, after });
  }
  // Where the new result says the object is, at page time t.
  const target = (t) => (0.5 + 0.2 * (t - at + processingMs) / 1000) * width;
  check(Math.abs(target(at) - after.x) > 50, 'the test moves the track far enough for a jump to show', { after });
  check(step.halfway.x > after.x + 20 && step.halfway.x < target(at + 75) - 20,
    'halfway through the glide the box is between where it was and where it goes', step.halfway);
  check(near(step.glided.x, target(at + 200), 1) && near(step.glided.y, 0.3 * height, 1),
    'after the glide the box is where the new result puts it', { glided: step.glided, x: target(at + 200) });
  await sleep(300);  // not synchronisation: let time pass, on the page's own clock
  const later = await page.evaluate(() => ({ now: performance.now(), box: window.boxes()[0] }));
  const wanted = target(Math.min(later.now, at + 1000));  // it holds 1 s after its result
  check(near(later.box.x, wanted, 2), `${(later.now - at).toFixed(0)} ms after the new result the box `
    + `follows its velocity: x ${later.box.x.toFixed(1)} px, wanted ${wanted.toFixed(1)}`);
  return later.box.color;
}

// (c), (d) Colours by track id, untracked boxes in their elaboration's colour; tracks left out disappear.
async function checkColours(page, colourOf7) {
  const drawn = await page.evaluate(([seven, eight]) => {
    window.feed('people', [seven, eight, { label: 'bag', confidence: 0.5, box: { x: 0.7, y: 0.7, w: 0.1, h: 0.1 } }],
      { line: { forward: 3, backward: 1 }, zone: 2 });
    window.feed('faces', [{ label: 'face', confidence: 1, box: { x: 0, y: 0, w: 0.2, h: 0.2 } }]);
    const colours = Object.fromEntries([...window.elaborations.byName].map(([name, entry]) => [name, entry.color]));
    const now = performance.now();
    return { boxes: window.boxes(now), inASecond: window.boxes(now + 1000), colours,
      summary: document.querySelector('#elaborations .summary').textContent };
  }, [tracked(7, 0.5, 0.3, 0.2, 0), tracked(8, 0.2, 0.2, 0, 0.1)]);
  const byTrack = (boxes, id) => boxes.find((b) => b.track === id);
  const [seven, eight] = [byTrack(drawn.boxes, 7), byTrack(drawn.boxes, 8)];
  check(seven && eight, 'both tracks are drawn', drawn.boxes);
  check(seven.color === colourOf7, 'track 7 keeps its colour from result to result', { colourOf7, now: seven.color });
  check(eight.color !== seven.color, 'two track ids are drawn in two colours', [seven.color, eight.color]);
  check(seven.color !== drawn.colours.people, 'a track is coloured by its id, not by its elaboration', seven.color);
  const bag = drawn.boxes.find((b) => b.text === 'bag 50%');
  const face = drawn.boxes.find((b) => b.elaboration === 'faces');
  check(bag && bag.track === null && bag.color === drawn.colours.people,
    'a detection without a track is drawn in its elaboration\'s colour', { bag, colours: drawn.colours });
  check(face && face.color === drawn.colours.faces && face.color !== drawn.colours.people,
    'another elaboration\'s untracked boxes are in its own colour', { face, colours: drawn.colours });
  const bagLater = drawn.inASecond.find((b) => b.text === 'bag 50%');
  check(bagLater.x === bag.x && bagLater.y === bag.y, 'an untracked box stays where its result put it', bagLater);
  check(drawn.summary === 'line forward 3, backward 1; zone 2', 'the summary shows as "key value" text', drawn.summary);

  const after = await page.evaluate((detection) => {
    window.feed('people', [detection]);
    return window.boxes().filter((b) => b.elaboration === 'people');
  }, tracked(8, 0.2, 0.2, 0, 0.1));
  check(after.length === 1 && after[0].track === 8 && after[0].color === eight.color,
    'a track absent from the new result disappears, the other keeps its colour', after);
}

// Extrapolation stops 1 s after the result (the box holds), and a box never leaves the frame.
async function checkCapAndClamp(page) {
  const drawn = await page.evaluate(([slow, fast]) => {
    const at = window.feed('people', [slow, fast]);
    return { at, second: window.boxes(at + 1000), later: window.boxes(at + 3000), soon: window.boxes(at + 300) };
  }, [tracked(9, 0.3, 0.2, 0.2, 0.1), tracked(10, 0.85, 0.5, 2, 0)]);
  const nine = (boxes) => boxes.find((b) => b.track === 9);
  const ten = (boxes) => boxes.find((b) => b.track === 10);
  const atCap = (0.3 + 0.2 * (1000 + processingMs) / 1000) * width;
  check(near(nine(drawn.second).x, atCap, 1.5), `1 s after its result the box is at x ${atCap.toFixed(1)} px`,
    nine(drawn.second));
  check(nine(drawn.later).x === nine(drawn.second).x && nine(drawn.later).y === nine(drawn.second).y,
    'after 1 s the box holds instead of moving on', { second: nine(drawn.second), later: nine(drawn.later) });
  for (const box of [ten(drawn.soon), ten(drawn.later)]) {
    check(box.x >= 0 && near(box.x + box.w, width, 0.01), 'a box moving out of the frame stops at its edge', box);
  }
}

// (e) Whatever a result says is text: a hostile label, name and summary become no element and run nothing.
async function checkText(page) {
  const hostile = '<img src=x onerror="window.injected=1"><b>bold</b>';
  const shown = await page.evaluate((text) => {
    window.feed(text, [{ label: text, confidence: 1, box: { x: 0, y: 0, w: 1, h: 1 }, track: { id: 3 } }], { [text]: text });
    window.elaborations.draw(document.getElementById('overlay'));
    const label = [...document.querySelectorAll('#elaborations label')].find((l) => l.textContent.includes(text));
    return { box: window.boxes().find((b) => b.elaboration === text),
      elements: document.querySelectorAll('img, b').length,
      summary: label ? label.querySelector('.summary').textContent : null };
  }, hostile);
  const { probed, ran } = await injectedScriptRan(page);
  check(probed, 'an image made on purpose failed to load within 10 s');
  check(shown.box && shown.box.text === `#3 ${hostile} 100%`, 'a hostile label is drawn as its text', shown.box);
  check(shown.elements === 0 && !ran, 'nothing in a result became an element or ran', { ...shown, ran });
  check(shown.summary === `${hostile} ${hostile}`, 'a hostile name and summary show as text', shown.summary);
}

// watch.js redraws at the frames the video presents, and keeps the results for tests. A stub Janus hands it
// results; the video is a canvas's capture stream at 30 frames/s.
async function checkRedrawRate(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setContent(`<!doctype html><meta charset="utf-8">
    <video id="video" autoplay muted playsinline width="${width}" height="${height}"></video>
    <canvas id="overlay"></canvas><fieldset id="elaborations"></fieldset><canvas id="source" width="64" height="48"></canvas>`);
  await page.addScriptTag({ path: path.join(viewer, 'overlay.js') });
  await page.addScriptTag({ path: path.join(viewer, 'watch.js') });
  const drawn = await page.evaluate(async (detection) => {
    const source = document.getElementById('source');
    const painter = source.getContext('2d');
    let shade = 0;
    setInterval(() => { painter.fillStyle = `rgb(${(shade += 8) % 256}, 0, 0)`; painter.fillRect(0, 0, 64, 48); }, 33);
    const video = document.getElementById('video');
    video.srcObject = source.captureStream(30);
    let draws = 0;
    const draw = Elaborations.prototype.draw;
    Elaborations.prototype.draw = function (...args) { draws += 1; return draw.apply(this, args); };
    let callbacks;
    const janus = { attach: (options) => { callbacks = options; } };
    const watching = watchMountpoint(janus, 1, { video, canvas: document.getElementById('overlay'),
      list: document.getElementById('elaborations') }, () => {});
    const message = { schema: 'elaborator.result/2', elaboration: 'people', sequence: 0,
      times_us: { arrival: Date.now() * 1000 - 40000, sent: Date.now() * 1000 }, detections: [detection] };
    callbacks.ondata(new TextEncoder().encode(JSON.stringify(message)).buffer);
    callbacks.ondata('not json');
    await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    const presented = () => video.getVideoPlaybackQuality().totalVideoFrames;
    const start = { draws, frames: presented(), at: performance.now() };
    // Until the video has presented 30 more frames (a second at 30 frames/s), or 10 s have passed.
    await new Promise((resolve) => {
      const next = () => (presented() - start.frames >= 30 ? resolve() : video.requestVideoFrameCallback(next));
      video.requestVideoFrameCallback(next);
      setTimeout(resolve, 10000);  // the bound of this wait, not a sleep
    });
    const end = { draws, frames: presented(), at: performance.now() };
    watching.detach();
    return { start, end, results: watching.results.length, canvas: document.getElementById('overlay').width };
  }, tracked(1, 0.1, 0.1, 0.1, 0));
  check(errors.length === 0, 'the page with watch.js raised no error', errors);
  check(drawn.results === 1, 'watch.js keeps the results it accepted for tests', drawn);
  const draws = drawn.end.draws - drawn.start.draws;
  const frames = drawn.end.frames - drawn.start.frames;
  check(frames >= 10, 'the test video presented frames', drawn);
  check(draws >= frames * 0.8 && draws <= frames + 15, `watch.js drew ${draws} times while the video presented `
    + `${frames} frames: once a frame`, drawn);
  check(drawn.canvas === width, 'the overlay canvas takes the video\'s size', drawn);
  await page.close();
  return { draws, frames };
}

async function main() {
  harness.checkBrowser();
  const browser = await launchChromium(null);
  try {
    const { page, errors } = await openPage(browser);
    const colourOf7 = await checkExtrapolation(page);
    check(await checkGlide(page) === colourOf7, 'track 7 keeps its colour through the glide');
    await checkColours(page, colourOf7);
    await checkCapAndClamp(page);
    await checkText(page);
    await page.locator('#overlay').screenshot({ path: path.join(options.out, 'overlay.png') });
    check(errors.length === 0, 'the page raised no error', errors);
    const rate = await checkRedrawRate(browser);
    console.log('overlay: PASSED: a tracked box moves with its velocity (held 1 s after its result, inside the '
      + 'frame), glides to a new result without a jump, is coloured by its id (untracked boxes by their '
      + `elaboration), labels and summaries stay text; watch.js drew ${rate.draws} times for ${rate.frames} video frames`);
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => fail(error.stack ?? error));
