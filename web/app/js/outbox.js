// Actions made without a network (issue 24, item 5): when a staff action's POST cannot reach
// the server, the action is kept on this device (localStorage) and shown on its ticket as
// waiting to send; when the browser is online again it is sent as it was made, with the
// ticket version it was made against, so the engine checks it as any other action. An action
// the server refuses then (someone acted on the ticket meanwhile, a rule no longer allows it)
// stays listed on the ticket with the refusal until the user dismisses it. Nothing is
// retried after a refusal. Photos are uploaded when chosen, so they need the network.
import { ApiError, post } from './api.js';
import { h } from './dom.js';
import { errorText, t } from './i18n.js';
import { time } from './format.js';
import * as ref from './reference.js';

const KEY = 'closeloop.outbox';
export const EVENT = 'closeloop-outbox';  // on window; detail: {ticket, outcome, verb?}

function read() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch (e) {
    return [];
  }
}

function write(list) {
  localStorage.setItem(KEY, JSON.stringify(list));
}

// Keeps `body` (a POST /v1/tickets/{id}/actions body) for ticket `tk`, made by the user
// signed in now.
export function keep(tk, body) {
  const list = read();
  list.push({ key: `${Date.now()}-${list.length}`, user: ref.me().name, ticket: tk.id, workflow: tk.workflow, body, at: Date.now(), refused: null });
  write(list);
  window.dispatchEvent(new CustomEvent(EVENT, { detail: { ticket: tk.id, outcome: 'kept' } }));
}

// This user's kept actions on ticket `id`.
export function keptFor(id) {
  const me = ref.me().name;
  return read().filter((e) => e.ticket === id && e.user === me);
}

let sending = false;

// Sends this user's waiting actions, oldest first; stops at the first that cannot reach the
// server (still offline). Each sent one leaves the list; a refused one stays, marked.
export async function sendKept() {
  if (sending || !navigator.onLine) return;
  sending = true;
  try {
    const me = ref.me() && ref.me().name;
    for (const e of read().filter((x) => x.user === me && !x.refused)) {
      let outcome = 'sent';
      let refused = null;
      try {
        await post(`/v1/tickets/${encodeURIComponent(e.ticket)}/actions`, e.body);
      } catch (err) {
        if (err instanceof ApiError && err.network) return;  // still offline: try again later
        outcome = 'refused';
        refused = { status: err.status, code: err.code, message: err.message, field: err.field || '', current_version: err.currentVersion };
      }
      const list = read();
      const i = list.findIndex((x) => x.key === e.key);
      if (i >= 0) {
        if (refused) list[i].refused = refused;
        else list.splice(i, 1);
        write(list);
      }
      window.dispatchEvent(new CustomEvent(EVENT, { detail: { ticket: e.ticket, outcome, verb: ref.verbTitle(e.body.verb, e.workflow) } }));
    }
  } finally {
    sending = false;
  }
}

function dismiss(key, ticket) {
  write(read().filter((x) => x.key !== key));
  window.dispatchEvent(new CustomEvent(EVENT, { detail: { ticket, outcome: 'dismissed' } }));
}

// The kept actions of ticket `id` as a list for its page (null when there are none).
export function keptSection(id) {
  const kept = keptFor(id);
  if (!kept.length) return null;
  return h(
    'section.card.outbox',
    { 'aria-labelledby': 'outbox-h' },
    h('h2#outbox-h', t('outbox.title')),
    h(
      'ul',
      kept.map((e) => {
        const verb = ref.verbTitle(e.body.verb, e.workflow);
        if (!e.refused) return h('li.waiting', h('span.badge.waiting', t('outbox.waiting')), ' ', t('outbox.item', { verb, time: time(e.at) }));
        const why =
          e.refused.status === 409 && e.refused.current_version !== undefined
            ? t('error.stale.sent', { v: e.refused.current_version })
            : errorText({ code: e.refused.code, message: e.refused.message, field: e.refused.field });
        return h(
          'li.refused',
          h('span', { role: 'alert' }, h('span.badge.refused', t('outbox.refused.badge')), ' ', t('outbox.refused', { verb, time: time(e.at), why })),
          ' ',
          h('button', { type: 'button', on: { click: () => dismiss(e.key, id) } }, t('outbox.dismiss')),
        );
      }),
    ),
  );
}

window.addEventListener('online', () => sendKept());
