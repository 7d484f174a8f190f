// What the viewer knows about each elaboration (its latest result, whether it is shown) and how it draws
// the results on a canvas over the video. Labels are canvas text and DOM textContent, never HTML: a label
// comes from a model or a remote service and must not be able to inject anything into the page.
//
// Tracked detections (a `track` with an id and a velocity) are coloured by their id and move between
// results: an elaboration that answers twice a second must still look live at the video's frame rate.
'use strict';

const palette = ['#4f4', '#f84', '#4cf', '#f4f', '#ff4', '#f44'];
// A tracked box follows its velocity for this long after its result reached the page, then holds: a
// prediction drifts, and an object whose results stopped may have stopped too.
const extrapolateForMs = 1000;
// A new result for a track on screen moves its box there over this long instead of jumping.
const glideMs = 150;

class Elaborations {
  // `audioPanel`: where audio results show (audio.js); without it they are refused.
  constructor(list, audioPanel = null) {
    this.list = list;        // the <fieldset> that gets one checkbox per elaboration
    this.byName = new Map();  // name -> {message, shown, color, summary and delay elements, receivedAt, timing, glides}
    this.audio = audioPanel ? new AudioResults(audioPanel) : null;
  }

  // A result message arrived at page time `now` (performance.now()): a video result holds the elaboration's
  // whole current state, so it replaces the last one. Tracks it shares with the last one glide from where
  // they are drawn now. An audio result goes to the audio panel and leaves the boxes as they are.
  accept(message, now = performance.now()) {
    if (typeof message !== 'object' || message === null || typeof message.schema !== 'string' ||
        !message.schema.startsWith('elaborator.result/') || !Array.isArray(message.detections)) {
      return false;
    }
    if (message.media === 'audio') return this.audio !== null && this.audio.accept(message);
    const name = String(message.elaboration);
    let entry = this.byName.get(name);
    if (!entry) entry = this.add(name);
    const drawn = entry.message ? trackedBoxesAt(entry, now) : new Map();
    entry.message = message;
    entry.receivedAt = Date.now();
    entry.timing = resultTiming(message, now);
    entry.glides = new Map();
    for (const detection of message.detections) {
      const id = trackId(detection);
      if (id !== null && drawn.has(id)) entry.glides.set(id, { from: drawn.get(id), start: now });
    }
    entry.summary.textContent = describeSummary(message.summary);
    entry.delay.textContent = describeDelay(message, entry.receivedAt);
    return true;
  }

  add(name) {
    const color = palette[this.byName.size % palette.length];
    const label = document.createElement('label');
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    checkbox.checked = true;
    checkbox.dataset.elaboration = name;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = color;
    const title = document.createElement('span');
    title.textContent = name;
    const summary = document.createElement('span');
    summary.className = 'summary';
    const delay = document.createElement('span');
    delay.className = 'delay';
    label.append(checkbox, swatch, title, summary, delay);
    this.list.append(label);
    const entry = { message: null, shown: true, color, summary, delay, receivedAt: 0, timing: null, glides: new Map() };
    checkbox.addEventListener('change', () => { entry.shown = checkbox.checked; });
    this.byName.set(name, entry);
    return entry;
  }

  // The boxes as draw() draws them at page time `now` (performance.now()), in the canvas's pixels:
  // [{elaboration, track (id or null), x, y, w, h, color, text}]. Tests read it instead of pixels.
  boxesAt(canvas, now = performance.now()) {
    const boxes = [];
    for (const [name, entry] of this.byName) {
      if (!entry.shown || !entry.message) continue;
      for (const detection of entry.message.detections) {
        const box = detectionBoxAt(entry, detection, now);
        if (!box) continue;
        const id = trackId(detection);
        boxes.push({
          elaboration: name,
          track: id,
          x: box.x * canvas.width,
          y: box.y * canvas.height,
          w: box.w * canvas.width,
          h: box.h * canvas.height,
          color: id === null ? entry.color : trackColor(id),
          text: describeDetection(detection, id),
        });
      }
    }
    return boxes;
  }

  // Draws every shown elaboration's detections, boxes normalised to the frame, tracked ones where they are now.
  draw(canvas, now = performance.now()) {
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = 3;
    context.font = '16px sans-serif';
    context.textBaseline = 'bottom';
    for (const box of this.boxesAt(canvas, now)) {
      context.strokeStyle = box.color;
      context.fillStyle = box.color;
      context.strokeRect(box.x, box.y, box.w, box.h);
      context.fillText(box.text, box.x + 2, Math.max(16, box.y - 2));
    }
  }
}

// When the result's frame was captured, in page time: when the result arrived minus the elaborator's own
// time on it (times_us.sent - arrival; the network between is not known and small). At most
// extrapolateForMs, so a wrong clock cannot throw a box far away.
function resultTiming(message, receivedAt) {
  const times = message.times_us;
  let processingMs = 0;
  if (times && Number.isFinite(times.arrival) && Number.isFinite(times.sent)) {
    processingMs = Math.min(extrapolateForMs, Math.max(0, (times.sent - times.arrival) / 1000));
  }
  return { receivedAt, capturedAt: receivedAt - processingMs };
}

// The track's id, or null for a detection that is not tracked (or whose track is malformed).
function trackId(detection) {
  const track = detection && detection.track;
  return track && Number.isFinite(track.id) ? track.id : null;
}

// The detection's box at page time `now`, normalised: as given if untracked, else extrapolated and glided.
// Null if the message's box is not four numbers.
function detectionBoxAt(entry, detection, now) {
  const box = detection && detection.box;
  if (!box || ![box.x, box.y, box.w, box.h].every(Number.isFinite)) return null;
  const id = trackId(detection);
  if (id === null) return box;
  const target = extrapolate(box, detection.track.velocity, entry.timing, now);
  const glide = entry.glides.get(id);
  if (!glide) return target;
  const progress = Math.min(1, Math.max(0, (now - glide.start) / glideMs));
  return {
    x: glide.from.x + (target.x - glide.from.x) * progress,
    y: glide.from.y + (target.y - glide.from.y) * progress,
    w: glide.from.w + (target.w - glide.from.w) * progress,
    h: glide.from.h + (target.h - glide.from.h) * progress,
  };
}

// The box moved by its velocity (frame widths and heights per second) for the time since its frame was
// captured, up to extrapolateForMs after the result arrived, and kept inside the frame.
function extrapolate(box, velocity, timing, now) {
  const vx = velocity && Number.isFinite(velocity.x) ? velocity.x : 0;
  const vy = velocity && Number.isFinite(velocity.y) ? velocity.y : 0;
  const seconds = Math.max(0, Math.min(now, timing.receivedAt + extrapolateForMs) - timing.capturedAt) / 1000;
  const w = clamp(box.w, 0, 1);
  const h = clamp(box.h, 0, 1);
  return { x: clamp(box.x + vx * seconds, 0, 1 - w), y: clamp(box.y + vy * seconds, 0, 1 - h), w, h };
}

// Every tracked box of an entry as drawn at `now`, by id: where a new result's boxes glide from.
function trackedBoxesAt(entry, now) {
  const boxes = new Map();
  for (const detection of entry.message.detections) {
    const id = trackId(detection);
    const box = id === null ? null : detectionBoxAt(entry, detection, now);
    if (box) boxes.set(id, box);
  }
  return boxes;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

// A colour of its own for each id, the same every time: hues a golden angle apart stay far apart for
// neighbouring ids.
function trackColor(id) {
  const hue = ((id * 137.508) % 360 + 360) % 360;
  return `hsl(${hue.toFixed(1)}, 90%, 60%)`;
}

// "#7 person 90%" for a tracked detection, "person 90%" otherwise.
function describeDetection(detection, id) {
  const confidence = typeof detection.confidence === 'number' ? ` ${Math.round(detection.confidence * 100)}%` : '';
  const track = id === null ? '' : `#${id} `;
  return `${track}${detection.label ?? ''}${confidence}`;
}

// A result's summary of the whole frame as text: {"line": {"forward": 3, "backward": 1}, "zone": 2} reads
// "line forward 3, backward 1; zone 2". Bounded: it comes from the network and sits on one line.
function describeSummary(summary) {
  if (summary === undefined || summary === null) return '';
  const text = describeValue(summary, 0);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function describeValue(value, depth) {
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth >= 3) return '…';
  const separator = depth === 0 ? '; ' : ', ';
  if (Array.isArray(value)) return value.map((item) => describeValue(item, depth + 1)).join(', ');
  return Object.entries(value).map(([key, item]) => `${key} ${describeValue(item, depth + 1)}`).join(separator);
}

// "frame to result 48 ms, result to page 3 ms": from the message's own timestamps (wall clock, microseconds)
// and this page's clock, which is the same clock when the viewer runs on the elaborator's machine.
function describeDelay(message, receivedAtMs) {
  const times = message.times_us;
  if (!times || typeof times.arrival !== 'number' || typeof times.sent !== 'number') return '';
  const processing = (times.sent - times.arrival) / 1000;
  const delivery = receivedAtMs - times.sent / 1000;
  return `frame to result ${processing.toFixed(0)} ms, result to page ${delivery.toFixed(0)} ms`;
}
