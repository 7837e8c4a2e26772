// A group room's call (portal/video/sfu.py): the same page, controls, chat and waiting room as a mesh
// call, but the media goes through Janus. We publish once (microphone first: the leader's mute moderates
// mid 0; camera in three simulcast layers) and receive each other person on a subscriber handle.
//
// Fits a phone: at most MAX_VIDEOS people are shown with moving video — the active speaker large (Janus's
// talking events) and a few small tiles; small tiles get the lowest simulcast layer, the large one the
// highest, and the video of everyone else is paused in Janus (their sound goes on). Everyone is in the
// participant list, with a raised hand and "muted by the leader"; the leader can mute from there.

import { Call } from './call.js';
import { JanusSession } from './janus.js';
import { announce, el, postJson } from './util.js';

const $ = (id) => document.getElementById(id);
const MAX_VIDEOS_PHONE = 4;
const MAX_VIDEOS_WIDE = 9;
const SUBSCRIBE_RETRIES = 3; // a failed subscription is tried again after 1, 2 and 3 s
const SIMULCAST = [
  { rid: 'h', maxBitrate: 600000 },
  { rid: 'm', maxBitrate: 200000, scaleResolutionDownBy: 2 },
  { rid: 'l', maxBitrate: 80000, scaleResolutionDownBy: 4 },
];

export class GroupCall extends Call {
  constructor(options) {
    super(options);
    this.onUnavailable = options.onUnavailable || (() => {});
    this.janus = null;
    this.session = null;
    this.publisher = null;
    this.people = new Map(); // conn → {pid, name, role, hand, muted}
    this.feeds = new Map(); // feed (participant id) → key in this.peers
    this.speaker = null;
    this.hand = false;
    this.bindGroupControls();
  }

  bindGroupControls() {
    const hand = $('toggle-hand');
    if (hand) hand.addEventListener('click', () => this.toggleHand());
    window.addEventListener('resize', () => this.arrange());
  }

  // --- /rtc: who is here ----------------------------------------------------------------------

  joined({ conn, pid, peers, janus }) {
    for (const key of [...this.peers.keys()]) this.drop(key);
    this.feeds.clear();
    this.speaker = null;
    this.myConn = conn;
    this.myPid = pid;
    this.tiles.own(this.media.stream, this.config.name);
    this.people.clear();
    this.people.set(conn, { pid, name: this.config.name, role: this.config.role, self: true });
    for (const info of peers) this.people.set(info.conn, { pid: info.pid, name: info.name, role: info.role });
    this.renderPeople();
    this.sendState();
    this.startQuality();
    if (!janus) { this.onUnavailable(); return; }
    // A fresh `joined` (the signaling reconnected): the old Janus session goes first, then in again.
    const previous = this.session;
    this.session = null;
    Promise.resolve(previous && previous.destroy()).then(() => this.enter(janus)).catch(() => this.onUnavailable());
  }

  peerJoined(info) {
    this.people.set(info.conn, { pid: info.pid, name: info.name, role: info.role });
    this.renderPeople();
    if (info.role === 'host') this.arrange(); // the leader's video is among those that play
    announce(this.status, this.t('peer_joined', { name: info.name }));
  }

  peerLeft({ conn, pid }) {
    const person = this.people.get(conn);
    if (!person) return;
    this.people.delete(conn);
    this.dropFeed(pid);
    this.renderPeople();
    announce(this.status, this.t('peer_left', { name: person.name }));
  }

  signal() { /* no peer-to-peer signals in a group room */ }

  peerHand({ conn, name, raised }) {
    const person = this.people.get(conn);
    if (person) person.hand = raised;
    this.renderPeople();
    if (raised && conn !== this.myConn) announce(this.status, this.t('group_hand_raised', { name }));
  }

  peerMuted({ pid, muted }) {
    for (const person of this.people.values()) if (person.pid === pid) person.muted = muted;
    this.renderPeople();
    if (pid === this.myPid) announce(this.status, this.t(muted ? 'group_you_muted' : 'group_you_unmuted'));
  }

  toggleHand() {
    this.hand = !this.hand;
    const button = $('toggle-hand');
    button.setAttribute('aria-pressed', String(this.hand));
    button.querySelector('.hds-button__label').textContent = this.t(this.hand ? 'group_lower_hand' : 'group_raise_hand');
    const socket = this.socket();
    if (socket && socket.connected) socket.emit('hand', { raised: this.hand });
    announce(this.status, this.t(this.hand ? 'group_hand_up' : 'group_hand_down'));
  }

  mute(pid, muted) {
    const socket = this.socket();
    if (!socket || !socket.connected) return;
    socket.timeout(8000).emit('mute', { pid, muted }, (err, ack) => {
      if (err || !ack || !ack.ok) announce(this.status, this.t('group_mute_failed'));
    });
  }

  /** The participant list: everyone here, hands, "muted by the leader"; staff get a mute button each. */
  renderPeople() {
    const list = $('group-people');
    if (!list) return;
    list.replaceChildren();
    const sorted = [...this.people.values()].sort((a, b) => Number(Boolean(b.hand)) - Number(Boolean(a.hand)));
    for (const person of sorted) {
      const notes = [];
      if (person.role === 'host') notes.push(this.t('group_leader'));
      if (person.hand) notes.push(this.t('group_hand'));
      if (person.muted) notes.push(this.t('group_muted_by_leader'));
      const item = el('li', { class: 'group-person' });
      item.append(el('span', { class: 'group-person__name' }, person.self ? this.t('you_name', { name: person.name }) : person.name));
      if (notes.length) item.append(el('span', { class: 'group-person__notes' }, ` (${notes.join(', ')})`));
      if (this.config.isStaff && !person.self) {
        const button = el('button', { type: 'button', class: 'hds-button hds-button--supplementary hds-button--small' },
          this.t(person.muted ? 'group_unmute_name' : 'group_mute_name', { name: person.name }));
        button.addEventListener('click', () => this.mute(person.pid, !person.muted));
        item.append(button);
      }
      list.append(item);
    }
    const count = $('group-count');
    if (count) count.textContent = this.t('group_count', { n: this.people.size });
  }

  // --- Janus: publish, subscribe ---------------------------------------------------------------

  async enter(janus) {
    this.janus = janus;
    this.session = new JanusSession(janus.url, janus.token);
    this.session.onLost = () => this.onUnavailable();
    await this.session.create();
    this.publisher = await this.session.attach();
    this.publisher.onEvent = (data) => this.publisherEvent(data);
    const { data } = await this.publisher.request({ request: 'join', ptype: 'publisher', room: janus.room,
      id: janus.feed, display: janus.display, token: janus.token });
    this.privateId = data.private_id;
    await this.publish();
    for (const publisher of data.publishers || []) this.subscribe(publisher);
  }

  async publish() {
    const pc = new RTCPeerConnection({ iceServers: this.ice() });
    this.publisher.pc = pc;
    pc.addEventListener('icecandidate', (event) => this.publisher.trickle(event.candidate));
    const stream = this.media.stream;
    // Microphone first (mid 0), then the camera with simulcast layers for the thumbnails.
    pc.addTransceiver(this.media.audioTrack || 'audio', { direction: 'sendonly', streams: [stream] });
    const video = this.wanted().video;
    pc.addTransceiver(video || 'video', { direction: 'sendonly', streams: [stream], sendEncodings: SIMULCAST });
    await pc.setLocalDescription(await pc.createOffer());
    const { jsep } = await this.publisher.request({ request: 'publish', audio: true, video: true },
      { type: pc.localDescription.type, sdp: pc.localDescription.sdp });
    await pc.setRemoteDescription(jsep);
  }

  publisherEvent(data) {
    for (const publisher of data.publishers || []) this.subscribe(publisher);
    if (data.unpublished !== undefined) this.dropFeed(data.unpublished);
    if (data.leaving !== undefined) this.dropFeed(data.leaving);
    if (data.videoroom === 'talking' && data.id !== this.janus.feed) this.setSpeaker(data.id);
  }

  async subscribe(publisher, attempt = 0) {
    const feed = publisher.id;
    if (feed === this.janus.feed || this.feeds.has(feed)) return;
    const key = `feed-${feed}`;
    this.feeds.set(feed, key);
    const person = [...this.people.values()].find((p) => p.pid === feed);
    const info = { conn: key, pid: feed, name: person ? person.name : publisher.display || '' };
    const handle = await this.session.attach();
    const stream = new MediaStream();
    const entry = { peer: { pc: null, iceHistory: [], restarts: 0, close: () => this.leaveFeed(handle) }, info, stream,
      handle, videoMid: null, sending: true, substream: null };
    this.tiles.ensure(key, info.name);
    try {
      const { data, jsep } = await handle.request({ request: 'join', ptype: 'subscriber', room: this.janus.room,
        streams: [{ feed }], private_id: this.privateId });
      entry.videoMid = (data.streams || []).find((s) => s.type === 'video')?.mid ?? null;
      const pc = new RTCPeerConnection({ iceServers: this.ice() });
      handle.pc = pc;
      entry.peer.pc = pc;
      this.peers.set(key, entry); // from here on the quality check and stats see it
      pc.addEventListener('icecandidate', (event) => handle.trickle(event.candidate));
      pc.addEventListener('track', (event) => this.gotTrack(info, stream, event.track));
      pc.addEventListener('iceconnectionstatechange', () => entry.peer.iceHistory.push(pc.iceConnectionState));
      await pc.setRemoteDescription(jsep);
      await pc.setLocalDescription(await pc.createAnswer());
      await handle.request({ request: 'start' }, { type: pc.localDescription.type, sdp: pc.localDescription.sdp });
      this.arrange();
    } catch (error) {
      if (!this.peers.has(key)) this.leaveFeed(handle);
      this.tiles.remove(key);
      this.dropFeed(feed);
      // A request that timed out or met a feed being replaced (a reload) is tried again a few times, a
      // little later each time: without it that person stayed missing for the rest of the call.
      console.warn('subscribing to a feed failed', attempt, error && error.message);
      if (attempt < SUBSCRIBE_RETRIES && this.session && !this.session.closed) {
        window.setTimeout(() => this.subscribe(publisher, attempt + 1), 1000 * (attempt + 1));
      }
    }
  }

  leaveFeed(handle) {
    handle.closePc();
    this.session?.send(handle.url, { janus: 'detach' }).catch(() => {});
    this.session?.handles.delete(handle.id);
  }

  dropFeed(feed) {
    const key = this.feeds.get(feed);
    if (!key) return;
    this.feeds.delete(feed);
    if (this.speaker === key) this.speaker = null;
    this.drop(key);
    this.arrange();
  }

  // --- the views: speaker large, a few small, the rest paused ---------------------------------

  setSpeaker(feed) {
    const key = this.feeds.get(feed);
    if (!key || key === this.speaker) return;
    this.speaker = key;
    if (this.tiles.main !== null || this.peers.size > 2) this.setView(key);
    this.arrange();
  }

  toggleView() {
    this.setView(this.tiles.main === null ? (this.speaker || this.tiles.firstRemote() || 'self') : null);
    this.arrange();
  }

  /** Which remote videos move: the large one at the top layer, a few small at the lowest, others paused. */
  arrange() {
    const room = window.matchMedia('(max-width: 600px)').matches ? MAX_VIDEOS_PHONE : MAX_VIDEOS_WIDE;
    const main = this.tiles.main;
    // The chosen large view first, then whoever speaks, then the group's leader: on a phone only four
    // videos play, and which feeds answered first after a reload decided whether the leader was one.
    const leaders = new Set([...this.people.values()].filter((p) => p.role === 'host').map((p) => p.pid));
    const leads = (key) => Number(leaders.has(this.peers.get(key).info.pid));
    const order = [...this.peers.keys()].sort((a, b) => Number(b === main) - Number(a === main)
      || Number(b === this.speaker) - Number(a === this.speaker) || leads(b) - leads(a));
    order.forEach((key, index) => {
      const entry = this.peers.get(key);
      const visible = index < room;
      const tile = this.tiles.tiles.get(key);
      if (tile) tile.figure.classList.toggle('tile--paused', !visible);
      this.configure(entry, visible, key === main ? 2 : 0);
    });
  }

  configure(entry, send, substream) {
    if (!entry || entry.videoMid === null || !entry.handle.pc) return;
    if (entry.sending === send && (!send || entry.substream === substream)) return;
    entry.sending = send;
    entry.substream = substream;
    const stream = { mid: entry.videoMid, send, ...(send ? { substream } : {}) };
    entry.handle.request({ request: 'configure', streams: [stream] }).catch(() => {});
  }

  // --- own media: only the publisher's connection sends --------------------------------------

  syncSenders() {
    const pc = this.publisher && this.publisher.pc;
    if (pc) {
      const wanted = this.wanted();
      for (const transceiver of pc.getTransceivers()) {
        const kind = transceiver.receiver.track.kind;
        if (transceiver.sender.track !== wanted[kind]) transceiver.sender.replaceTrack(wanted[kind]).catch(() => {});
      }
    }
    this.tiles.own(this.screenTrack ? this.screenStream : this.media.stream, this.config.name);
  }

  async stats() {
    const out = await super.stats();
    for (const [key, entry] of this.peers) if (out[key]) out[key].feed = entry.info.pid;
    return out;
  }

  stop() {
    super.stop();
    if (this.session) this.session.destroy();
    this.session = null;
  }
}

/** Janus does not answer: the end stage says so and offers the phone call (the worker hears it at once). */
export function offerPhone(config, t) {
  const box = $('group-unavailable');
  const end = $('stage-end');
  if (!box || !end) return;
  end.append(box);
  box.hidden = false;
  const button = $('group-phone');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const body = await postJson(config.fallbackUrl, { choice: 'phone' }, config.csrfToken);
      announce($('group-phone-result'), body.text || '');
    } catch {
      button.disabled = false;
      announce($('group-phone-result'), t('group_phone_failed'));
    }
  });
}
