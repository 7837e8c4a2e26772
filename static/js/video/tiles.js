// The video tiles of the call: one per connection, with the name and plain-text state under it.

import { el, remember } from './util.js';

export class Tiles {
  constructor(container, t) {
    this.container = container;
    this.t = t;
    this.tiles = new Map();
    this.main = null;
  }

  /** Own tile: muted preview (no echo), mirrored only by CSS for the camera. */
  own(stream, name) {
    const tile = this.ensure('self', this.t('you_name', { name }));
    tile.video.muted = true;
    const shown = stream.getTracks().length ? stream : null; // an empty stream would hold back the load event
    if (tile.video.srcObject !== shown) tile.video.srcObject = shown;
    tile.figure.classList.add('tile--self');
    return tile;
  }

  ensure(conn, name) {
    if (this.tiles.has(conn)) return this.tiles.get(conn);
    const figure = el('figure', { class: 'tile', 'data-conn': conn });
    const video = el('video', { autoplay: true, playsinline: true });
    const caption = el('figcaption', { class: 'tile__caption' });
    const label = el('span', { class: 'tile__name' }, name);
    const state = el('span', { class: 'tile__state' });
    const focus = el('button', { type: 'button', class: 'tile__focus', 'aria-pressed': 'false' }, this.t('show_large'));
    focus.addEventListener('click', () => this.setMain(this.main === conn ? null : conn));
    caption.append(label, state, focus);
    figure.append(video, caption);
    this.container.append(figure);
    const tile = { figure, video, state, focus, name, stream: null };
    this.tiles.set(conn, tile);
    return tile;
  }

  /** Shows a remote stream; returns a promise that rejects when the browser blocks sound autoplay. */
  play(conn, name, stream) {
    const tile = this.ensure(conn, name);
    if (tile.video.srcObject !== stream) tile.video.srcObject = stream;
    const sink = remember.get('speaker');
    if (sink && tile.video.setSinkId) tile.video.setSinkId(sink).catch(() => {});
    return tile.video.play();
  }

  setState(conn, { audio, video, screen }) {
    const tile = this.tiles.get(conn);
    if (!tile) return;
    const parts = [];
    if (audio === false) parts.push(this.t('state_muted'));
    if (video === false && !screen) parts.push(this.t('state_camera_off'));
    if (screen) parts.push(this.t('state_sharing'));
    tile.state.textContent = parts.length ? `(${parts.join(', ')})` : '';
    tile.figure.classList.toggle('tile--screen', Boolean(screen));
    tile.figure.classList.toggle('tile--no-video', video === false && !screen);
  }

  remove(conn) {
    const tile = this.tiles.get(conn);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.figure.remove();
    this.tiles.delete(conn);
    if (this.main === conn) this.setMain(null);
  }

  /** Speaker view: one tile large (the chosen one, else the first other person); grid: all equal. */
  setMain(conn) {
    this.main = conn;
    for (const [key, tile] of this.tiles) {
      const on = key === conn;
      tile.figure.classList.toggle('tile--main', on);
      tile.focus.setAttribute('aria-pressed', String(on));
    }
    this.container.classList.toggle('tiles--speaker', conn !== null);
  }

  firstRemote() {
    for (const key of this.tiles.keys()) if (key !== 'self') return key;
    return null;
  }

  clearRemotes() {
    for (const key of [...this.tiles.keys()]) if (key !== 'self') this.remove(key);
  }
}
