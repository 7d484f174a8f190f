// What the viewer knows about each elaboration (its latest result, whether it is shown) and how it draws
// the results on a canvas over the video. Labels are canvas text and DOM textContent, never HTML: a label
// comes from a model or a remote service and must not be able to inject anything into the page.
'use strict';

const palette = ['#4f4', '#f84', '#4cf', '#f4f', '#ff4', '#f44'];

class Elaborations {
  constructor(list) {
    this.list = list;        // the <fieldset> that gets one checkbox per elaboration
    this.byName = new Map();  // name -> {message, shown, color, delay element, receivedAt}
  }

  // A result message arrived: it holds the elaboration's whole current state, so it replaces the last one.
  accept(message) {
    if (typeof message !== 'object' || message === null || typeof message.schema !== 'string' ||
        !message.schema.startsWith('elaborator.result/') || !Array.isArray(message.detections)) {
      return false;
    }
    const name = String(message.elaboration);
    let entry = this.byName.get(name);
    if (!entry) entry = this.add(name);
    entry.message = message;
    entry.receivedAt = Date.now();
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
    const delay = document.createElement('span');
    delay.className = 'delay';
    label.append(checkbox, swatch, title, delay);
    this.list.append(label);
    const entry = { message: null, shown: true, color, delay, receivedAt: 0 };
    checkbox.addEventListener('change', () => { entry.shown = checkbox.checked; });
    this.byName.set(name, entry);
    return entry;
  }

  // Draws every shown elaboration's latest detections, boxes normalised to the frame.
  draw(canvas) {
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = 3;
    context.font = '16px sans-serif';
    context.textBaseline = 'bottom';
    for (const entry of this.byName.values()) {
      if (!entry.shown || !entry.message) continue;
      context.strokeStyle = entry.color;
      context.fillStyle = entry.color;
      for (const detection of entry.message.detections) {
        const box = detection.box;
        if (!box) continue;
        const x = box.x * canvas.width;
        const y = box.y * canvas.height;
        context.strokeRect(x, y, box.w * canvas.width, box.h * canvas.height);
        const confidence = typeof detection.confidence === 'number' ? ` ${Math.round(detection.confidence * 100)}%` : '';
        context.fillText(`${detection.label ?? ''}${confidence}`, x + 2, Math.max(16, y - 2));
      }
    }
  }
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
