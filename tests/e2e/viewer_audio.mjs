// The viewer's audio results (examples/viewer/audio.js) in Debian's Chromium, driven by playwright-core: no
// Janus, no network. A page with the viewer's scripts and style gets crafted results of audio, as a
// datachannel would hand them to it, and the test reads the page's DOM:
//   - captions: a partial caption shows (lighter), the next partial or the final replaces it, only the last
//     3 finals stay, oldest first, empty texts make no line, and a caption's HTML stays text;
//   - the level meter (an ARIA meter) follows level_dbfs between -60 and 0 dBFS and says speech or silence,
//     one meter per elaboration; malformed levels are left out;
//   - audio results, even of an elaboration named like a video one, leave the video's boxes as they are;
//   - watch.js hands a datachannel's audio results to the panel under the video.
//
//   node tests/e2e/viewer_audio.mjs [--out OUT_DIR]
//
// Exit code 0: passed, 1: failed, 77: Chromium or playwright-core is missing (the message says which).

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Harness, injectedScriptRan, launchChromium, source } from './harness.mjs';

const { values: options } = parseArgs({
  options: { out: { type: 'string', default: path.join(os.tmpdir(), 'elaborator-e2e-viewer-audio') } },
});
const harness = new Harness('viewer audio', options.out);
const fail = (message) => harness.fail(message);
const viewer = path.join(source, 'examples/viewer');
const hostile = '<img src=x onerror="window.injected=1"><b>bold</b>';

function check(condition, message, details) {
  if (!condition) fail(`${message}${details === undefined ? '' : `: ${JSON.stringify(details)}`}`);
}

// A page with the viewer's style, audio.js and overlay.js, a canvas, the switches' fieldset and the audio
// panel. `window.feed(message)` hands it a result, `window.audio(name, detections, summary)` and
// `window.video(name, detections)` make one, `window.captions(name)` and `window.meter(name)` read what the
// panel shows.
async function openPage(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setContent(`<!doctype html><meta charset="utf-8">
    <canvas id="overlay" width="640" height="480"></canvas><div id="audio" class="audio"></div>
    <fieldset id="elaborations"></fieldset>`);
  await page.addStyleTag({ path: path.join(viewer, 'style.css') });
  await page.addScriptTag({ path: path.join(viewer, 'audio.js') });
  await page.addScriptTag({ path: path.join(viewer, 'overlay.js') });
  await page.evaluate(() => {
    window.elaborations = new Elaborations(document.getElementById('elaborations'), document.getElementById('audio'));
    let sequence = 0;
    const message = (name, detections) => {
      const sent = Date.now() * 1000;
      sequence += 1;
      return { schema: 'elaborator.result/2', stream: 's', elaboration: name, sequence,
        times_us: { arrival: sent - 5000, decoded: sent - 4000, sent }, detections };
    };
    window.audio = (name, detections, summary) => {
      const start = sequence * 50000000;
      const result = { ...message(name, detections), media: 'audio',
        window: { index: sequence, start_ns: start, end_ns: start + 50000000, sample_rate: 16000, channels: 1 } };
      if (summary !== undefined) result.summary = summary;
      return result;
    };
    window.video = (name, detections) => ({ ...message(name, detections), media: 'video',
      frame: { index: sequence, width: 768, height: 576 } });
    window.feed = (result) => window.elaborations.accept(result);
    const block = (kind, name) => [...document.querySelectorAll(`#audio .${kind}`)]
      .find((element) => element.dataset.elaboration === name);
    window.captions = (name) => {
      const shown = block('captions', name);
      if (!shown) return null;
      const partial = shown.querySelector('.caption-partial');
      return { finals: [...shown.querySelectorAll('.caption-final')].map((line) => line.textContent),
        partial: partial.textContent, partialStyle: getComputedStyle(partial).fontStyle,
        finalStyle: getComputedStyle(shown.querySelector('.caption-finals')).fontStyle };
    };
    window.meter = (name) => {
      const shown = block('level', name);
      if (!shown) return null;
      const bar = shown.querySelector('[role="meter"]');
      const fill = shown.querySelector('.level-fill');
      return { level: Number(bar.getAttribute('aria-valuenow')),
        fill: fill.getBoundingClientRect().width / bar.getBoundingClientRect().width,
        value: shown.querySelector('.level-value').textContent, state: shown.querySelector('.level-state').textContent,
        speech: shown.classList.contains('speech'), colour: getComputedStyle(fill).backgroundColor };
    };
  });
  return { page, errors };
}

const caption = (text, final, start = 1000000000) => ({ label: 'caption', text, final, start_ns: start,
  end_ns: start + 500000000 });
const level = (dbfs, label = dbfs >= -38 ? 'speech' : 'silence') => ({ label, level_dbfs: dbfs });

// Feeds `steps` one result each ([name, detections]) and returns what the captions of `name` show after each.
function captionSteps(page, name, steps) {
  return page.evaluate(([name, steps]) => steps.map((detections) => {
    if (!window.feed(window.audio(name, detections))) throw new Error('an audio result was refused');
    return window.captions(name);
  }), [name, steps]);
}

async function checkCaptions(page) {
  const sentence = 'he was not an ill disposed young man';
  const [first, second, empty, final] = await captionSteps(page, 'captions', [
    [caption('he was', false)], [caption('he was not an', false)], [caption('', false)], [caption(sentence, true)],
  ]);
  check(first.partial === 'he was' && first.finals.length === 0, 'a partial caption shows, alone', first);
  check(first.partialStyle === 'italic' && first.finalStyle !== 'italic',
    'a partial caption is styled apart from the final ones', first);
  check(second.partial === 'he was not an' && second.finals.length === 0, 'the next partial replaces it', second);
  check(empty.partial === 'he was not an', 'an empty partial caption is ignored', empty);
  check(final.partial === '' && final.finals.join('|') === sentence, 'the final caption replaces the partial', final);

  const lines = ['one', 'two', 'three', 'four'];
  const [pending, ended, ...kept] = await captionSteps(page, 'captions', [
    [caption('um', false, 7e9)], [caption('', true, 7e9)],
    ...lines.map((text, i) => [caption(`${text} partial`, false, (8 + i) * 1e9), caption(text, true, (8 + i) * 1e9)]),
  ]);
  check(pending.partial === 'um', 'a new utterance\'s partial shows under the finals', pending);
  check(ended.partial === '' && ended.finals.join('|') === sentence,
    'an empty final ends its partial and adds no line', ended);
  check(kept[0].finals.join('|') === `${sentence}|one` && kept[0].partial === '',
    'a result with a partial then its final shows the final', kept[0]);
  const last = kept[kept.length - 1];
  check(last.finals.join('|') === 'two|three|four', 'only the last 3 finals stay, newest at the bottom', last);
}

// A caption and an elaboration name with HTML in them: text on the page, no element, nothing run.
async function checkText(page) {
  const shown = await page.evaluate((text) => {
    window.feed(window.audio(text, [{ label: 'caption', text, final: false }]));
    const partial = window.captions(text);
    window.feed(window.audio(text, [{ label: 'caption', text, final: true }]));
    window.feed(window.audio(text, [{ label: 'speech', level_dbfs: -20 }]));
    return { partial, final: window.captions(text), meter: window.meter(text),
      names: [...document.querySelectorAll('#audio .audio-name')].filter((n) => n.textContent === text).length,
      elements: document.querySelectorAll('img, b').length };
  }, hostile);
  const { probed, ran } = await injectedScriptRan(page);
  check(probed, 'an image made on purpose failed to load within 10 s');
  check(shown.partial.partial === hostile && shown.final.finals[0] === hostile,
    'a caption\'s HTML shows as text', shown);
  check(shown.meter && shown.names === 2,
    'an elaboration name\'s HTML shows as text, on its captions and meter', shown);
  check(shown.elements === 0 && !ran, 'nothing in an audio result became an element or ran', { ...shown, ran });
}

async function checkMeter(page) {
  const readings = await page.evaluate(([levels, malformed]) => {
    const read = (name, detection) => {
      window.feed(window.audio(name, [detection]));
      return window.meter(name);
    };
    return { levels: levels.map((detection) => read('sound_level', detection)),
      other: read('room_level', levels[1]), afterOther: window.meter('sound_level'),
      malformed: malformed.map((detection) => read('sound_level', detection)),
      refused: window.feed({ ...window.audio('sound_level', []), detections: { label: 'speech' } }) };
  }, [[level(-30), level(-45), level(-120, 'silence'), level(3, 'speech'), level(-31.1)],
    [{ label: 'speech', level_dbfs: 'loud' }, { label: 'speech', level_dbfs: null }, { label: 'speech' }, null, 7]]);
  const [speech, silence, floor, clipped, again] = readings.levels;
  const near = (a, b) => Math.abs(a - b) < 0.01;
  check(speech.level === -30 && near(speech.fill, 0.5) && speech.value === '-30.0 dBFS',
    'at -30 dBFS the meter is half full and says so', speech);
  check(speech.state === 'speech' && speech.speech, 'a window of speech shows "speech"', speech);
  check(silence.level === -45 && near(silence.fill, 0.25) && silence.state === 'silence' && !silence.speech,
    'at -45 dBFS, silence: a quarter full, "silence"', silence);
  check(silence.colour !== speech.colour, 'the bar is coloured apart for speech', [speech.colour, silence.colour]);
  check(floor.level === -60 && floor.fill === 0 && floor.value === '-120.0 dBFS',
    'digital silence (-120 dBFS) empties the bar and shows its level', floor);
  check(clipped.level === 0 && near(clipped.fill, 1), 'a level above 0 dBFS fills the bar, no more', clipped);
  check(again.level === -31.1 && again.state === 'speech', 'the meter follows the next window', again);
  check(readings.other.level === -45 && readings.afterOther.level === -31.1,
    'another elaboration has its own meter', readings);
  const unchanged = readings.malformed.every((m) => m.level === -31.1 && m.state === 'speech');
  check(unchanged, 'a malformed level changes nothing', readings.malformed);
  check(readings.refused === false, 'a result whose detections are no array is refused', readings.refused);
}

// A video elaboration's boxes stay through audio results, whatever the audio elaboration is called.
async function checkBoxesKept(page) {
  const drawn = await page.evaluate(() => {
    const canvas = document.getElementById('overlay');
    window.feed(window.video('faces', [{ label: 'face', confidence: 1, box: { x: 0.1, y: 0.1, w: 0.2, h: 0.3 } }]));
    const before = window.elaborations.boxesAt(canvas);
    const accepted = [
      window.audio('sound_level', [{ label: 'speech', level_dbfs: -20 }], { segment: { label: 'silence' } }),
      window.audio('captions', [{ label: 'caption', text: 'hello', final: true }]),
      window.audio('faces', [{ label: 'speech', level_dbfs: -20 }]),
      window.audio('faces', []),
    ].map(window.feed);
    window.elaborations.draw(canvas);
    return { before, after: window.elaborations.boxesAt(canvas), accepted,
      switches: [...document.querySelectorAll('#elaborations input')].map((input) => input.dataset.elaboration) };
  });
  check(drawn.before.length === 1, 'the video elaboration\'s box is drawn', drawn.before);
  check(drawn.accepted.every((accepted) => accepted), 'every audio result is accepted', drawn.accepted);
  check(JSON.stringify(drawn.after) === JSON.stringify(drawn.before), 'audio results leave the video\'s boxes', drawn);
  check(!drawn.switches.includes('sound_level') && !drawn.switches.includes('captions'),
    'audio elaborations get no overlay switch: they draw nothing over the video', drawn.switches);
}

// watch.js gives the Elaborations its audio panel: a caption from a stub Janus's datachannel shows.
async function checkWatch(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setContent(`<!doctype html><meta charset="utf-8"><video id="video" muted></video>
    <canvas id="overlay"></canvas><div id="audio"></div><fieldset id="elaborations"></fieldset>`);
  for (const script of ['audio.js', 'overlay.js', 'watch.js']) {
    await page.addScriptTag({ path: path.join(viewer, script) });
  }
  const shown = await page.evaluate(() => {
    let callbacks;
    const janus = { attach: (options) => { callbacks = options; } };
    const watching = watchMountpoint(janus, 1, { video: document.getElementById('video'),
      canvas: document.getElementById('overlay'), list: document.getElementById('elaborations'),
      audio: document.getElementById('audio') }, () => {});
    const message = { schema: 'elaborator.result/2', elaboration: 'captions', sequence: 0, media: 'audio',
      window: { index: 0, start_ns: 0, end_ns: 50000000, sample_rate: 16000, channels: 1 },
      detections: [{ label: 'caption', text: 'hello there', final: true }] };
    callbacks.ondata(new TextEncoder().encode(JSON.stringify(message)).buffer);
    watching.detach();
    return { text: document.querySelector('#audio .caption-final')?.textContent, kept: watching.results.length };
  });
  check(shown.text === 'hello there' && shown.kept === 1,
    'watch.js shows a datachannel\'s caption under the video', shown);
  check(errors.length === 0, 'the page with watch.js raised no error', errors);
  await page.close();
}

async function main() {
  harness.checkBrowser();
  const browser = await launchChromium(null);
  try {
    const { page, errors } = await openPage(browser);
    await checkCaptions(page);
    await checkText(page);
    await checkMeter(page);
    await checkBoxesKept(page);
    await page.locator('#audio').screenshot({ path: path.join(options.out, 'viewer-audio.png') });
    check(errors.length === 0, 'the page raised no error', errors);
    await checkWatch(browser);
    console.log('viewer audio: PASSED: partial captions are replaced by the next partial or the final, the last 3 '
      + 'finals stay, captions stay text; the level meter follows level_dbfs (-60 to 0 dBFS) and speech or silence, '
      + 'per elaboration; audio results leave the video\'s boxes; watch.js shows them');
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => fail(error.stack ?? error));
