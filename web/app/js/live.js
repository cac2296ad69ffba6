// Live updates: one EventSource on /v1/stream for the signed-in user (the token goes in the
// query: EventSource cannot set headers). The browser reconnects by itself and resends
// Last-Event-ID, so nothing between two connections is missed; a `reset` event means the
// server could not replay the gap and the view reloads instead.
import { token } from './api.js';
import { t } from './i18n.js';

let source = null;
let listener = null;
let lastId = '';       // the last event seen, so a reopened stream resumes after it
let wanted = false;    // signed in: the stream should be open while the page is visible

// A hidden tab lets its stream go (each open stream holds a server connection) and resumes
// from the last event when shown again, so nothing is missed.
document.addEventListener('visibilitychange', () => {
  if (!wanted) return;
  if (document.hidden) close();
  else if (!source) open();
});
window.addEventListener('pagehide', () => close());

export function onChange(fn) {
  listener = fn;
}

export function start() {
  stop();
  wanted = true;
  lastId = '';
  open();
}

function open() {
  const indicator = document.getElementById('live');
  const resume = lastId ? `&last_event_id=${encodeURIComponent(lastId)}` : '';
  source = new EventSource(`/v1/stream?access_token=${encodeURIComponent(token())}${resume}`);
  source.addEventListener('open', () => {
    indicator.textContent = t('live.on');
    indicator.className = 'live on';
  });
  source.addEventListener('error', () => {
    indicator.textContent = t('live.off');
    indicator.className = 'live off';
  });
  source.addEventListener('ticket', (e) => {
    if (e.lastEventId) lastId = e.lastEventId;
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

function close() {
  if (source) source.close();
  source = null;
}

export function stop() {
  wanted = false;
  close();
  const indicator = document.getElementById('live');
  if (indicator) {
    indicator.textContent = '';
    indicator.className = 'live';
  }
}
