// One RTCPeerConnection to one other connection, with perfect negotiation and automatic ICE restart.
//
// Incoming signals go through one promise chain per peer: a candidate that arrives while an offer is
// still being applied waits for it instead of being dropped (STACK.md measured 2 of 10 relay calls
// failing without this). The polite peer is the one with the lower `conn` string (rtc/PROTOCOL.md).

const RESTART_AFTER_DISCONNECTED_MS = 2000;
const RESTART_RETRY_MS = 3000;

/** Puts VP8 first on video transceivers: Safari and aiortc both decode it; others stay as fallbacks. */
function preferVp8(pc) {
  if (!window.RTCRtpReceiver || !RTCRtpReceiver.getCapabilities) return;
  const caps = RTCRtpReceiver.getCapabilities('video');
  if (!caps) return;
  const vp8 = caps.codecs.filter((c) => c.mimeType.toLowerCase() === 'video/vp8');
  const rest = caps.codecs.filter((c) => c.mimeType.toLowerCase() !== 'video/vp8');
  for (const t of pc.getTransceivers()) {
    const kind = t.receiver.track && t.receiver.track.kind;
    if (kind !== 'video' || t.stopped || !t.setCodecPreferences) continue;
    try { t.setCodecPreferences([...vp8, ...rest]); } catch { /* some browsers refuse; their default is fine */ }
  }
}

export class Peer {
  /**
   * conn/myConn: connection ids; send(payload): emits a `signal` to this peer;
   * waitForOffer: the newcomer lets the one already in the room offer first;
   * events: {track(event), state(text), restart()} callbacks.
   */
  constructor({ conn, myConn, iceServers, send, waitForOffer = false, events = {} }) {
    this.conn = conn;
    this.polite = myConn < conn;
    this.send = send;
    this.events = events;
    this.waitForOffer = waitForOffer;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    this.chain = Promise.resolve();
    this.closed = false;
    this.restarts = 0;
    this.iceHistory = [];
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    this.pc.onnegotiationneeded = () => this.negotiate();
    this.pc.onicecandidate = ({ candidate }) => this.send({ candidate: candidate ? candidate.toJSON() : null });
    this.pc.ontrack = (event) => this.events.track && this.events.track(event);
    this.pc.oniceconnectionstatechange = () => this.iceChanged();
  }

  async negotiate() {
    if (this.waitForOffer || this.closed) return;
    try {
      this.makingOffer = true;
      preferVp8(this.pc);
      await this.pc.setLocalDescription();
      this.send({ description: this.pc.localDescription.toJSON() });
    } catch (err) {
      console.warn('silta video: offer failed', err.name);
    } finally {
      this.makingOffer = false;
    }
  }

  /** Queues one incoming signal; signals are applied strictly in arrival order. */
  receive(message) {
    this.chain = this.chain.then(() => this.apply(message)).catch((err) => {
      console.warn('silta video: signal failed', err.name);
    });
    return this.chain;
  }

  async apply({ description, candidate }) {
    if (this.closed) return;
    const pc = this.pc;
    if (description) {
      const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = description.type === 'answer';
      await pc.setRemoteDescription(description);
      this.settingRemoteAnswer = false;
      if (description.type === 'offer') {
        this.waitForOffer = false;
        preferVp8(pc);
        await pc.setLocalDescription();
        this.send({ description: pc.localDescription.toJSON() });
      }
    } else if (candidate !== undefined) {
      try {
        await pc.addIceCandidate(candidate || undefined);
      } catch (err) {
        if (!this.ignoreOffer) throw err;
      }
    }
  }

  iceChanged() {
    const state = this.pc.iceConnectionState;
    this.iceHistory.push(state);
    if (this.events.state) this.events.state(state);
    window.clearTimeout(this.restartTimer);
    if (state === 'failed') this.restart();
    else if (state === 'disconnected') {
      this.restartTimer = window.setTimeout(() => this.restart(), RESTART_AFTER_DISCONNECTED_MS);
    }
  }

  /** ICE restart; repeated while the connection stays down (the network may still be gone). */
  restart() {
    if (this.closed) return;
    const state = this.pc.iceConnectionState;
    if (state === 'connected' || state === 'completed') return;
    this.restarts += 1;
    if (this.events.restart) this.events.restart();
    this.pc.restartIce();
    this.restartTimer = window.setTimeout(() => this.restart(), RESTART_RETRY_MS);
  }

  close() {
    this.closed = true;
    window.clearTimeout(this.restartTimer);
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.close();
  }
}

/** Sums what getStats says about this peer's media: for quality indicators and tests. */
export async function mediaStats(pc) {
  const out = { framesDecoded: 0, packetsLost: 0, packetsReceived: 0, bytesReceived: 0, rtt: null,
    frameWidth: 0, frameHeight: 0, outgoingBitrate: null };
  const report = await pc.getStats();
  report.forEach((s) => {
    if (s.type === 'inbound-rtp') {
      out.packetsLost += Math.max(0, s.packetsLost || 0);
      out.packetsReceived += s.packetsReceived || 0;
      out.bytesReceived += s.bytesReceived || 0;
      if (s.kind === 'video') {
        out.framesDecoded += s.framesDecoded || 0;
        out.frameWidth = Math.max(out.frameWidth, s.frameWidth || 0);
        out.frameHeight = Math.max(out.frameHeight, s.frameHeight || 0);
      }
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
      if (typeof s.currentRoundTripTime === 'number') out.rtt = s.currentRoundTripTime;
      if (typeof s.availableOutgoingBitrate === 'number') out.outgoingBitrate = s.availableOutgoingBitrate;
    }
  });
  return out;
}
