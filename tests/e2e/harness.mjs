// What the end-to-end tests share: the processes they start (stopped by PID on every way out), bounded
// waiting, free ports, a private Janus, the pages' server, Chromium with a fake camera. Each test runs
// inside the network namespace netns.sh makes. Exit code 0: passed, 1: failed, 77: a real part is missing.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const source = path.resolve(here, '../..');
export const megamind = '/usr/share/doc/opencv-doc/examples/data/Megamind.avi';

export class Harness {
  // `label` starts every verdict line; logs go to `out`.
  constructor(label, out) {
    this.label = label;
    this.out = out;
    this.children = [];
    fs.mkdirSync(out, { recursive: true });
    // Logs and results are appended to (a part restarted in a test writes on), so an earlier run's go first:
    // a test must not find its results in them; so do its screenshots, which must be this run's.
    for (const file of fs.readdirSync(out)) {
      if (['.log', '.jsonl', '.png'].includes(path.extname(file))) fs.rmSync(path.join(out, file));
    }
    process.on('exit', () => this.killAll());
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));
  }

  // --- the processes a test starts ---

  start(name, command, args) {
    const log = fs.openSync(path.join(this.out, `${name}.log`), 'a');
    const child = spawn(command, args, { stdio: ['ignore', log, log] });
    child.name = name;
    child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    this.children.push(child);
    return child;
  }

  killAll() {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  async stopGracefully(child, timeoutMs = 3000) {
    if (child.exitCode !== null || child.signalCode !== null) return child.exited;
    child.kill('SIGINT');
    const timer = new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs));
    return (await Promise.race([child.exited, timer])) ?? (child.kill('SIGKILL'), child.exited);
  }

  // What a test started, gone on any exit: its browser, its page server, every process, its work folder.
  async tearDown(browser, server, work) {
    await browser.close();
    server.close();
    await this.stopAll();
    fs.rmSync(work, { recursive: true, force: true });
  }

  async stopAll() {
    for (const child of [...this.children].reverse()) await this.stopGracefully(child);
  }

  // --- verdicts ---

  fail(message) {
    console.error(`${this.label}: FAILED: ${message}`);
    process.exit(1);
  }

  missing(message) {
    console.error(`${this.label}: SKIPPED, a real part is missing: ${message}`);
    process.exit(77);
  }

  // Polls `check` until it returns something truthy; fails after `timeoutMs` with `what`, and with what
  // `explain` (async, optional) says of the state it found: a failure seen once in CI must say enough.
  async waitFor(what, check, timeoutMs, explain) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) {
        this.fail(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `; ${await explain()}` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  // Fails unless every file exists (Debian packages, npm ci, the build) and the test runs in the namespace.
  checkParts(parts) {
    this.checkBrowser([
      ['/usr/bin/janus', 'Debian package janus'],
      ['/usr/share/javascript/janus-gateway/janus.js', 'Debian package libjs-janus-gateway'],
      ['/usr/share/javascript/webrtc-adapter/adapter.js', 'Debian package libjs-webrtc-adapter'],
      [megamind, 'Debian package opencv-doc'],
      ...parts,
    ]);
    if (process.env.ELABORATOR_IN_NETNS !== '1') this.missing('run inside tests/e2e/netns.sh');
  }

  // Fails unless Chromium and playwright-core are there, and the other `parts` ([file, what provides it]).
  checkBrowser(parts = []) {
    for (const [file, what] of [
      ['/usr/bin/chromium', 'Debian package chromium'],
      [path.join(here, 'node_modules/playwright-core'), 'npm ci in tests/e2e'],
      ...parts,
    ]) {
      if (!fs.existsSync(file)) this.missing(`${file} (${what})`);
    }
  }

  // --- the parts ---

  // A private Janus (examples/janus/make-config); `extra` are more make-config options (--events URL).
  // Restartable: restart() starts it again on the same configuration and ports.
  async startJanus(work, room, extra = []) {
    const httpPort = await freePort();
    const config = path.join(work, 'janus');
    execFileSync(path.join(source, 'examples/janus/make-config'),
      [config, '--http-port', String(httpPort), '--rtp-ports', '20000-20999', '--ice-interface', 'v0',
        '--room', String(room), '--fir-freq', '0', ...extra]);
    const janus = { url: `http://127.0.0.1:${httpPort}/janus`, secrets: path.join(config, 'secrets.env'), config };
    janus.restart = async () => {
      janus.process = this.start('janus', '/usr/bin/janus', ['-C', path.join(config, 'janus.jcfg'), '-F', config, '-N', '-o']);
      await this.waitFor('Janus to answer', async () => {
        try { return (await fetch(`${janus.url}/info`)).ok; } catch { return false; }
      }, 10000);
    };
    await janus.restart();
    return janus;
  }

  // `program` following the VideoRoom `room` (--janus, --room) with its forwards' ports in `ports` ([first,
  // last]), its control API on `controlPort` and its results in results.jsonl; `extra` are more options.
  // Resolves once it says it is ready.
  async startRoomElaborator(program, janus, { room, instance, ports, controlPort, extra = [] }) {
    const ready = path.join(this.out, 'ready.json');
    fs.rmSync(ready, { force: true });
    const child = this.start('elaborator', program, [
      '--janus', janus.url, '--room', String(room), '--janus-secrets-file', janus.secrets, '--janus-instance', instance,
      '--janus-ports', ports.join('-'), '--control', `127.0.0.1:${controlPort}`, '--ready-file', ready,
      '--jsonl', path.join(this.out, 'results.jsonl'), ...extra]);
    await this.waitFor('the elaborator to be ready', () => fs.existsSync(ready), 10000);
    return child;
  }

  // A new page of `browser` publishing to a room with publish.html; `query` is the page's settings (room, id,
  // display, media). Resolves once it publishes.
  async publish(browser, pages, janus, query) {
    const page = await browser.newPage();
    const settings = new URLSearchParams({ janus: janus.url, ...query });
    await page.goto(`${pages.base}/publish.html?${settings}`);
    await this.waitFor('the publisher to publish', () => page.evaluate(() => document.body.dataset.state === 'publishing'), 30000);
    return page;
  }

  // Serves the viewer, room and publisher pages with Debian's janus.js and adapter.js.
  async startPageServer() {
    const files = {
      '/janus.js': '/usr/share/javascript/janus-gateway/janus.js',
      '/adapter.js': '/usr/share/javascript/webrtc-adapter/adapter.js',
    };
    const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    const server = http.createServer((request, response) => {
      const name = new URL(request.url, 'http://page').pathname;
      const file = files[name] ?? path.join(source, 'examples/viewer', path.basename(name));
      fs.readFile(file, (error, data) => {
        if (error) { response.writeHead(404); response.end(); return; }
        response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
        response.end(data);
      });
    });
    const port = await freePort();
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    return { server, base: `http://127.0.0.1:${port}` };
  }
}

// What goes wrong in `page`, as it happens: its uncaught errors, console errors and failed requests (a script
// lost to the network leaves no other trace), for describeRoomPage.
const pageErrors = new WeakMap();
export function recordPageErrors(page) {
  const errors = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.stack || String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('requestfailed', (request) => errors.push(`${request.url()}: ${request.failure().errorText}`));
}

// What the room page (room.html) shows, for a failure's message: its status, each tile's mountpoint, status,
// datachannel, results received and final captions, and its errors if they were recorded.
export async function describeRoomPage(page) {
  const { status, tiles } = await page.evaluate(() => ({
    status: document.getElementById('status').textContent,
    tiles: [...document.querySelectorAll('.tile')].map((tile) => ({
      mountpoint: tile.dataset.description,
      status: tile.querySelector('.status').textContent,
      datachannel: tile.querySelector('video').dataset.datachannel ?? 'not open',
      results: (window.roomResults[tile.dataset.description] ?? []).length,
      finals: [...tile.querySelectorAll('.caption-final')].map((line) => line.textContent),
    })),
  }));
  const errors = pageErrors.has(page) ? `, its errors: ${JSON.stringify(pageErrors.get(page))}` : '';
  return `the room page says "${status}", its tiles: ${JSON.stringify(tiles)}${errors}`;
}

// The NAME=value lines of a Janus's secrets.env (make-config's) as an object.
export function secretsOf(janus) {
  const secrets = {};
  for (const line of fs.readFileSync(janus.secrets, 'utf8').split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) secrets[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return secrets;
}

// The answer of an elaborator's control API at `pathname`, parsed.
export async function controlApi(controlPort, pathname) {
  return (await fetch(`http://127.0.0.1:${controlPort}${pathname}`)).json();
}

// One request to a plugin of Janus's HTTP API, in a session of its own: the plugin's answer (plugindata.data).
export async function janusRequest(janus, plugin, body) {
  const post = async (url, message) => (await fetch(url, {
    method: 'POST', body: JSON.stringify({ ...message, transaction: String(Math.random()) }),
  })).json();
  const session = (await post(janus.url, { janus: 'create' })).data.id;
  try {
    const handle = (await post(`${janus.url}/${session}`, { janus: 'attach', plugin })).data.id;
    return (await post(`${janus.url}/${session}/${handle}`, { janus: 'message', body })).plugindata.data;
  } finally {
    await post(`${janus.url}/${session}`, { janus: 'destroy' });
  }
}

// A TCP port free right now (the namespace is private, so nothing else can take it before we do).
export function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// A y4m file Chromium plays as its camera (looping): Megamind at 480x352.
export function makeFakeCamera(work) {
  const file = path.join(work, 'camera.y4m');
  execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${megamind}`, '!', 'decodebin', '!', 'videoconvert', '!',
    'videoscale', '!', 'video/x-raw,width=480,height=352,format=I420', '!', 'y4menc', '!', 'filesink', `location=${file}`]);
  return file;
}

// Chromium, with fake media devices when there is a camera file or a `microphone`: true (its fake microphone
// beeps) or a WAV file it plays instead (looping).
export async function launchChromium(cameraFile, microphone = Boolean(cameraFile)) {
  const { chromium } = await import(path.join(here, 'node_modules/playwright-core/index.mjs'));
  const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];
  if (microphone) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream');
  if (cameraFile) args.push(`--use-file-for-fake-video-capture=${cameraFile}`);
  if (typeof microphone === 'string') args.push(`--use-file-for-fake-audio-capture=${microphone}`);
  return chromium.launch({ executablePath: '/usr/bin/chromium', args });
}

// Whether a hostile text that a page was fed ran as HTML: its <img src=x onerror="window.injected=1"> would
// have failed to load and run its onerror once an image made now on purpose has (the error of a URL that does
// not resolve is a task queued, in order, as each image asks for its URL). `probed`: that image did fail.
export async function injectedScriptRan(page) {
  const probed = await page.evaluate(() => new Promise((resolve) => {
    const probe = new Image();
    probe.onerror = () => resolve(true);
    probe.onload = () => resolve(true);
    probe.src = 'x';
    setTimeout(() => resolve(false), 10000);  // the bound of this wait, not a sleep
  }));
  return { probed, ran: await page.evaluate(() => window.injected === 1) };
}

// A test's command line: --build (the build folder), --out (where logs and pictures go; `name` under the
// temporary folder by default), and the test's own string options, `more` ({name: default}).
export function commandLine(name, more = {}) {
  const extra = Object.fromEntries(Object.entries(more).map(([key, value]) => [key, { type: 'string', default: value }]));
  return parseArgs({
    options: {
      build: { type: 'string', default: path.join(source, 'build') },
      out: { type: 'string', default: path.join(os.tmpdir(), name) },
      ...extra,
    },
  }).values;
}

export function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
