// Times and durations as people read them. Every instant is shown on the city's clock (the
// server's `time_zone`, set at sign-in by reference.js), whatever the browser's zone, because
// deadlines are set on it.
import { lang, t } from './i18n.js';

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
const uiLocale = () => (lang() === 'zh' ? 'zh-CN' : 'en-GB');

export function time(ms) {
  if (!ms) return '—';
  return onClock(uiLocale(), MINUTE).format(new Date(ms));
}

export function day(ms) {
  return onClock(uiLocale(), { month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

// "2026-03-02T10:00" (datetime-local, on the city's clock) for an instant.
export function localInput(ms) {
  const parts = {};
  for (const p of onClock('en-CA', MINUTE).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
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
