// The pre-call network test: a short loopback call to the aiortc echo bot over the same signaling
// (rtc/PROTOCOL.md "Echo test"). It measures, it never blocks joining.

import { Peer, mediaStats } from './peer.js';
import { connect, fetchIceServers, request } from './signaling.js';
import { postJson, sleep } from './util.js';

const BOT_WAIT_MS = 8000;
const MEDIA_WAIT_MS = 10000;
const MEASURE_MS = 4000;

// Good enough for video: the echoed picture decodes, little loss, a usable round trip and bitrate.
const VIDEO_OK = { loss: 0.05, rtt: 0.4, kbps: 150 };
const VOICE_OK = { loss: 0.15, rtt: 1.0 };

/** Runs one echo test; resolves to {verdict: 'video'|'voice'|'unavailable'|'poor', figures}.
 *  `test.close()` stops it early (the person joined the meeting before it finished). */
export async function runEchoTest(test) {
  try {
    return await test.run();
  } catch (err) {
    return { verdict: 'unavailable', figures: {}, reason: err.message };
  } finally {
    test.close();
  }
}

export class EchoTest {
  constructor(config, stream) {
    this.config = config;
    this.stream = stream;
    this.socket = null;
    this.peer = null;
    this.rtts = [];
  }

  async run() {
    const room = await postJson(this.config.echoTestUrl, {}, this.config.csrfToken);
    this.roomKey = room.room; // the result is reported with the echo room it came from (check.js)
    const { iceServers } = await fetchIceServers(room.iceUrl || this.config.iceUrl, room.ticket);
    const bot = await this.joinAndWaitForBot(room.ticket, iceServers);
    this.peer = this.openPeer(bot.conn, iceServers);
    const firstFrame = await this.waitForMedia();
    if (!firstFrame) return { verdict: this.channelOpen ? 'voice' : 'poor', figures: await this.figures(0) };
    const before = await mediaStats(this.peer.pc);
    await sleep(MEASURE_MS);
    const after = await mediaStats(this.peer.pc);
    const figures = await this.figures(MEASURE_MS, before, after);
    return { verdict: judge(figures), figures };
  }

  joinAndWaitForBot(ticket, iceServers) {
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => reject(new Error('no echo bot')), BOT_WAIT_MS);
      this.socket = connect(this.config, { ticket });
      this.socket.on('connect_error', () => { window.clearTimeout(timer); reject(new Error('connect')); });
      this.socket.on('joined', (msg) => { this.myConn = msg.conn; });
      this.socket.on('peer-joined', (peer) => {
        if (peer.role !== 'bot') return;
        window.clearTimeout(timer);
        resolve(peer);
      });
      this.socket.on('signal', (msg) => { if (this.peer && msg.from === this.peer.conn) this.peer.receive(msg); });
      this.socket.on('connect', async () => {
        const ack = await request(this.socket, 'join');
        if (!ack.ok) { window.clearTimeout(timer); reject(new Error(ack.error)); }
      });
      this.iceServers = iceServers;
    });
  }

  openPeer(conn, iceServers) {
    const peer = new Peer({
      conn, myConn: this.myConn || '', iceServers,
      send: (payload) => this.socket.emit('signal', { to: conn, ...payload }),
    });
    const channel = peer.pc.createDataChannel('echo');
    channel.onopen = () => { this.channelOpen = true; this.ping(channel); };
    channel.onmessage = (event) => {
      const sent = Number(event.data);
      if (sent) this.rtts.push((performance.now() - sent) / 1000);
    };
    for (const track of this.stream.getTracks()) peer.pc.addTrack(track, this.stream);
    if (!this.stream.getVideoTracks().length) peer.pc.addTransceiver('video', { direction: 'recvonly' });
    return peer;
  }

  ping(channel) {
    this.pinger = window.setInterval(() => {
      if (channel.readyState === 'open') channel.send(String(performance.now()));
    }, 250);
  }

  async waitForMedia() {
    const deadline = performance.now() + MEDIA_WAIT_MS;
    while (performance.now() < deadline) {
      const stats = await mediaStats(this.peer.pc);
      if (stats.framesDecoded > 0) return true;
      await sleep(200);
    }
    return false;
  }

  async figures(ms, before, after) {
    const rtts = [...this.rtts].sort((a, b) => a - b);
    const rtt = rtts.length ? rtts[Math.floor(rtts.length / 2)] : null;
    if (!before || !after) return { rtt, framesDecoded: 0, loss: null, kbps: 0 };
    const received = after.packetsReceived - before.packetsReceived;
    const lost = after.packetsLost - before.packetsLost;
    const loss = received + lost > 0 ? lost / (received + lost) : 1;
    const kbps = ((after.bytesReceived - before.bytesReceived) * 8) / ms;
    return { rtt, framesDecoded: after.framesDecoded, loss, kbps: Math.round(kbps) };
  }

  close() {
    window.clearInterval(this.pinger);
    if (this.peer && !this.peer.closed) this.peer.close();
    if (this.socket) {
      if (this.socket.connected) this.socket.emit('leave', {});
      this.socket.disconnect();
    }
  }
}

function judge({ rtt, loss, kbps, framesDecoded }) {
  const roundTrip = rtt === null ? 0 : rtt;
  if (framesDecoded > 0 && loss <= VIDEO_OK.loss && roundTrip <= VIDEO_OK.rtt && kbps >= VIDEO_OK.kbps) return 'video';
  if (loss <= VOICE_OK.loss && roundTrip <= VOICE_OK.rtt) return 'voice';
  return 'poor';
}
