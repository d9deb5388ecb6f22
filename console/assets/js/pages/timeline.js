// Timeline: everything about one patient in one list, newest first —
// messages in and out (with why a message was held back or deferred),
// journey steps and outcomes, tasks, observations, consent and contact
// changes — with a chart per vital sign above it. It polls every 5 s and
// adds what is new without redrawing what the nurse is reading.

import { api } from '../api.js';
import { h, replace, timeEl } from '../ui.js';
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

// flat merges an item's nested detail into one object.
function flat(it) {
  return { ...(it.data || {}), ...(it.detail || {}), ...(it.details || {}), ...it };
}

function itemTime(d) {
  return d.at || d.occurred_at || d.effective_at || d.created_at || d.time;
}

function itemID(d) {
  return String(d.id || `${d.kind}|${itemTime(d)}|${d.summary || d.title || d.body || ''}`);
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

// observationOf reads a reading from a timeline item (or an observation).
function observationOf(d) {
  const code = d.code || (d.observation && d.observation.code);
  const o = d.observation ? { ...d, ...d.observation } : d;
  const v = num(o.value);
  if (!code || v === null || Number.isNaN(v)) return null;
  const v2 = num(o.value2);
  const judged = o.out_of_range ?? o.flagged ?? (o.judgement ? o.judgement !== 'in_range' : undefined);
  // Which value is out: by the default bands; a reading the server judged
  // out that the defaults pass was judged by a care plan's own bounds,
  // which apply to the first value.
  let out1 = outOfRange(code, v), out2 = outOfRange(code, v2, true);
  if (judged === false) out1 = out2 = false;
  else if (judged && !out1 && !out2) out1 = true;
  return {
    code, t: itemTime(o), v, v2, unit: o.unit, out: out1 || out2, out1, out2,
    note: o.judgement && o.judgement !== 'in_range' ? String(o.judgement).replace(/_/g, ' ') : '',
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

// describe turns a timeline item into its label, summary and notes.
function describe(d) {
  const fam = family(d.kind);
  const label = [];
  const notes = [];
  let summary = d.summary || d.title || d.text || '';
  if (fam === 'message') {
    const dir = d.direction || (/in/.test(d.kind) ? 'inbound' : 'outbound');
    label.push(dir === 'inbound' ? 'Message in' : 'Message out');
    if (d.channel) label.push(String(d.channel).toUpperCase() === 'SMS' ? 'SMS' : d.channel);
    if (!summary) summary = d.body || d.template || '';
    const st = String(d.status || '');
    const reason = d.status_reason || d.reason || d.suppressed_reason || d.deferred_reason;
    if (/suppress|held|skip|not_sent/.test(st)) notes.push(['Not sent', reasonText(reason) || 'held back']);
    else if (/defer|queued|scheduled|waiting/.test(st) && reason) notes.push(['Deferred', reasonText(reason)]);
    else if (/fail|undeliver|reject/.test(st)) notes.push(['Failed', reasonText(reason) || st]);
    else if (reason) notes.push(['Note', reasonText(reason)]);
  } else if (fam === 'journey') {
    label.push(d.journey ? journeyLabel(d.journey) : 'Journey');
    if (!summary) summary = [d.step && `Step: ${String(d.step).replace(/_/g, ' ')}`, d.outcome && `Outcome: ${String(d.outcome).replace(/_/g, ' ')}`, d.status].filter(Boolean).join(' · ');
  } else if (fam === 'task') {
    label.push('Task');
    if (d.priority) label.push(d.priority);
    if (!summary) summary = d.reason || '';
  } else if (fam === 'observation') {
    const o = observationOf(d);
    label.push(o ? (VITALS[o.code] || { name: o.code }).name : 'Observation');
    if (!summary && o) summary = `${o.v2 !== null ? `${o.v}/${o.v2}` : o.v} ${(VITALS[o.code] || {}).unit || o.unit || ''}`.trim();
    if (o && o.out) notes.push(['Out of range', o.note || 'outside the safe range']);
  } else if (fam === 'consent') {
    label.push('Consent');
    if (!summary) summary = [d.granted === true ? 'Opted in' : d.granted === false ? 'Opted out' : d.status, d.channel, d.purpose, d.source && `(${d.source})`].filter(Boolean).join(' ');
    if (d.reason) notes.push(['Reason', d.reason]);
  } else if (fam === 'contact') {
    label.push('Contact change');
    if (!summary) summary = d.field ? `${String(d.field).replace(/_/g, ' ')} changed` : 'Contact details changed';
  } else {
    label.push(journeyLabel(d.kind || 'event'));
  }
  return { fam, label: label.filter(Boolean).join(' · '), summary, notes, status: fam === 'message' || fam === 'task' ? d.status : '' };
}

function itemNode(d) {
  const x = describe(d);
  const fam = FAMILIES.find((f) => f.key === x.fam);
  const link = x.fam === 'task' && (d.task_id || (d.id && /^task/.test(d.kind) && d.id))
    ? h('a', { href: `/console/tasks/${encodeURIComponent(d.task_id || d.id)}` }, 'Open task') : null;
  return h('li', { class: ['tl-item', `tl-${x.fam}`], dataset: { family: x.fam } },
    h('span', { class: 'tl-icon', 'aria-hidden': 'true' }, fam.icon),
    h('div', { class: 'tl-body' },
      h('p', { class: 'tl-head' }, h('strong', {}, x.label), ' ', timeEl(itemTime(d)),
        x.status ? h('span', { class: 'badge' }, String(x.status).replace(/_/g, ' ')) : null),
      x.summary ? h('p', { class: 'tl-summary' }, x.summary) : null,
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

  // What is on screen: item ID → {node, sig, at}.
  const onScreen = new Map();
  let chartSig = '';
  let source = 'timeline';
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

  // fetchItems reads the timeline, or, on a server without it, the
  // patient's messages (and says so).
  async function fetchItems() {
    if (source === 'timeline') {
      try {
        const out = await api('GET', `${base}/timeline?limit=500`);
        return (out && (out.items || out.events)) || [];
      } catch (err) {
        if (err.status !== 404 || err.field || /patient/i.test(err.message || '')) throw err;
        source = 'messages';
        notice(status, 'This server has no timeline yet: showing messages only.', 'info');
      }
    }
    const out = await api('GET', `${base}/messages?limit=200`);
    return ((out && out.items) || []).map((m) => ({ ...m, kind: m.direction === 'inbound' ? 'message_in' : 'message_out', at: m.sent_at || m.created_at }));
  }

  async function extraObservations() {
    try {
      const out = await api('GET', `${base}/observations?limit=500`);
      return ((out && out.items) || []).map((o) => ({ ...o, kind: 'observation', at: o.effective_at || o.at || o.created_at }));
    } catch {
      return [];
    }
  }

  async function refresh() {
    const raw = await fetchItems();
    const items = raw.map(flat).filter((d) => itemTime(d));
    items.sort((a, b) => new Date(itemTime(b)) - new Date(itemTime(a)));

    // New and changed items go in place; the rest stay untouched.
    let added = 0;
    const seen = new Set();
    for (const d of items) {
      const key = itemID(d);
      seen.add(key);
      const sig = JSON.stringify(d);
      const at = new Date(itemTime(d)).getTime();
      const have = onScreen.get(key);
      if (have && have.sig === sig) continue;
      const node = itemNode(d);
      if (have) {
        have.node.replaceWith(node);
      } else {
        const before = [...onScreen.values()].filter((x) => x.at < at).sort((a, b) => b.at - a.at)[0];
        list.insertBefore(node, before ? before.node : null);
        if (!first) {
          node.classList.add('tl-new');
          added++;
        }
      }
      onScreen.set(key, { node, sig, at });
    }
    for (const [key, x] of onScreen) {
      if (!seen.has(key)) {
        x.node.remove();
        onScreen.delete(key);
      }
    }
    applyFilter();
    if (added) live.textContent = `${added} new item${added === 1 ? '' : 's'} in the timeline.`;

    // Charts from the observations in the timeline (or the observations
    // endpoint when the timeline carries none).
    let readings = items.filter((d) => family(d.kind) === 'observation').map(observationOf).filter(Boolean);
    if (!readings.length && first) readings = (await extraObservations()).map(flat).map(observationOf).filter(Boolean);
    const sig = JSON.stringify(readings);
    if (sig !== chartSig || first) {
      chartSig = sig;
      replace(charts, h('h2', { id: 'tl-vitals' }, 'Vital signs'),
        readings.length ? h('div', { class: 'pg-chart-grid' }, vitalsCharts(readings)) : h('p', { class: 'muted' }, 'No readings yet.'),
        readings.length ? h('p', { class: 'help' }, 'Shaded: outside the default safe range. Out-of-range readings are drawn as larger diamonds.') : null);
    }
    first = false;
  }

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
