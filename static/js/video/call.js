// Stage 3, the call: a full mesh of peers (up to maxPeople), controls, quality, screen share.

import { Peer, mediaStats } from './peer.js';
import { Tiles } from './tiles.js';
import { announce } from './util.js';

const $ = (id) => document.getElementById(id);
const QUALITY_EVERY_MS = 2000;

export class Call {
  constructor({ config, t, media, socket, ice, statusRegion }) {
    this.config = config;
    this.t = t;
    this.media = media;
    this.socket = socket; // () => the live socket
    this.ice = ice; // () => current iceServers
    this.status = statusRegion;
    this.peers = new Map(); // conn → {peer, info, stream}
    this.myConn = null;
    this.audioOnly = false;
    this.screenTrack = null;
    this.quality = null;
    this.tiles = new Tiles($('tiles'), t);
    this.media.onChange(() => this.syncSenders());
    this.bindControls();
  }

  bindControls() {
    $('toggle-mic').addEventListener('click', () => this.toggleMic());
    $('toggle-camera').addEventListener('click', () => this.toggleCamera());
    $('toggle-audio-only').addEventListener('click', () => this.setAudioOnly(!this.audioOnly));
    $('toggle-view').addEventListener('click', () => this.toggleView());
    // Offered only where the browser can share a screen (phones cannot): hidden in the markup until then.
    const share = $('toggle-share');
    if (navigator.mediaDevices && typeof navigator.mediaDevices.getDisplayMedia === 'function') {
      share.hidden = false;
      share.addEventListener('click', () => (this.screenTrack ? this.stopShare() : this.startShare()));
    }
    $('toggle-self').addEventListener('click', () => this.hideSelf(!document.body.classList.contains('self-hidden')));
    $('move-self').addEventListener('click', () => this.moveSelf());
    if (this.config.calm) this.hideSelf(true, false);
    $('play-sound').addEventListener('click', () => this.playAll());
  }

  /** `joined`: a fresh connection; every earlier peer connection is gone, the others offer to us. */
  joined({ conn, peers }) {
    for (const conn0 of [...this.peers.keys()]) this.drop(conn0);
    this.myConn = conn;
    this.tiles.own(this.media.stream, this.config.name);
    for (const info of peers) {
      this.addPeer(info, true);
      if (info.state) this.tiles.setState(info.conn, info.state);
    }
    this.sendState();
    this.startQuality();
  }

  peerJoined(info) {
    this.addPeer(info, false);
    announce(this.status, this.t('peer_joined', { name: info.name }));
  }

  peerLeft({ conn }) {
    const entry = this.peers.get(conn);
    if (!entry) return;
    this.drop(conn);
    announce(this.status, this.t('peer_left', { name: entry.info.name }));
  }

  addPeer(info, waitForOffer) {
    if (this.peers.has(info.conn)) this.drop(info.conn);
    const stream = new MediaStream();
    const peer = new Peer({
      conn: info.conn, myConn: this.myConn, iceServers: this.ice(), waitForOffer,
      send: (payload) => this.sendSignal(info.conn, payload),
      events: {
        track: (event) => this.gotTrack(info, stream, event.track),
        state: (state) => this.iceState(info, state),
      },
    });
    this.peers.set(info.conn, { peer, info, stream });
    this.tiles.ensure(info.conn, info.name);
    this.syncSenders();
  }

  /** Signals are dropped while the socket is down: after reconnecting everything is negotiated anew. */
  sendSignal(to, payload) {
    const socket = this.socket();
    if (socket && socket.connected) socket.emit('signal', { to, ...payload });
  }

  signal(message) {
    const entry = this.peers.get(message.from);
    if (entry) entry.peer.receive(message);
  }

  gotTrack(info, stream, track) {
    for (const old of stream.getTracks()) if (old.kind === track.kind && old !== track) stream.removeTrack(old);
    stream.addTrack(track);
    // Only a refusal by the autoplay policy needs the button; an AbortError is just a newer play() call.
    this.tiles.play(info.conn, info.name, stream).catch((err) => {
      if (err.name === 'NotAllowedError') $('play-sound').hidden = false;
    });
  }

  playAll() {
    for (const { info, stream } of this.peers.values()) this.tiles.play(info.conn, info.name, stream).catch(() => {});
    $('play-sound').hidden = true;
  }

  iceState(info, state) {
    if (state === 'disconnected' || state === 'failed') announce(this.status, this.t('reconnecting', { name: info.name }));
    if ((state === 'connected' || state === 'completed') && this.peers.get(info.conn)?.peer.restarts) {
      announce(this.status, this.t('reconnected', { name: info.name }));
    }
  }

  peerState({ conn, ...state }) {
    const entry = this.peers.get(conn);
    if (!entry) return;
    const wasSharing = entry.info.screen;
    entry.info.screen = state.screen;
    this.tiles.setState(conn, state);
    if (state.screen && !wasSharing) {
      announce(this.status, this.t('peer_sharing', { name: entry.info.name }));
      this.setView(conn);
    }
  }

  drop(conn) {
    const entry = this.peers.get(conn);
    if (!entry) return;
    entry.peer.close();
    this.peers.delete(conn);
    this.tiles.remove(conn);
  }

  // --- own picture: small and movable, or hidden -----------------------------------------

  hideSelf(hidden, say = true) {
    document.body.classList.toggle('self-hidden', hidden);
    const button = $('toggle-self');
    button.setAttribute('aria-pressed', String(hidden));
    button.querySelector('.hds-button__label').textContent = this.t(hidden ? 'self_hidden' : 'self_shown');
    $('move-self').hidden = hidden;
    if (say) announce(this.status, this.t(hidden ? 'self_hidden_now' : 'self_shown_now'));
  }

  /** The small own picture goes round the corners of the other person's picture. */
  moveSelf() {
    const corners = ['top-right', 'bottom-right', 'bottom-left', 'top-left'];
    const now = document.body.dataset.selfCorner || 'top-right';
    document.body.dataset.selfCorner = corners[(corners.indexOf(now) + 1) % corners.length];
  }

  /** Calm mode: join with the camera off, and say so kindly (it can be turned on at any time). */
  calmStart() {
    const track = this.media.videoTrack;
    if (track && track.enabled) {
      track.enabled = false;
      $('toggle-camera').setAttribute('aria-pressed', 'true');
    }
    $('calm-camera-note').hidden = false;
  }

  // --- own media -------------------------------------------------------------------------

  /** What each peer should receive from us: microphone, and screen or camera (none in audio-only). */
  wanted() {
    const video = this.screenTrack || (this.audioOnly ? null : this.media.videoTrack);
    return { audio: this.media.audioTrack, video };
  }

  /** Puts the wanted tracks on every peer: replaceTrack where a sender exists, addTrack otherwise. */
  syncSenders() {
    const wanted = this.wanted();
    const direction = this.audioOnly && !this.screenTrack ? 'inactive' : 'sendrecv';
    for (const { peer } of this.peers.values()) {
      const pc = peer.pc;
      for (const kind of ['audio', 'video']) {
        const transceiver = pc.getTransceivers().find((t) => !t.stopped && t.receiver.track.kind === kind);
        const track = wanted[kind];
        if (!transceiver) {
          if (track) pc.addTrack(track, this.media.stream);
          continue;
        }
        if (transceiver.sender.track !== track) transceiver.sender.replaceTrack(track).catch(() => {});
        const want = kind === 'video' ? direction : 'sendrecv';
        if (transceiver.direction !== want) transceiver.direction = want;
      }
    }
    this.tiles.own(this.screenTrack ? this.screenStream : this.media.stream, this.config.name);
  }

  sendState() {
    const socket = this.socket();
    const audio = Boolean(this.media.audioTrack && this.media.audioTrack.enabled);
    const video = Boolean(!this.audioOnly && this.media.videoTrack && this.media.videoTrack.enabled);
    this.tiles.setState('self', { audio, video, screen: Boolean(this.screenTrack) });
    if (socket && socket.connected) socket.emit('state', { audio, video, screen: Boolean(this.screenTrack) });
  }

  toggleMic() {
    const track = this.media.audioTrack;
    if (!track) { announce(this.status, this.t('mic_missing')); return; }
    track.enabled = !track.enabled;
    this.pressed('toggle-mic', !track.enabled, track.enabled ? 'mic_on_now' : 'mic_off_now');
  }

  toggleCamera() {
    const track = this.media.videoTrack;
    if (!track) { announce(this.status, this.t('camera_missing')); return; }
    track.enabled = !track.enabled;
    if (track.enabled) $('calm-camera-note').hidden = true;
    this.pressed('toggle-camera', !track.enabled, track.enabled ? 'camera_on_now' : 'camera_off_now');
  }

  /** aria-pressed="true" means "off" for mic and camera: the button reads "Turn microphone off, pressed". */
  pressed(id, on, messageKey) {
    $(id).setAttribute('aria-pressed', String(on));
    announce(this.status, this.t(messageKey));
    this.sendState();
  }

  async setAudioOnly(on) {
    this.audioOnly = on;
    await this.media.setCamera(!on);
    this.syncSenders();
    $('toggle-audio-only').setAttribute('aria-pressed', String(on));
    $('toggle-camera').disabled = on;
    announce(this.status, this.t(on ? 'audio_only_on' : 'audio_only_off'));
    this.sendState();
  }

  async startShare() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
    } catch {
      announce(this.status, this.t('share_cancelled'));
      return;
    }
    this.screenStream = stream;
    this.screenTrack = stream.getVideoTracks()[0];
    if ('contentHint' in this.screenTrack) this.screenTrack.contentHint = 'detail';
    this.screenTrack.addEventListener('ended', () => this.stopShare());
    this.syncSenders();
    this.shareButton(true);
  }

  stopShare() {
    if (!this.screenTrack) return;
    this.screenTrack.stop();
    this.screenTrack = null;
    this.syncSenders();
    this.shareButton(false);
  }

  shareButton(on) {
    const button = $('toggle-share');
    button.classList.toggle('is-on', on);
    button.querySelector('.hds-button__label').textContent = this.t(on ? 'share_stop' : 'share_start');
    announce(this.status, this.t(on ? 'share_on_now' : 'share_off_now'));
    this.sendState();
  }

  toggleView() {
    this.setView(this.tiles.main === null ? (this.tiles.firstRemote() || 'self') : null);
  }

  setView(conn) {
    this.tiles.setMain(conn);
    $('toggle-view').setAttribute('aria-pressed', String(conn !== null));
  }

  // --- connection quality ----------------------------------------------------------------

  startQuality() {
    window.clearInterval(this.qualityTimer);
    this.previous = new Map();
    this.qualityTimer = window.setInterval(() => this.measure(), QUALITY_EVERY_MS);
  }

  async measure() {
    let worst = this.peers.size ? 'good' : null;
    const rank = { good: 0, fair: 1, poor: 2, lost: 3 };
    for (const [conn, { peer }] of this.peers) {
      const level = await this.level(conn, peer);
      if (rank[level] > rank[worst]) worst = level;
    }
    this.showQuality(worst);
  }

  async level(conn, peer) {
    const ice = peer.pc.iceConnectionState;
    if (ice === 'disconnected' || ice === 'failed') return 'lost';
    if (ice !== 'connected' && ice !== 'completed') return 'good';
    const now = await mediaStats(peer.pc);
    const before = this.previous.get(conn);
    this.previous.set(conn, now);
    if (!before) return 'good';
    const received = now.packetsReceived - before.packetsReceived;
    const lost = now.packetsLost - before.packetsLost;
    const loss = received + lost > 0 ? lost / (received + lost) : 0;
    const rtt = now.rtt || 0;
    if (loss > 0.1 || rtt > 0.8) return 'poor';
    if (loss > 0.03 || rtt > 0.35) return 'fair';
    return 'good';
  }

  showQuality(level) {
    const box = $('quality');
    box.hidden = level === null;
    if (level === null || level === this.quality) return;
    const before = this.quality;
    this.quality = level;
    box.dataset.level = level;
    $('quality-text').textContent = this.t(`quality_${level}`);
    // Announced only when it gets worse than fair, or gets better again: not every two seconds.
    if (level === 'poor' || (before && before !== 'good' && level === 'good')) {
      announce(this.status, this.t(`quality_${level}`));
    }
  }

  /** For tests and support: per peer figures from getStats and the ICE states seen. */
  async stats() {
    const out = {};
    for (const [conn, { peer, info }] of this.peers) {
      out[conn] = { name: info.name, role: info.role, ice: peer.pc.iceConnectionState, iceHistory: peer.iceHistory,
        restarts: peer.restarts, ...(await mediaStats(peer.pc)) };
    }
    return out;
  }

  stop() {
    window.clearInterval(this.qualityTimer);
    for (const conn of [...this.peers.keys()]) this.drop(conn);
    if (this.screenTrack) this.screenTrack.stop();
  }
}
