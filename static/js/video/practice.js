// The practice page (/me/practice): the same check as before a meeting — camera, microphone, sound and
// the echo-bot connection test — with nothing to join. A good result lets the check be skipped later.

import { CheckStage } from './check.js';
import { LocalMedia } from './media.js';
import { announce, readJson, translator } from './util.js';

const config = readJson('call-config');
const t = translator(readJson('call-strings'));
const media = new LocalMedia();
const check = new CheckStage({ config, t, media });
check.onResult = ({ verdict }) => {
  const good = verdict === 'video' || verdict === 'voice';
  announce(document.getElementById('practice-result'), t(good ? 'practice_ok' : 'practice_not_ok'));
};
window.addEventListener('pagehide', () => { check.stop(); media.stop(); });
window.silta = { practice: check };
check.start();
