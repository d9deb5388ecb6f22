// patients.js: find a patient by part of a name, a phone number or a date
// of birth (every filter given must match).

import { api, query } from '../api.js';
import { h, replace, field, setFieldError, calendarDate, errorBox, patientName, busy } from '../ui.js';

// normalisePhone turns what people type ("(555) 123-4567") into E.164:
// formatting dropped; ten digits are taken as a US number.
export function normalisePhone(s) {
  const t = s.trim();
  if (!t) return '';
  const digits = t.replace(/[^\d]/g, '');
  if (t.startsWith('+')) return '+' + digits;
  if (digits.length === 10) return '+1' + digits;
  return '+' + digits;
}

export async function render(root, params, ctx) {
  const url = new URLSearchParams(location.search);
  const q = field('Search', h('input', { type: 'search', name: 'q', value: url.get('q') || '', autocomplete: 'off' }), 'Part of a given or family name.');
  const phone = field('Phone', h('input', { type: 'tel', name: 'phone', value: url.get('phone') || '', autocomplete: 'off' }), 'E.164, e.g. +15551234567 (US numbers may leave out +1).');
  const dob = field('Date of birth', h('input', { type: 'date', name: 'birth_date', value: url.get('birth_date') || '' }));
  const button = h('button', { type: 'submit' }, 'Search');
  const form = h('form', { class: 'panel', role: 'search', 'aria-label': 'Patients', novalidate: true },
    h('div', { class: 'row' }, q.wrap, phone.wrap, dob.wrap, h('div', { class: 'field' }, button)));
  const results = h('div', { 'aria-live': 'polite' });
  root.append(h('h1', {}, 'Patients'), form, results);

  const fields = { q, phone, birth_date: dob };
  async function search(push) {
    for (const f of Object.values(fields)) setFieldError(f, '');
    const terms = { q: q.control.value.trim(), phone: normalisePhone(phone.control.value), birth_date: dob.control.value };
    if (!terms.q && !terms.phone && !terms.birth_date) {
      setFieldError(q, 'Give part of a name, a phone number or a date of birth.');
      q.control.focus();
      return;
    }
    if (push) history.replaceState(null, '', location.pathname + query(terms));
    replace(results, h('p', { class: 'muted' }, 'Searching…'));
    let items;
    try {
      items = ((await api('GET', '/v1/patients' + query(terms))) || {}).items || [];
    } catch (err) {
      const f = fields[err.field];
      if (err.status === 400 && f) {
        setFieldError(f, err.message);
        f.control.focus();
        replace(results);
      } else {
        replace(results, errorBox(err));
      }
      return;
    }
    if (!ctx.active()) return;
    if (!items.length) {
      replace(results, h('p', { class: 'panel' }, 'No patient matches. Check the spelling, or search by phone or date of birth.'));
      return;
    }
    replace(results,
      h('p', { class: 'muted small' }, `${items.length} patient${items.length === 1 ? '' : 's'} found${items.length >= 20 ? ' (the first 20: narrow the search)' : ''}.`),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Patients found'),
        h('thead', {}, h('tr', {}, ['Name', 'Date of birth', 'Phone', 'Email'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map((p) => h('tr', {},
          h('td', {}, h('a', { href: `/console/patients/${encodeURIComponent(p.id)}` }, patientName(p))),
          h('td', {}, calendarDate(p.birth_date)),
          h('td', {}, p.phone || '—'),
          h('td', {}, p.email || '—')))))));
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(button, () => search(true));
  });
  if (url.get('q') || url.get('phone') || url.get('birth_date')) await search(false);
}
