// Times and durations as people read them. Every instant is shown on the city's clock (the
// server's `time_zone`, set at sign-in by reference.js), whatever the browser's zone, because
// deadlines are set on it.
import { t } from './i18n.js';

let zone = 'Asia/Shanghai'; // until the server has said

export function setZone(z) {
  if (z) zone = z;
}

export const cityZone = () => zone;

// Year to minute on the city's clock, 24-hour, in `locale`.
const MINUTE = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};
const onClock = (locale, fields) => new Intl.DateTimeFormat(locale, { timeZone: zone, ...fields });

// The parts of an instant on the city's clock.
function parts(ms) {
  const out = {};
  for (const p of onClock('en-CA', MINUTE).formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

// One format in both languages, year first ("2026-03-02 09:30", as Chinese offices write it
// and unambiguous in English), on the city's clock: the audit screen's moment is typed the
// same way, so a date never reads as month/day in one box and day/month beside it.
export function time(ms) {
  if (!ms) return '—';
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// Month and day ("03-02"), for chart axes.
export function day(ms) {
  const p = parts(ms);
  return `${p.month}-${p.day}`;
}

// "2026-03-02T10:00" (the API's ISO form without offset, on the city's clock) for an instant.
export function localInput(ms) {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// A working-time span (ms) in working days of `dayMs` and hours, e.g. "1 d 3 h".
export function span(ms, dayMs) {
  const abs = Math.abs(ms);
  const d = Math.floor(abs / dayMs);
  const rest = abs - d * dayMs;
  const h = Math.floor(rest / 3600000);
  const m = Math.floor((rest % 3600000) / 60000);
  if (d > 0) return t('left.days', { d, h });
  if (h > 0) return t('left.hours', { h, m });
  return t('left.minutes', { m });
}

// The urgency class of a deadline from its working time left and the state's whole limit:
// ok (more than half left), soon (under half), urgent (under a quarter), overdue (past it).
export function urgency(leftMs, totalMs) {
  if (leftMs === null || leftMs === undefined) return 'none';
  if (leftMs < 0) return 'overdue';
  const frac = totalMs > 0 ? leftMs / totalMs : 1;
  if (frac < 0.25) return 'urgent';
  if (frac < 0.5) return 'soon';
  return 'ok';
}
