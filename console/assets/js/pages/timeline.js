// Timeline: everything about one patient in one list, newest first —
// messages in and out (with why a message was held back or deferred),
// journey steps and outcomes, tasks, observations, consent and contact
// changes — with a chart per vital sign above it. It polls every 5 s and
// adds what is new without redrawing what the nurse is reading.

import { api } from '../api.js';
import { dateTime, h, replace, timeEl } from '../ui.js';
import { lineChart } from '../chart.js';
import { errorText, journeyLabel, notice, on } from '../fields.js';
import { patientName } from './launch.js';

const POLL_MS = 5000;

// Kinds as the list groups them (the filter's checkboxes), each with a
// marker and a label. The server's kind names map onto these by prefix.
const FAMILIES = [
  { key: 'message', label: 'Messages', icon: '✉' },
  { key: 'journey', label: 'Journey steps', icon: '▸' },
  { key: 'task', label: 'Tasks', icon: '⚑' },
  { key: 'observation', label: 'Observations', icon: '♥' },
  { key: 'consent', label: 'Consent', icon: '✓' },
  { key: 'contact', label: 'Contact changes', icon: '✎' },
  { key: 'other', label: 'Other', icon: '•' },
];

function family(kind) {
  const k = String(kind || '').toLowerCase();
  if (k.startsWith('message') || k === 'reply' || k === 'sms' || k === 'email') return 'message';
  if (k.startsWith('enrollment') || k.startsWith('journey') || k.startsWith('step') || k === 'outcome') return 'journey';
  if (k.startsWith('task')) return 'task';
  if (k.startsWith('observation') || k === 'reading') return 'observation';
  if (k.startsWith('consent') || k.startsWith('preference') || k.startsWith('opt')) return 'consent';
  if (k.startsWith('contact') || k.startsWith('patient')) return 'contact';
  return 'other';
}

// Why a message was not sent (or not yet): the send path's reason codes.
const REASONS = {
  invalid_contact: 'the contact point is marked invalid',
  no_contact_point: 'no phone or email on file',
  no_contact: 'no phone or email on file',
  opted_out: 'the patient opted out',
  no_consent: 'no consent for this purpose on this channel',
  capped: 'the patient’s message cap was reached',
  quiet_hours: 'the patient’s quiet hours (sent when they end)',
  unreachable: 'the patient is unreachable on this channel',
  provider_rejected: 'the provider rejected it',
  outcome_unknown: 'the provider’s answer is not known yet',
};

// reasonText says a reason code in words; free text passes through.
export function reasonText(code) {
  if (!code) return '';
  return REASONS[code] || String(code).replace(/_/g, ' ');
}

// The vital signs, their display units and the default safe ranges
// (ranges.go DefaultSafeRanges, canonical units). The server's own range
// on an item wins when it sends one.
const VITALS = {
  blood_glucose: { name: 'Blood glucose', unit: 'mg/dL', canonical: 'mg/dL', bands: [{ below: 70, label: 'Low: below 70' }, { above: 250, label: 'High: above 250' }] },
  blood_pressure: {
    name: 'Blood pressure', unit: 'mmHg', canonical: 'mm[Hg]', series: ['Systolic', 'Diastolic'],
    bands: [{ below: 90, label: 'Systolic below 90' }, { above: 120, label: 'Diastolic 120 or more', second: true, inclusive: true, lineOnly: true }, { above: 180, label: 'Systolic 180 or more', inclusive: true }],
  },
  heart_rate: { name: 'Heart rate', unit: 'bpm', canonical: '/min', bands: [{ below: 40, label: 'Below 40' }, { above: 130, label: 'Above 130' }] },
  spo2: { name: 'Oxygen saturation (SpO2)', unit: '%', canonical: '%', bands: [{ below: 92, label: 'Low: below 92' }] },
  temperature: { name: 'Temperature', unit: '°C', canonical: 'Cel', bands: [{ below: 35, label: 'Below 35' }, { above: 38, label: 'Fever: 38 or more', inclusive: true }] },
  weight: { name: 'Weight', unit: 'kg', canonical: 'kg', bands: [] },
};

const num = (v) => (v === null || v === undefined || v === '' ? null : Number(v));

function itemTime(d) {
  return d.at || d.effective_at || d.created_at;
}

// outOfRange judges one value (second: blood pressure's diastolic)
// against the default bands.
function outOfRange(code, x, second = false) {
  const spec = VITALS[code];
  if (!spec || x === null || x === undefined) return false;
  return spec.bands.some((b) => {
    if (!!b.second !== second) return false;
    if (b.below !== undefined) return x < b.below;
    return b.inclusive ? x >= b.above : x > b.above;
  });
}

// observationOf reads a reading from a timeline item or from GET
// /v1/patients/:id/observations: charted in the code's canonical unit,
// so the safe range's bands apply; the server's judgement (flagged, flag)
// wins over the client's.
function observationOf(d) {
  const code = d.code;
  const canonical = d.canonical_value !== undefined;
  const v = num(canonical ? d.canonical_value : d.value);
  if (!code || v === null || Number.isNaN(v)) return null;
  const v2 = num(canonical ? d.canonical_value2 : d.value2);
  const judged = d.flagged;
  // Which value is out: by the default bands; a reading the server judged
  // out that the defaults pass was judged by bounds on the first value.
  let out1 = outOfRange(code, v), out2 = outOfRange(code, v2, true);
  if (judged === false) out1 = out2 = false;
  else if (judged && !out1 && !out2) out1 = true;
  return {
    id: d.id, code, t: d.effective_at || itemTime(d), v, v2, unit: canonical ? d.canonical_unit : d.unit,
    out: out1 || out2, out1, out2, note: d.flag || '',
  };
}

function vitalsCharts(readings) {
  const byCode = new Map();
  for (const r of readings) {
    if (!byCode.has(r.code)) byCode.set(r.code, []);
    byCode.get(r.code).push(r);
  }
  const out = [];
  for (const [code, rs] of byCode) {
    const spec = VITALS[code] || { name: journeyLabel(code), unit: rs[0].unit || '', bands: [] };
    // Bands are in the canonical unit: drawn only when the readings are too.
    const sameUnit = !rs[0].unit || rs[0].unit === spec.canonical || rs[0].unit === spec.unit;
    const bands = sameUnit ? spec.bands : [];
    const unit = sameUnit ? spec.unit : rs[0].unit || '';
    const series = spec.series
      ? [
        { name: spec.series[0], points: rs.map((r) => ({ t: r.t, v: r.v, out: r.out1, note: r.note })) },
        { name: spec.series[1], points: rs.filter((r) => r.v2 !== null).map((r) => ({ t: r.t, v: r.v2, out: r.out2, note: r.note })) },
      ]
      : [{ name: spec.name, points: rs.map((r) => ({ t: r.t, v: r.v, out: r.out, note: r.note })) }];
    out.push(lineChart({ label: `${spec.name} (${unit})`, unit, series, bands }));
  }
  return out;
}

// What each task event is called on the timeline.
const TASK_EVENTS = {
  raised: 'Task raised',
  notified: 'On-call person paged',
  escalated: 'Task escalated',
  acknowledged: 'Task acknowledged',
  resolved: 'Task resolved',
  note: 'Task note',
  assigned: 'Task assigned',
  unassigned: 'Task unassigned',
};

const words = (v) => String(v || '').replace(/_/g, ' ');
const channelName = (c) => (String(c).toLowerCase() === 'email' ? 'Email' : 'SMS');

// describe turns a timeline item into its label, its text and notes (why
// a message was held back or deferred, a reading out of range).
function describe(d) {
  const fam = family(d.kind);
  const notes = [];
  let label = '';
  let text = d.summary || '';
  let status = '';
  if (fam === 'message') {
    const inbound = d.kind === 'message_in' || d.direction === 'inbound';
    label = `${inbound ? 'Message in' : 'Message out'} · ${channelName(d.channel)}`;
    if (d.author_name) label += ` · from ${d.author_name}`;
    else if (d.caregiver_id) label += inbound ? ' · from a caregiver' : ' · to a caregiver';
    text = d.body || text;
    status = d.status || '';
    const reason = reasonText(d.reason);
    if (status === 'suppressed' || status === 'skipped') notes.push(['Not sent', reason || 'held back']);
    else if (status === 'deferred' || d.deferred_until) {
      notes.push(['Deferred', [reason, d.deferred_until && `until ${dateTime(d.deferred_until)}`].filter(Boolean).join(', ') || 'waiting']);
    } else if (status === 'failed' || status === 'undelivered') notes.push(['Failed', reason || 'the provider could not deliver it']);
    else if (reason) notes.push(['Note', reason]);
  } else if (fam === 'journey') {
    label = d.journey ? journeyLabel(d.journey) : 'Journey';
    if (d.kind === 'step') {
      text = `Asked ${words(d.question)}: ${words(d.status)}`;
    } else if (d.event === 'started') {
      text = `Started${d.key ? ` (${d.key})` : ''}`;
    } else if (d.event === 'ended') {
      text = `Ended: ${words(d.status)}${d.outcome ? ` — outcome ${words(d.outcome)}` : ''}`;
      if (d.outcome_detail) notes.push(['Detail', words(d.outcome_detail)]);
    }
  } else if (fam === 'task') {
    label = TASK_EVENTS[d.event] || `Task ${words(d.event || 'raised')}`;
    if (d.actor_name) label += ` by ${d.actor_name}`;
    text = d.reason || text;
    status = d.priority || '';
    // A note or a resolution says something; the paging details name
    // staff by ID and the raise repeats the priority.
    if (d.detail && (d.event === 'note' || d.event === 'resolved')) notes.push([d.event === 'note' ? 'Note' : 'Resolution', String(d.detail)]);
  } else if (fam === 'observation') {
    const o = observationOf(d);
    label = o ? (VITALS[o.code] || { name: words(o.code) }).name : 'Observation';
    const sent = d.value2 !== undefined ? `${d.value}/${d.value2}` : d.value;
    text = `${sent} ${unitName(d.unit)}`.trim();
    if (o && o.out) notes.push(['Out of range', o.note ? `${o.note} (outside the safe range)` : 'outside the safe range']);
  } else if (fam === 'consent') {
    label = 'Consent';
    text = `${d.granted ? 'Opted in to' : 'Opted out of'} ${words(d.purpose)} by ${channelName(d.channel)}${d.source ? ` (${words(d.source)})` : ''}`;
    if (d.reason) notes.push(['Reason', d.reason]);
  } else if (fam === 'contact') {
    label = 'Contact change';
    text = `${words(d.field) || 'contact details'} changed${d.actor_name ? ` by ${d.actor_name}` : ''}`;
  } else {
    label = journeyLabel(d.kind || 'event');
  }
  return { fam, label, text, notes, status };
}

// unitName shows a UCUM unit as people write it.
function unitName(u) {
  return { 'mm[Hg]': 'mmHg', Cel: '°C', '[degF]': '°F', degF: '°F', '/min': 'bpm', '[lb_av]': 'lb' }[u] || u || '';
}

function itemNode(d) {
  const x = describe(d);
  const fam = FAMILIES.find((f) => f.key === x.fam);
  const link = x.fam === 'task' && d.task_id ? h('a', { href: `/console/tasks/${encodeURIComponent(d.task_id)}` }, 'Open task') : null;
  return h('li', { class: ['tl-item', `tl-${x.fam}`, x.status === 'urgent' && 'urgent'], dataset: { family: x.fam } },
    h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, fam.icon),
    h('div', { class: 'tl-body' },
      h('p', { class: 'tl-head' }, h('strong', {}, x.label), ' ', timeEl(itemTime(d)),
        x.status ? h('span', { class: 'badge' }, words(x.status)) : null),
      x.text ? h('p', { class: 'tl-summary' }, x.text) : null,
      x.notes.map(([k, v]) => h('p', { class: 'tl-note' }, h('strong', {}, `${k}: `), v)),
      link));
}

export async function render(root, params, ctx) {
  const id = params.id;
  const base = `/v1/patients/${encodeURIComponent(id)}`;
  const status = h('p', { class: 'pg-notice', role: 'status' });
  const live = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  root.append(h('h1', {}, 'Timeline'), status, live);

  let patient = null;
  try {
    patient = await api('GET', base);
  } catch (err) {
    notice(status, errorText(err), 'error');
    return;
  }
  root.append(h('p', { class: 'pg-lead' }, 'For ', h('a', { href: `/console/patients/${encodeURIComponent(id)}` }, patientName(patient, id)),
    ' · ', h('a', { href: `/console/patients/${encodeURIComponent(id)}/conversation` }, 'Conversation'),
    ' · ', h('a', { href: `/console/patients/${encodeURIComponent(id)}/launch` }, 'Launch a journey')));

  const shown = new Set(FAMILIES.map((f) => f.key));
  const boxes = FAMILIES.map((f) => {
    const cb = h('input', { type: 'checkbox', id: `tl-f-${f.key}`, checked: true, value: f.key });
    const count = h('span', { class: 'tl-count' });
    on(cb, 'change', () => {
      if (cb.checked) shown.add(f.key);
      else shown.delete(f.key);
      applyFilter();
    });
    return { f, cb, count, wrap: h('div', { class: 'field check' }, cb, h('label', { for: cb.id }, f.label, ' ', count)) };
  });
  const filter = h('fieldset', { class: 'tl-filter' }, h('legend', {}, 'Show'), boxes.map((b) => b.wrap));

  const charts = h('section', { class: 'panel', 'aria-labelledby': 'tl-vitals' });
  const list = h('ol', { class: 'tl-list', 'aria-labelledby': 'tl-list' });
  const empty = h('p', { class: 'muted' }, 'Nothing yet.');
  root.append(charts, h('section', { class: 'tl-section', 'aria-labelledby': 'tl-list' },
    h('h2', { id: 'tl-list' }, 'Everything, newest first'), filter, empty, list));

  const older = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show older');
  root.append(h('div', { class: 'actions' }, older));

  // What is on screen: item ID → {node, sig, at}. Items never leave a
  // timeline; a changed one (a message delivered) is redrawn in place.
  const onScreen = new Map();
  let next = ''; // the cursor of the page after the oldest shown
  let chartSig = null;
  let first = true;

  function applyFilter() {
    const counts = {};
    for (const { node } of onScreen.values()) {
      const fam = node.dataset.family;
      counts[fam] = (counts[fam] || 0) + 1;
      node.hidden = !shown.has(fam);
    }
    for (const b of boxes) {
      b.count.textContent = `(${counts[b.f.key] || 0})`;
      b.wrap.hidden = !counts[b.f.key] && b.f.key === 'other';
    }
    const visible = [...onScreen.values()].some(({ node }) => !node.hidden);
    empty.hidden = visible;
    empty.textContent = onScreen.size ? 'Nothing of the kinds chosen.' : 'Nothing yet.';
  }

  // show puts items on screen in time order; it returns the new ones'
  // nodes by kind.
  function show(items) {
    const added = [];
    for (const d of items) {
      const key = String(d.id);
      const sig = JSON.stringify(d);
      const at = new Date(itemTime(d)).getTime();
      const have = onScreen.get(key);
      if (have && have.sig === sig) continue;
      const node = itemNode(d);
      if (have) {
        have.node.replaceWith(node);
      } else {
        const after = [...onScreen.values()].filter((x) => x.at < at).sort((a, b) => b.at - a.at)[0];
        list.insertBefore(node, after ? after.node : null);
        added.push({ node, kind: d.kind });
      }
      onScreen.set(key, { node, sig, at });
    }
    applyFilter();
    return added;
  }

  // The charts read every reading (GET …/observations), not just those
  // on the timeline's first page; they are redrawn when readings change.
  async function drawCharts() {
    const out = await api('GET', `${base}/observations?limit=500`);
    const readings = ((out && out.items) || []).map(observationOf).filter(Boolean);
    const sig = JSON.stringify(readings);
    if (sig === chartSig) return;
    chartSig = sig;
    replace(charts, h('h2', { id: 'tl-vitals' }, 'Vital signs'),
      readings.length ? h('div', { class: 'pg-chart-grid' }, vitalsCharts(readings)) : h('p', { class: 'muted' }, 'No readings yet.'),
      readings.length ? h('p', { class: 'help' }, 'Shaded: outside the default safe range. Out-of-range readings are drawn as larger red diamonds.') : null);
  }

  // refresh reads the newest page and adds what is new; the first read
  // also sets where "Show older" continues.
  async function refresh() {
    const page = await api('GET', `${base}/timeline?limit=100`);
    const items = (page && page.items) || [];
    if (first) {
      next = page.next || '';
      older.hidden = !next;
    }
    const added = show(items);
    if (!first && added.length) {
      live.textContent = `${added.length} new item${added.length === 1 ? '' : 's'} in the timeline.`;
      for (const a of added) a.node.classList.add('tl-new');
    }
    if (first || added.some((a) => a.kind === 'observation')) {
      await drawCharts().catch((err) => {
        replace(charts, h('h2', { id: 'tl-vitals' }, 'Vital signs'), h('p', { class: 'error' }, errorText(err)));
      });
    }
    first = false;
  }

  on(older, 'click', async () => {
    older.disabled = true;
    try {
      const page = await api('GET', `${base}/timeline?limit=100&before=${encodeURIComponent(next)}`);
      const n = show((page && page.items) || []).length;
      next = page.next || '';
      older.hidden = !next;
      live.textContent = `${n} older item${n === 1 ? '' : 's'} shown.`;
    } catch (err) {
      if (err && err.status !== 401) notice(status, errorText(err), 'error');
    } finally {
      older.disabled = false;
    }
  });

  try {
    await refresh();
  } catch (err) {
    notice(status, errorText(err), 'error');
  }
  const tick = async () => {
    try {
      await refresh();
      if (status.classList.contains('error')) notice(status, '');
    } catch (err) {
      if (err && err.status !== 401) notice(status, `Updating: ${errorText(err)}`, 'error');
    }
  };
  if (ctx.poll) ctx.poll(tick, POLL_MS);
  else {
    const t = setInterval(tick, POLL_MS);
    ctx.onLeave(() => clearInterval(t));
  }
}
