// What the viewer shows of audio results ("media": "audio"), under the video: the captions of an elaboration
// that writes them (detections labelled "caption") and a level meter for one that measures loudness
// (detections with "level_dbfs"), one block per elaboration. Audio results draw nothing on the video, so
// they live apart from the boxes: an audio result never replaces what a video elaboration drew. Texts are
// DOM textContent, never HTML: a caption comes from a recogniser hearing anyone who speaks.
'use strict';

// Final captions kept on screen: the sentence before the current one stays readable, and the video above
// does not jump as the page grows.
const keptFinalCaptions = 3;
// The meter's empty end. The elaborator reports digital silence as -120 dBFS; a quiet room is about -45,
// speech -35 to -20, so the bar's width goes to what can be heard.
const meterFloorDbfs = -60;

class AudioResults {
  constructor(panel) {
    this.panel = panel;        // the element under the video that gets a block per audio elaboration
    this.captions = new Map();  // elaboration name -> CaptionLines
    this.meters = new Map();    // elaboration name -> LevelMeter
  }

  // An audio result whose detections were already checked to be an array: its captions update its
  // elaboration's lines, its level its meter. Detections of neither kind are left out.
  accept(message) {
    const name = String(message.elaboration);
    for (const detection of message.detections) {
      if (isCaption(detection)) this.blockOf(this.captions, name, CaptionLines).show(detection);
      else if (isLevel(detection)) this.blockOf(this.meters, name, LevelMeter).show(detection);
    }
    return true;
  }

  blockOf(blocks, name, Block) {
    let block = blocks.get(name);
    if (!block) {
      block = new Block(name);
      blocks.set(name, block);
      this.panel.append(block.element);
    }
    return block;
  }
}

function isCaption(detection) {
  return detection !== null && typeof detection === 'object' && detection.label === 'caption' &&
    typeof detection.text === 'string';
}

function isLevel(detection) {
  return detection !== null && typeof detection === 'object' && Number.isFinite(detection.level_dbfs);
}

function element(tag, className, text = '') {
  const made = document.createElement(tag);
  made.className = className;
  made.textContent = text;
  return made;
}

// An elaboration's captions: its last final ones, oldest first, then the partial caption of the utterance
// being spoken, which its next partial or its final replaces.
class CaptionLines {
  constructor(name) {
    this.element = element('div', 'captions');
    this.element.dataset.elaboration = name;
    this.finals = element('div', 'caption-finals');
    this.partial = element('div', 'caption-partial');
    this.element.append(element('div', 'audio-name', name), this.finals, this.partial);
  }

  // An empty text makes no line, but an empty final still ends its utterance's partial caption: the
  // recogniser heard no words in the end, and a stale partial would stay until someone speaks again.
  show(caption) {
    const text = caption.text.trim();
    if (caption.final === true) {
      this.partial.textContent = '';
      if (text) this.addFinal(text);
    } else if (text) {
      this.partial.textContent = text;
    }
  }

  addFinal(text) {
    this.finals.append(element('div', 'caption-final', text));
    while (this.finals.childElementCount > keptFinalCaptions) this.finals.firstElementChild.remove();
  }
}

// An elaboration's loudness: a bar from meterFloorDbfs to 0 dBFS (an ARIA meter, which tests read too), the
// level as a number, and whether the window is speech or silence, in words and in the bar's colour.
class LevelMeter {
  constructor(name) {
    this.element = element('div', 'level');
    this.element.dataset.elaboration = name;
    this.bar = element('div', 'level-bar');
    this.bar.setAttribute('role', 'meter');
    this.bar.setAttribute('aria-label', `${name} level in dBFS`);
    this.bar.setAttribute('aria-valuemin', String(meterFloorDbfs));
    this.bar.setAttribute('aria-valuemax', '0');
    this.fill = element('div', 'level-fill');
    this.bar.append(this.fill);
    this.value = element('span', 'level-value');
    this.state = element('span', 'level-state');
    this.element.append(element('span', 'audio-name', name), this.bar, this.value, this.state);
  }

  show(detection) {
    const level = Math.min(0, Math.max(meterFloorDbfs, detection.level_dbfs));
    this.fill.style.width = `${(100 * (level - meterFloorDbfs) / -meterFloorDbfs).toFixed(1)}%`;
    this.bar.setAttribute('aria-valuenow', String(level));
    this.value.textContent = `${detection.level_dbfs.toFixed(1)} dBFS`;
    const speech = detection.label === 'speech';
    this.state.textContent = speech ? 'speech' : 'silence';
    this.element.classList.toggle('speech', speech);
  }
}
