// Stage 1, the pre-call check: camera preview and pickers, microphone level, speaker sound, network.

import { EchoTest, runEchoTest } from './echo.js';
import { levelMeter, listDevices, playTone } from './media.js';
import { announce, postJson, remember } from './util.js';

const $ = (id) => document.getElementById(id);

export class CheckStage {
  constructor({ config, t, media }) {
    this.config = config;
    this.t = t;
    this.media = media;
    this.stopMeter = () => {};
    this.levels = [];
    this.result = null;
  }

  async start() {
    await this.media.start();
    this.showCamera();
    await this.fillPickers();
    this.startMeter();
    this.media.onChange(() => { this.showCamera(); this.startMeter(); });
    $('speaker-test').addEventListener('click', () => this.testSpeaker());
    $('speaker-yes').addEventListener('click', () => this.heard(true));
    $('speaker-no').addEventListener('click', () => this.heard(false));
    $('network-retry').addEventListener('click', () => this.testNetwork());
    this.testNetwork();
  }

  showCamera() {
    const status = $('camera-status');
    if (this.media.videoTrack) status.textContent = this.t('camera_ok');
    else if (this.media.error === 'NotAllowedError') status.textContent = this.t('camera_denied');
    else status.textContent = this.t('camera_missing');
    // A media element showing an empty stream holds back the page's load event: only a real camera.
    const preview = $('preview');
    preview.hidden = !this.media.videoTrack;
    preview.srcObject = this.media.videoTrack ? this.media.stream : null;
  }

  async fillPickers() {
    const pickers = [['camera-select', 'videoinput', 'camera'], ['mic-select', 'audioinput', 'microphone'],
      ['speaker-select', 'audiooutput', 'speaker']];
    for (const [id, kind, key] of pickers) {
      const select = $(id);
      const devices = await listDevices(kind);
      const wrapper = select.closest('.device-picker');
      const usable = kind !== 'audiooutput' || 'setSinkId' in HTMLMediaElement.prototype;
      wrapper.hidden = !usable || devices.length === 0;
      select.replaceChildren(...devices.map((d) => new Option(d.label || this.t(`${key}_n`, { n: d.index }), d.id)));
      const current = this.currentDevice(kind) || remember.get(key);
      if (current && devices.some((d) => d.id === current)) select.value = current;
      select.onchange = () => this.choose(kind, key, select.value);
    }
  }

  currentDevice(kind) {
    const track = kind === 'videoinput' ? this.media.videoTrack : kind === 'audioinput' ? this.media.audioTrack : null;
    return track ? track.getSettings().deviceId : null;
  }

  async choose(kind, key, deviceId) {
    if (kind === 'audiooutput') { remember.set(key, deviceId); return; }
    try {
      await this.media.useDevice(kind, deviceId);
    } catch {
      announce($('check-announce'), this.t('device_failed'));
    }
  }

  startMeter() {
    this.stopMeter();
    const meter = $('mic-meter');
    const text = $('mic-status');
    if (!this.media.audioTrack) {
      text.textContent = this.t('mic_missing');
      return;
    }
    let loud = 0;
    let ticks = 0;
    this.stopMeter = levelMeter(this.media.stream, (level) => {
      meter.value = level;
      if (level > 8) loud += 1;
      ticks += 1;
      // A calm text for screen readers, updated every 1.5 s; it is not a live region on purpose.
      if (ticks % 15 === 0) {
        text.textContent = loud > 0 ? this.t('mic_ok') : this.t('mic_silent');
        loud = 0;
      }
    });
  }

  async testSpeaker() {
    const played = await playTone({ sinkId: remember.get('speaker') || '', notes: [440, 554, 659], seconds: 0.4 });
    $('speaker-question').hidden = !played;
    $('speaker-result').textContent = played ? '' : this.t('speaker_unsupported');
    if (played) $('speaker-yes').focus();
  }

  heard(yes) {
    $('speaker-result').textContent = yes ? this.t('speaker_ok') : this.t('speaker_help');
    $('speaker-question').hidden = true;
    $('speaker-test').focus();
  }

  async testNetwork() {
    const status = $('network-status');
    const retry = $('network-retry');
    retry.disabled = true;
    status.textContent = this.t('network_testing');
    delete status.dataset.verdict; // the verdict shown is always the latest test's
    this.echo = new EchoTest(this.config, this.media.stream);
    const result = await runEchoTest(this.echo);
    if (this.stopped) return;
    this.result = result;
    await this.keep(result.verdict); // kept before it is shown, so leaving the page at once loses nothing
    if (this.onResult) this.onResult(result);
    status.textContent = this.verdictText(result);
    status.dataset.verdict = result.verdict;
    this.showFigures(result.figures || {});
    retry.disabled = false;
  }

  /** A test that went well lets the person skip the check before a meeting later: a signed-in client's
   *  result is kept for them on the server (any device, the latest counts); a guest's in this browser. */
  async keep(verdict) {
    const good = verdict === 'video' || verdict === 'voice';
    if (this.config.practiceUrl) {
      if (!this.echo || !this.echo.roomKey) return; // the test never reached the echo bot's room
      try {
        await postJson(this.config.practiceUrl, { verdict, room: this.echo.roomKey }, this.config.csrfToken);
      } catch { /* not kept: the check is simply offered next time */ }
    } else if (good) {
      remember.set('practiced', String(Date.now()));
    }
  }

  verdictText({ verdict }) {
    const camera = this.media.videoTrack ? `${this.t('camera_works')} ` : '';
    if (verdict === 'video') return camera + this.t('network_video');
    if (verdict === 'voice') return camera + this.t('network_voice');
    if (verdict === 'poor') return camera + this.t('network_poor');
    return this.t('network_unavailable');
  }

  showFigures({ rtt, loss, kbps }) {
    const details = $('network-details');
    details.hidden = rtt === undefined || rtt === null;
    if (details.hidden) return;
    $('figure-rtt').textContent = this.t('figure_ms', { n: Math.round(rtt * 1000) });
    $('figure-loss').textContent = loss === null ? '–' : this.t('figure_percent', { n: (loss * 100).toFixed(1) });
    $('figure-kbps').textContent = this.t('figure_kbps', { n: kbps || 0 });
  }

  /** Leaving the check: the meter and any running connection test stop (the call needs the bandwidth). */
  stop() {
    this.stopped = true;
    this.stopMeter();
    if (this.echo) this.echo.close();
  }
}
