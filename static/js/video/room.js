// The video meeting page: one page, three stages without reloads — check → wait → call (staff skip
// waiting) — and an end stage. A reload of this tab goes straight back to the call: the server
// remembers admission, this tab remembers that it was in the call.

import { Call } from './call.js';
import { GroupCall, offerPhone } from './group.js';
import { Chat } from './chat.js';
import { CheckStage } from './check.js';
import { LocalMedia } from './media.js';
import { connect, fetchIceServers, request } from './signaling.js';
import { announce, inCall, postJson, readJson, remember, translator } from './util.js';
import { WaitingList, WaitStage } from './waiting.js';

const $ = (id) => document.getElementById(id);
const STAGES = ['check', 'wait', 'call', 'end'];

class Room {
  constructor() {
    this.config = readJson('call-config');
    this.t = translator({ ...readJson('call-strings'), ...readJson('group-strings') });
    this.media = new LocalMedia();
    this.socket = null;
    this.ice = { iceServers: [], fetchedAt: 0, ttl: 0 };
    this.status = $('call-announce');
    this.stage = null;
    this.finished = false;
    const live = () => this.socket;
    // A group room's media goes through Janus (group.js); everything else on the page is the same.
    const CallKind = this.config.media === 'sfu' ? GroupCall : Call;
    this.call = new CallKind({ config: this.config, t: this.t, media: this.media, socket: live,
      ice: () => this.ice.iceServers, statusRegion: this.status, onUnavailable: () => this.finish('sfu_unavailable') });
    this.chat = new Chat({ t: this.t, socket: live });
    this.wait = new WaitStage({ config: this.config, t: this.t });
    this.waitingList = this.config.isStaff ? new WaitingList({ t: this.t, socket: live, announceRegion: this.status }) : null;
    this.check = new CheckStage({ config: this.config, t: this.t, media: this.media });
    window.silta = { room: this };
  }

  async start() {
    this.bindButtons();
    // Back in the same meeting (a reload, "Join again", or the home page's button after leaving): the
    // server remembers the admission, so no device check and no waiting room again.
    if (inCall.get(this.config.room) || this.config.rejoin) {
      // Back after a reload: staff go straight to the call; others see the waiting room until the
      // server says they were admitted before (then `joined` follows at once).
      this.show(this.config.isStaff ? 'call' : 'wait');
      await this.media.start();
      await this.join();
      return;
    }
    this.show('check');
    const skip = $('skip-check-row');
    // A practice went well: a signed-in client's on any device (the server says), a guest's in this browser.
    const practiced = this.config.practiceUrl ? this.config.practiced : remember.get('practiced');
    if (skip && practiced) skip.hidden = false;
    await this.check.start();
  }

  bindButtons() {
    const go = () => {
      this.check.stop();
      inCall.set(this.config.room, true); // a reload from here on skips the check (waiting room or call)
      this.join();
    };
    $('join-button').addEventListener('click', go);
    if ($('skip-check')) $('skip-check').addEventListener('click', go);
    this.bindLeave();
    $('wait-leave-button').addEventListener('click', () => this.leave());
    $('rejoin-button').addEventListener('click', () => { inCall.set(this.config.room, true); window.location.reload(); });
    for (const link of document.querySelectorAll('[data-step-away]')) {
      link.addEventListener('click', (event) => this.stepAway(event, link.href));
    }
    const end = $('end-button');
    if (end) {
      end.addEventListener('click', () => { $('end-confirm').hidden = false; $('end-confirm-yes').focus(); });
      $('end-confirm-no').addEventListener('click', () => { $('end-confirm').hidden = true; end.focus(); });
      $('end-confirm-yes').addEventListener('click', () => this.endForAll());
    }
  }

  /** "Leave the meeting" asks first, in a modal dialog (focus moves in and back; Esc means stay). */
  bindLeave() {
    const dialog = $('leave-dialog');
    const button = $('leave-button');
    if (!dialog || typeof dialog.showModal !== 'function') {
      button.addEventListener('click', () => { if (window.confirm(this.t('leave_confirm'))) this.leave(); });
      return;
    }
    button.addEventListener('click', () => { dialog.returnValue = ''; dialog.showModal(); });
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'leave') this.leave();
      else button.focus();
    });
  }

  /** To the ORS from the waiting room: the worker keeps seeing this person waiting meanwhile. */
  async stepAway(event, href) {
    event.preventDefault();
    try { await postJson(this.config.awayUrl, {}, this.config.csrfToken); } catch { /* the link still works */ }
    window.location.assign(href);
  }

  show(stage) {
    if (this.stage === stage) return;
    this.stage = stage;
    for (const name of STAGES) $(`stage-${name}`).hidden = name !== stage;
    document.body.dataset.stage = stage;
    const heading = $(`stage-${stage}-heading`);
    if (heading) heading.focus();
  }

  async freshIce() {
    const age = (Date.now() - this.ice.fetchedAt) / 1000;
    if (this.ice.fetchedAt && age < (this.ice.ttl || 3600) / 2) return;
    try {
      this.ice = await fetchIceServers(this.config.iceUrl, this.config.ticket);
    } catch {
      this.ice = { iceServers: this.ice.iceServers, fetchedAt: 0, ttl: 0 }; // host candidates still work
    }
  }

  /** ICE servers first (STACK.md), then the socket; every (re)connect sends `join` again. */
  async join() {
    $('join-button').disabled = true;
    await this.freshIce();
    const socket = connect(this.config, { ticket: this.config.ticket });
    this.socket = socket;
    socket.on('connect', () => this.sendJoin());
    this.startKeepalive();
    socket.on('disconnect', (reason) => this.lostSignaling(reason));
    socket.on('connect_error', (err) => this.connectError(err));
    socket.on('waiting', ({ position, host_busy: busy }) => {
      this.show('wait');
      this.wait.position(position);
      if ($('wait-host-busy')) $('wait-host-busy').hidden = !busy;
    });
    socket.on('admitted', () => { announce(this.status, this.t('admitted')); this.sendJoin(); });
    socket.on('notice', (notice) => { this.wait.notice(notice); announce($('wait-announce'), notice.text); });
    socket.on('joined', (message) => this.joined(message));
    socket.on('peer-joined', (info) => this.call.peerJoined(info));
    socket.on('peer-left', (info) => this.call.peerLeft(info));
    socket.on('peer-state', (state) => this.call.peerState(state));
    socket.on('peer-hand', (hand) => this.call.peerHand?.(hand));
    socket.on('muted', (message) => this.call.peerMuted?.(message));
    socket.on('signal', (message) => this.call.signal(message));
    socket.on('chat', (message) => this.chat.receive(message, this.call.myConn));
    socket.on('lobby', ({ room, waiting }) => { if (this.waitingList && room === this.config.room) this.waitingList.update(waiting); });
    socket.on('ended', () => this.finish(this.endingForAll ? 'ended_by_me' : 'ended'));
    socket.on('replaced', () => this.finish('replaced'));
    socket.on('fallback', ({ room, name, choice }) => {
      if (room === this.config.room) announce(this.status, this.t(`staff_fallback_${choice}`, { name }));
    });
  }

  async sendJoin() {
    await this.freshIce();
    const ack = await request(this.socket, 'join');
    if (ack.ok || ack.error === 'not_admitted' || ack.error === 'timeout') return;
    const reasons = { room_full: 'full', ended: 'ended', unauthorized: 'unauthorized', sfu_unavailable: 'sfu_unavailable' };
    this.finish(reasons[ack.error] || 'failed');
  }

  joined(message) {
    // The page was made before the room's media was decided (the first join decides): load it anew.
    if (Boolean(message.janus) !== (this.config.media === 'sfu')) { window.location.reload(); return; }
    const again = this.call.myConn !== null;
    if (this.config.calm && !again) this.call.calmStart();
    this.show('call');
    inCall.set(this.config.room, true);
    this.call.joined(message);
    announce(this.status, this.t(again ? 'rejoined' : 'in_call'));
  }

  /** While connected, tell the server now and then that this person is still here: a call longer than
   * the session's idle timeout must not end on the login page (the SRS and the meeting record follow). */
  startKeepalive() {
    if (this.keepalive || !this.config.keepaliveUrl) return;
    this.keepalive = window.setInterval(() => {
      if (!this.socket || !this.socket.connected) return;
      // The idle warning (static/js/idle.js) counts again from a renewal: a long call is not idle.
      postJson(this.config.keepaliveUrl, {}, this.config.csrfToken)
        .then(() => document.dispatchEvent(new CustomEvent("silta:session-renewed")))
        .catch(() => {});
    }, this.config.keepaliveSeconds * 1000);
  }

  lostSignaling(reason) {
    if (this.finished || reason === 'io client disconnect') return;
    announce(this.status, this.t('signaling_lost'));
    // The server refuses a reconnect it cannot authorise; the client library retries everything else.
    if (reason === 'io server disconnect') window.setTimeout(() => this.socket && this.socket.connect(), 1000);
  }

  connectError(err) {
    if (err && err.message === 'unauthorized') { this.finish('unauthorized'); return; }
    if (!this.socket.active) window.setTimeout(() => this.socket && this.socket.connect(), 2000);
  }

  async leave() {
    if (this.socket && this.socket.connected) await request(this.socket, 'leave', {}, 2000);
    this.finish('left');
  }

  /** The server sends `ended` to the whole room, the host too, before its ack: either one finishes. */
  async endForAll() {
    this.endingForAll = true;
    const ack = await request(this.socket, 'end');
    if (this.finished) return;
    if (!ack.ok) {
      this.endingForAll = false;
      announce(this.status, this.t('end_for_all_failed'));
      return;
    }
    this.finish('ended_by_me');
  }

  /** Stops media and signaling; `reason` picks the message. `replaced`: the call goes on in another tab. */
  finish(reason) {
    if (this.finished) return;
    this.finished = true;
    if (reason !== 'replaced') inCall.set(this.config.room, false);
    window.clearInterval(this.keepalive);
    this.call.stop();
    this.check.stop();
    this.media.stop();
    if (this.socket) { this.socket.disconnect(); }
    $('stage-end-heading').textContent = this.t(`end_${reason}`);
    $('rejoin-button').hidden = !['left', 'failed'].includes(reason);
    document.body.dataset.endReason = reason;
    if (reason === 'sfu_unavailable') offerPhone(this.config, this.t);
    this.show('end');
    if (reason === 'ended_by_me' && this.config.recordUrl) window.location.assign(this.config.recordUrl);
  }
}

new Room().start();
