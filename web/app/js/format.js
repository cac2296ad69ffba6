// Times and durations as people read them. Every instant is shown on the city's clock
// (Asia/Shanghai), whatever the browser's zone, because deadlines are set on it.
import { lang, t } from './i18n.js';

export const ZONE = 'Asia/Shanghai';

export function time(ms) {
  if (!ms) return '—';
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(ms));
}

export function day(ms) {
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: ZONE,
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

// "2026-03-02T10:00" (datetime-local, Shanghai) for an instant.
export function localInput(ms) {
  const shifted = new Date(ms + 8 * 3600 * 1000);
  return shifted.toISOString().slice(0, 16);
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
