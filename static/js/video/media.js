// The person's own camera and microphone: one stream for the whole page (check, waiting, call).

import { remember } from './util.js';

const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 15, max: 30 } };

export class LocalMedia {
  constructor() {
    this.stream = new MediaStream();
    this.error = null;
    this.listeners = new Set();
  }

  get audioTrack() { return this.stream.getAudioTracks()[0] || null; }
  get videoTrack() { return this.stream.getVideoTracks()[0] || null; }

  /** Tells the call when a track was replaced (device change), so senders can replaceTrack. */
  onChange(listener) { this.listeners.add(listener); }

  /** Starts camera and microphone with the remembered devices; falls back to whatever works. */
  async start({ video = true } = {}) {
    const wanted = { audio: this.audioConstraints(), video: video ? this.videoConstraints() : false };
    const attempts = [wanted, { audio: wanted.audio, video: false }, { audio: false, video: wanted.video }];
    for (const constraints of attempts) {
      if (!constraints.audio && !constraints.video) continue;
      try {
        const stream = await navigator.mediaDevices.getUserMedia(constraints);
        this.replaceAll(stream);
        this.error = null;
        return this.stream;
      } catch (err) {
        this.error = err.name;
        if (err.name === 'OverconstrainedError') this.forgetDevices();
      }
    }
    return this.stream;
  }

  audioConstraints() {
    const id = remember.get('microphone');
    return id ? { deviceId: { ideal: id }, echoCancellation: true, noiseSuppression: true } : true;
  }

  videoConstraints() {
    const id = remember.get('camera');
    return id ? { ...VIDEO, deviceId: { ideal: id } } : VIDEO;
  }

  forgetDevices() {
    remember.set('camera', '');
    remember.set('microphone', '');
  }

  replaceAll(stream) {
    for (const track of this.stream.getTracks()) { track.stop(); this.stream.removeTrack(track); }
    for (const track of stream.getTracks()) this.stream.addTrack(track);
    this.notify();
  }

  /** Switches one device: kind is 'audioinput' or 'videoinput'. */
  async useDevice(kind, deviceId) {
    remember.set(kind === 'audioinput' ? 'microphone' : 'camera', deviceId);
    const audio = kind === 'audioinput';
    const constraints = audio ? { audio: this.audioConstraints() } : { video: this.videoConstraints() };
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    const fresh = audio ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    const old = audio ? this.audioTrack : this.videoTrack;
    if (old) { old.stop(); this.stream.removeTrack(old); }
    if (fresh) {
      if (old) fresh.enabled = old.enabled;
      this.stream.addTrack(fresh);
    }
    this.notify();
  }

  /** Turns the camera off for real (the light goes out) or on again; used by audio-only mode. */
  async setCamera(on) {
    if (!on) {
      const track = this.videoTrack;
      if (track) { track.stop(); this.stream.removeTrack(track); this.notify(); }
      return;
    }
    if (!this.videoTrack) await this.useDevice('videoinput', remember.get('camera') || '');
  }

  notify() { for (const listener of this.listeners) listener(this.stream); }

  stop() {
    for (const track of this.stream.getTracks()) track.stop();
  }
}

/** Lists devices of one kind as {id, label}; labels appear once permission was given. */
export async function listDevices(kind) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ id: d.deviceId, label: d.label, index: i + 1 }));
}

/** A level meter over a stream's audio: calls onLevel(0..100) about 10 times a second. */
export function levelMeter(stream, onLevel) {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx || !stream.getAudioTracks().length) return () => {};
  const context = new Ctx();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const timer = window.setInterval(() => {
    analyser.getByteTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += ((v - 128) / 128) ** 2;
    onLevel(Math.min(100, Math.round(Math.sqrt(sum / data.length) * 300)));
  }, 100);
  context.resume().catch(() => {});
  return () => { window.clearInterval(timer); context.close().catch(() => {}); };
}

/** A short, soft two-note sound through the chosen speaker (setSinkId where the browser has it). */
export async function playTone({ sinkId = '', notes = [523, 659], seconds = 0.35 } = {}) {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return false;
  const context = new Ctx();
  if (sinkId && context.setSinkId) { try { await context.setSinkId(sinkId); } catch { /* default speaker */ } }
  await context.resume().catch(() => {});
  const gain = context.createGain();
  gain.gain.value = 0.0001;
  gain.connect(context.destination);
  let t = context.currentTime + 0.02;
  for (const frequency of notes) {
    const osc = context.createOscillator();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    osc.connect(gain);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds);
    osc.start(t);
    osc.stop(t + seconds);
    t += seconds + 0.05;
  }
  window.setTimeout(() => context.close().catch(() => {}), (t - context.currentTime + 0.3) * 1000);
  return true;
}
