// Reports: the engagement report as charts (a funnel per journey,
// decliners and re-engaged decliners, the satisfaction distribution,
// messages per patient, appointment reminders' results) and the contact-hygiene list, each exportable as
// CSV. The CSV is fetched with the session cookie and saved through a Blob
// URL, so a lapsed session is caught instead of saved as a file.

import { api, apiText, query } from '../api.js';
import { calendarDate, h, replace } from '../ui.js';
import { barChart, fmtNum, funnel } from '../chart.js';
import { errorText, field, journeyLabel, notice, on } from '../fields.js';

const isoDay = (d) => d.toISOString().slice(0, 10);

// counts turns {"<number>": n} into [label, n] pairs in numeric order.
function counts(v) {
  return Object.entries(v || {}).map(([k, n]) => [k, Number(n)]).sort((x, y) => parseFloat(x[0]) - parseFloat(y[0]));
}

// filled adds the missing whole numbers between the first and last keys
// (a score nobody gave, a message count no patient got) as zero, so the
// bars stand on an even scale.
function filled(pairs) {
  if (!pairs.length || !pairs.every(([k]) => /^\d+$/.test(k))) return pairs;
  const have = new Map(pairs);
  const out = [];
  for (let k = Number(pairs[0][0]); k <= Number(pairs[pairs.length - 1][0]); k++) out.push([String(k), have.get(String(k)) || 0]);
  return out.length <= 60 ? out : pairs;
}

// csvLink is a "Download CSV" link to path?format=csv that saves the file
// through fetch (the session is a cookie; a 401 goes to sign-in).
function csvLink(pathFn, filename, describedBy, status) {
  const a = h('a', { href: pathFn(), class: 'pg-csv', 'aria-describedby': describedBy }, 'Download CSV');
  on(a, 'click', async (ev) => {
    ev.preventDefault();
    a.setAttribute('aria-busy', 'true');
    try {
      const text = await apiText('GET', pathFn());
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      const save = h('a', { href: url, download: filename() });
      save.hidden = true;
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      notice(status, `Saved ${filename()}.`, 'ok');
    } catch (err) {
      if (err && err.status !== 401) notice(status, `CSV: ${errorText(err)}`, 'error');
    } finally {
      a.removeAttribute('aria-busy');
    }
  });
  // The href follows the chosen range.
  a.refresh = () => a.setAttribute('href', pathFn());
  return a;
}

export async function render(root, params, ctx) {
  const status = h('p', { class: 'pg-notice', role: 'status' });
  root.append(h('h1', {}, 'Reports'), status);

  const today = new Date();
  const from = h('input', { type: 'date', name: 'from', required: true });
  const to = h('input', { type: 'date', name: 'to', required: true });
  from.value = isoDay(new Date(today.getTime() - 30 * 864e5));
  to.value = isoDay(new Date(today.getTime() + 864e5));
  const show = h('button', { type: 'submit' }, 'Show');
  const rangeForm = h('form', { class: 'pg-form pg-inline' },
    field({ label: 'From', input: from, name: 'from', help: 'Enrollments started on or after this day.' }),
    field({ label: 'To', input: to, name: 'to', help: 'Up to, not including, this day.' }),
    h('div', { class: 'actions' }, show));

  const range = () => ({ from: from.value, to: to.value });
  const engagementPath = (fmt) => `/v1/reports/engagement${query({ ...range(), format: fmt })}`;
  const hygienePath = (fmt) => `/v1/reports/contact-hygiene${query({ limit: 500, format: fmt })}`;

  const engagement = h('section', { class: 'panel', 'aria-labelledby': 'rep-engagement' });
  const hygiene = h('section', { class: 'panel', 'aria-labelledby': 'rep-hygiene' });
  const engCSV = csvLink(() => engagementPath('csv'), () => `engagement-${from.value}-to-${to.value}.csv`, 'rep-engagement', status);
  const hygCSV = csvLink(() => hygienePath('csv'), () => `contact-hygiene-${isoDay(new Date())}.csv`, 'rep-hygiene', status);
  root.append(rangeForm, engagement, hygiene);

  async function loadEngagement() {
    engCSV.refresh();
    replace(engagement, h('h2', { id: 'rep-engagement' }, 'Engagement'), engCSV, h('p', {}, 'Loading…'));
    let rep;
    try {
      rep = await api('GET', engagementPath(''));
    } catch (err) {
      engagement.lastChild.replaceWith(h('p', { class: 'error' }, errorText(err)));
      return;
    }
    const js = (rep && rep.journeys) || [];
    const body = [];
    body.push(h('p', { class: 'help' }, `Enrollments started from ${calendarDate(from.value)} up to (not including) ${calendarDate(to.value)}.`));
    if (!js.length) {
      body.push(h('p', {}, 'No enrollments in this range.'));
      replace(engagement, h('h2', { id: 'rep-engagement' }, 'Engagement'), engCSV, ...body);
      return;
    }

    // A funnel per journey.
    body.push(h('h3', {}, 'Funnel per journey'));
    const grid = h('div', { class: 'pg-chart-grid' });
    for (const j of js) {
      grid.append(funnel({
        label: `${journeyLabel(j.journey)}: enrolled to completed`,
        steps: [
          { label: 'Enrolled', value: j.enrolled || 0 },
          { label: 'Messaged', value: j.messaged || 0 },
          { label: 'Reached', value: j.reached || 0 },
          { label: 'Responded', value: j.responded || 0 },
          { label: 'Completed', value: j.completed || 0 },
        ],
      }));
    }
    body.push(grid);

    // Decliners and those won back.
    body.push(h('h3', {}, 'Decliners'));
    const dec = js.map((j) => j.decliners || {});
    body.push(barChart({
      label: 'Program decliners and re-engaged decliners per journey',
      categories: js.map((j) => journeyLabel(j.journey)),
      series: [
        { name: 'Declined', values: dec.map((d) => d.declined || 0) },
        { name: 'Re-engaged', values: dec.map((d) => d.reengaged || 0) },
      ],
      horizontal: true,
      unit: 'patients',
    }));
    const paths = {};
    for (const d of dec) for (const [k, n] of Object.entries(d.paths || {})) paths[k] = (paths[k] || 0) + n;
    if (Object.keys(paths).length) {
      body.push(barChart({
        label: 'Re-engaged decliners by the journey and touch that won them back',
        categories: Object.keys(paths).map((k) => k.replace(':', ': ').replace(/_/g, ' ')),
        series: [{ name: 'Patients', values: Object.values(paths) }],
        horizontal: true,
      }));
    }

    // Satisfaction: how many answers gave each score, all journeys together.
    body.push(h('h3', {}, 'Satisfaction'));
    const dist = {};
    for (const j of js) {
      for (const [k, n] of counts(j.satisfaction && j.satisfaction.distribution)) dist[k] = (dist[k] || 0) + n;
    }
    const scores = filled(counts(dist));
    body.push(barChart({
      label: 'Satisfaction scores: how many patients gave each score',
      categories: scores.map((p) => p[0]),
      series: [{ name: 'Answers', values: scores.map((p) => p[1]) }],
      unit: 'answers',
    }));

    // Messages per patient: how many patients enrolled in the range got
    // 0, 1, 2… messages.
    body.push(h('h3', {}, 'Messages per patient'));
    const sent = filled(counts(rep.messages_per_patient));
    body.push(barChart({
      label: 'Messages per patient: how many patients received each number of messages',
      categories: sent.map((p) => p[0]),
      series: [{ name: 'Patients', values: sent.map((p) => p[1]) }],
      unit: 'patients',
    }));

    // Appointment reminders: what came of them (the appointment_reminders
    // line's appointments; rates out of the appointments reminded).
    const appt = (js.find((j) => j.appointments) || {}).appointments;
    if (appt) {
      const pct = (r) => (r == null ? '—' : `${fmtNum(Math.round(r * 1000) / 10)}%`);
      body.push(h('h3', {}, 'Appointment reminders'));
      const resched = appt.reminded ? appt.reschedule_requested / appt.reminded : null;
      body.push(h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'pg-caption' }, 'Appointments reminded and what came of it'),
        h('thead', {}, h('tr', {}, ['', 'Followed', 'Reminded', 'Confirmed', 'Cancelled', 'Reschedule requests', 'No-shows after reminders']
          .map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {},
          h('tr', {}, h('th', { scope: 'row' }, 'Appointments'),
            ...[appt.followed, appt.reminded, appt.confirmed, appt.cancelled, appt.reschedule_requested, appt.no_shows]
              .map((n) => h('td', { class: 'num' }, fmtNum(n || 0)))),
          h('tr', {}, h('th', { scope: 'row' }, 'Share of those reminded'), h('td', {}, ''), h('td', {}, ''),
            ...[appt.confirmation_rate, appt.cancellation_rate, resched, appt.no_show_rate].map((r) => h('td', { class: 'num' }, pct(r))))))));
    }

    // The figures as a table too (outcomes and opt-outs included).
    body.push(h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'pg-caption' }, 'Engagement by journey'),
      h('thead', {}, h('tr', {}, ['Journey', 'Enrolled', 'Messaged', 'Reached', 'Responded', 'Completed', 'Declined', 'Re-engaged', 'Opted out', 'Satisfaction (mean, answers)', 'Outcomes']
        .map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, js.map((j) => h('tr', {},
        h('th', { scope: 'row' }, journeyLabel(j.journey)),
        ...[j.enrolled, j.messaged, j.reached, j.responded, j.completed, j.declined, j.reengaged, j.opted_out].map((n) => h('td', { class: 'num' }, fmtNum(n || 0))),
        h('td', {}, j.satisfaction && j.satisfaction.mean != null ? `${fmtNum(j.satisfaction.mean)} (${j.satisfaction.count})` : '—'),
        h('td', {}, Object.entries(j.outcomes || {}).map(([k, n]) => `${k.replace(/_/g, ' ')} ${n}`).join(', ') || '—')))))));

    replace(engagement, h('h2', { id: 'rep-engagement' }, 'Engagement'), engCSV, ...body);
  }

  async function loadHygiene() {
    replace(hygiene, h('h2', { id: 'rep-hygiene' }, 'Contact hygiene'), hygCSV, h('p', {}, 'Loading…'));
    let out;
    try {
      out = await api('GET', hygienePath(''));
    } catch (err) {
      hygiene.lastChild.replaceWith(h('p', { class: 'error' }, errorText(err)));
      return;
    }
    const items = (out && out.items) || [];
    const point = (has, st) => (has ? st || 'unknown' : 'none');
    replace(hygiene, h('h2', { id: 'rep-hygiene' }, 'Contact hygiene'), hygCSV,
      h('p', { class: 'help' }, 'Patients whose phone or email is invalid or not yet confirmed, invalid first.'),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'pg-caption' }, `Contact hygiene: ${items.length} patient${items.length === 1 ? '' : 's'}`),
        h('thead', {}, h('tr', {}, ['Patient', 'Phone', 'Email', 'Updated'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.length
          ? items.map((r) => h('tr', { class: r.phone_status === 'invalid' || r.email_status === 'invalid' ? 'pg-row-invalid' : '' },
            h('th', { scope: 'row' }, h('a', { href: `/console/patients/${encodeURIComponent(r.patient_id)}` }, r.patient_id)),
            h('td', {}, point(r.has_phone, r.phone_status)),
            h('td', {}, point(r.has_email, r.email_status)),
            h('td', {}, r.updated_at ? new Date(r.updated_at).toLocaleString() : '')))
          : h('tr', {}, h('td', { colspan: '4' }, 'Every contact point is confirmed.'))))));
  }

  on(rangeForm, 'submit', (ev) => {
    ev.preventDefault();
    if (!from.value || !to.value || to.value <= from.value) {
      notice(status, '"To" must be after "From".', 'error');
      to.focus();
      return;
    }
    notice(status, '');
    loadEngagement();
  });

  await Promise.all([loadEngagement(), loadHygiene()]);
}
