// The filter forms of the lists (queue, escalations): the form whose values become the
// address's query on submit, and the sort choices, which say honestly what the default order
// is (a department's queue comes by deadline from its index; any other listing by partition
// and id, deadline order being then a sort of its own).
import { query } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

// A form (`selector` for h(), e.g. 'form.filters.card#esc-filters') whose submit sends the
// browser to `path` with every named field in the query (check boxes as 'true' or '').
export function filterForm(selector, path, ...children) {
  const submit = (e) => {
    e.preventDefault();
    const q = {};
    for (const el of e.target.elements) {
      if (!el.name) continue;
      q[el.name] = el.type === 'checkbox' ? (el.checked ? 'true' : '') : el.value;
    }
    location.hash = `${path}${query(q)}`;
  };
  return h(selector, { 'aria-label': t('queue.filters'), on: { submit } }, ...children);
}

// The <option>s of a sort select: '' (the default order) first, then each of `sorts` not
// the same as it. `byIndex`: the listing is a department's queue, whose default is deadline.
export function sortOptions(sorts, chosen, byIndex) {
  const opts = [h('option', { value: '', selected: !chosen }, byIndex ? t('queue.sort.deadline') : t('queue.sort.default'))];
  for (const v of sorts) {
    if (v === 'deadline' && byIndex) continue;
    opts.push(h('option', { value: v, selected: v === chosen }, t(`queue.sort.${v}`)));
  }
  return opts;
}
