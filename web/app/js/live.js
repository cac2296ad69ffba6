// Live updates: one EventSource on /v1/stream for the signed-in user (the token goes in the
// query: EventSource cannot set headers). The browser reconnects by itself and resends
// Last-Event-ID, so nothing between two connections is missed; a `reset` event means the
// server could not replay the gap and the view reloads instead.
import { token } from './api.js';
import { t } from './i18n.js';

let source = null;
let listener = null;

export function onChange(fn) {
  listener = fn;
}

export function start() {
  stop();
  const indicator = document.getElementById('live');
  source = new EventSource(`/v1/stream?access_token=${encodeURIComponent(token())}`);
  source.addEventListener('open', () => {
    indicator.textContent = t('live.on');
    indicator.className = 'live on';
  });
  source.addEventListener('error', () => {
    indicator.textContent = t('live.off');
    indicator.className = 'live off';
  });
  source.addEventListener('ticket', (e) => {
    let data = null;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (listener) listener(data);
  });
  source.addEventListener('reset', () => {
    if (listener) listener({ reset: true });
  });
}

export function stop() {
  if (source) source.close();
  source = null;
  const indicator = document.getElementById('live');
  if (indicator) {
    indicator.textContent = '';
    indicator.className = 'live';
  }
}
