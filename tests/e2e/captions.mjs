// End-to-end test of live captions: a Chromium fake microphone playing a real recorded sentence publishes
// Opus to a VideoRoom (camera off), the captions example (PocketSphinx) follows the room (--janus, --room),
// the dispatcher forwards the audio to it, and the room page shows its final caption. Run inside netns.sh:
//
//   tests/e2e/netns.sh node tests/e2e/captions.mjs --build BUILD_DIR --out OUT_DIR
//
// The sentence is LibriVox's "he was not an ill disposed young man" (Debian's pocketsphinx-testdata); this
// model hears about 30 % of words wrong, so a final caption passes when it has at least 3 of the sentence's
// words, and it must be one the elaborator logged. Exit code 0: passed, 1: failed, 77: a real part is missing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Harness, commandLine, describeRoomPage, freePort, launchChromium, recordPageErrors } from './harness.mjs';

const options = commandLine('elaborator-captions');
const room = 1234;
const publisherId = 4444;
const speech = '/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav';
const sentence = ['he', 'was', 'not', 'an', 'ill', 'disposed', 'young', 'man'];
const wordsNeeded = 3;
const harness = new Harness('captions', options.out);
const fail = (message) => harness.fail(message);
const program = path.join(options.build, 'examples/captions');

// The sentence followed by a second of silence, as Chromium's fake microphone plays it (looping): the clip
// ends as the last word does, and PocketSphinx ends an utterance, making its caption final, only on silence.
function speechThenSilence(work) {
  const clip = fs.readFileSync(speech);
  if (clip.toString('latin1', 36, 40) !== 'data') fail(`${speech} has not the 44-byte header of plain PCM`);
  const silence = Buffer.alloc(clip.readUInt32LE(28));  // the byte rate: one second
  const samples = Buffer.concat([clip.subarray(44), silence]);
  const header = Buffer.from(clip.subarray(0, 44));
  header.writeUInt32LE(36 + samples.length, 4);
  header.writeUInt32LE(samples.length, 40);
  const file = path.join(work, 'speech.wav');
  fs.writeFileSync(file, Buffer.concat([header, samples]));
  return file;
}

function wordsOfSentence(caption) {
  return new Set(caption.split(/\s+/).filter((word) => sentence.includes(word))).size;
}

// The final captions the elaborator logged for the publisher's audio stream: { text, sent } (sent: ms since
// the epoch).
function loggedFinals() {
  return fs.readFileSync(path.join(options.out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line)).filter((r) => r.stream.startsWith(`r${room}-p${publisherId}-a`))
    .flatMap((r) => r.detections.filter((d) => d.label === 'caption' && d.final === true)
      .map((d) => ({ text: d.text, sent: r.times_us.sent / 1000 })));
}

// Why no caption showed: what the room page has and what the elaborator sent, and when, so that a failure seen
// once says whether the page or the elaborator was late.
async function whatWasThere(roomPage, publishedAt) {
  const sent = loggedFinals().map((f) => `"${f.text}" ${((f.sent - publishedAt) / 1000).toFixed(1)} s`);
  await roomPage.screenshot({ path: path.join(options.out, 'room-failed.png') });
  return `${await describeRoomPage(roomPage)}; the elaborator's final captions, after publishing: `
    + `${sent.join(', ') || 'none'} (room-failed.png and the logs are in ${options.out})`;
}

// A final caption of the room page's tile for the publisher that has enough of the sentence's words.
async function heardCaption(roomPage) {
  const finals = await roomPage.evaluate((id) => [...document.querySelectorAll('.tile')]
    .filter((tile) => tile.dataset.description.split('/')[3] === String(id))
    .flatMap((tile) => [...tile.querySelectorAll('.caption-final')].map((line) => line.textContent)), publisherId);
  return finals.find((caption) => wordsOfSentence(caption) >= wordsNeeded);
}

async function main() {
  harness.checkParts([
    [program, 'the captions example: build it, with PocketSphinx (Debian package libpocketsphinx-dev)'],
    ['/usr/share/pocketsphinx/model/en-us/en-us.lm.bin', 'Debian package pocketsphinx-en-us'],
    [speech, 'Debian package pocketsphinx-testdata'],
  ]);
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'elaborator-captions-'));
  const controlPort = await freePort();
  const janus = await harness.startJanus(work, room, ['--events', `http://127.0.0.1:${controlPort}/v1/janus/events`]);
  const pages = await harness.startPageServer();
  const browser = await launchChromium(undefined, speechThenSilence(work));
  try {
    const elaborator = await harness.startRoomElaborator(program, janus,
      { room, instance: 'e2e-captions', ports: [30200, 30299], controlPort });
    const roomPage = await browser.newPage();
    recordPageErrors(roomPage);
    await roomPage.goto(`${pages.base}/room.html?janus=${encodeURIComponent(janus.url)}&room=${room}`);
    await harness.publish(browser, pages, janus, { room, id: publisherId, media: 'audio' });
    const publishedAt = Date.now();

    // The loop's first utterance may be cut (the forward starts after the microphone), the next is whole.
    const caption = await harness.waitFor(`a final caption with ${wordsNeeded} of "${sentence.join(' ')}" in the room page`,
      () => heardCaption(roomPage), 20000, () => whatWasThere(roomPage, publishedAt));
    const shownAfter = Date.now() - publishedAt;
    await roomPage.screenshot({ path: path.join(options.out, 'room.png') });
    if (!loggedFinals().some((logged) => logged.text === caption)) {
      fail(`the room page shows "${caption}", which the elaborator did not log`);
    }

    const exit = await harness.stopGracefully(elaborator);
    if (exit.code !== 0) fail(`the elaborator exited with ${JSON.stringify(exit)}`);
    console.log(`captions: PASSED: the room page showed "${caption}" (${wordsOfSentence(caption)} of the sentence's `
      + `${sentence.length} words) ${shownAfter} ms after publishing; ${Date.now() - started} ms in all`);
  } finally {
    await harness.tearDown(browser, pages.server, work);
  }
}

main().catch((error) => fail(error.stack || String(error)));
