// On every staff page: "someone is waiting for the video meeting" — a banner, an assertive
// announcement and a short chime, also while the worker is in another call. It listens on a
// user-ticket connection (rtc/PROTOCOL.md) that belongs to no room.

import { announce, el, readJson, translator } from './util.js';

const CHIME = [660, 880];

class LobbyCue {
  constructor() {
    this.config = readJson('rtc-lobby-config');
    this.t = translator(this.config.strings || {});
    this.banner = document.getElementById('rtc-lobby');
    this.list = document.getElementById('rtc-lobby-list');
    this.alert = document.getElementById('rtc-lobby-alert');
    this.rooms = new Map(); // room key → {title, url, waiting}
    this.seen = new Set(); // "room:pid" already announced
    const call = readJson('call-config');
    this.currentRoom = call.room || null; // that room's own page lists its waiting people itself
  }

  start() {
    if (!this.config.ticket || !window.io) return;
    this.socket = window.io(window.location.origin + this.config.namespace, {
      path: this.config.socketPath, transports: ['websocket'], auth: { user_ticket: this.config.ticket },
      forceNew: true, reconnectionDelayMax: 10000,
    });
    this.socket.on('lobby', (event) => this.update(event));
    this.socket.on('fallback', ({ room, name, choice }) => {
      if (room !== this.currentRoom) announce(this.alert, this.t(`fallback_${choice}`, { name }));
    });
  }

  /** "Aino K. is waiting for the video meeting at 14:00" (Helsinki time), else with the meeting's title. */
  describe(name, title, at) {
    if (!at) return this.t('waiting', { name, title });
    const time = new Date(at).toLocaleTimeString(document.documentElement.lang || 'fi',
      { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Helsinki' });
    return this.t('waiting_at', { name, time });
  }

  update({ room, title, url, at, waiting }) {
    if (room === this.currentRoom) return;
    const fresh = waiting.filter((p) => !this.seen.has(`${room}:${p.pid}`));
    for (const p of waiting) this.seen.add(`${room}:${p.pid}`);
    if (waiting.length) this.rooms.set(room, { title, url, at, waiting });
    else this.rooms.delete(room);
    this.render();
    if (fresh.length) {
      const text = this.describe(fresh[0].name, title, at);
      announce(this.alert, `${text} ${this.t('open')}`);
      this.chime();
    }
  }

  render() {
    const items = [];
    for (const { title, url, at, waiting } of this.rooms.values()) {
      for (const person of waiting) {
        const li = el('li', { class: 'rtc-lobby__item' });
        li.append(el('span', {}, `${this.describe(person.name, title, at)} `),
          el('a', { href: url, class: 'rtc-lobby__open' }, this.t('open')));
        items.push(li);
      }
    }
    this.list.replaceChildren(...items);
    this.banner.hidden = items.length === 0;
  }

  /** Two soft notes; browsers may refuse sound before the first click on the page — the banner stays. */
  chime() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    const context = new Ctx();
    context.resume().then(() => {
      const gain = context.createGain();
      gain.connect(context.destination);
      let t = context.currentTime + 0.02;
      for (const frequency of CHIME) {
        const osc = context.createOscillator();
        osc.frequency.value = frequency;
        osc.connect(gain);
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.2, t + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
        osc.start(t);
        osc.stop(t + 0.32);
        t += 0.35;
      }
      window.setTimeout(() => context.close().catch(() => {}), 1200);
    }).catch(() => {});
  }
}

new LobbyCue().start();
