// patient.js: a patient's profile — details and their edit, consent by
// channel and purpose with its history and a form to record a decision,
// caregivers, and journeys.

import { api } from '../api.js';
import {
  h, replace, field, setFieldError, select, calendarDate, timeEl, errorBox, badge,
  notice, patientName, busy, browserZone,
} from '../ui.js';

const LANGUAGES = [['en', 'English'], ['es', 'Spanish (Español)']];
const CHANNELS = [['sms', 'SMS'], ['email', 'Email']];
const PURPOSES = [['care', 'Care (treatment and safety)'], ['outreach', 'Outreach (engagement)'], ['all', 'All purposes']];
const SOURCES = [['verbal', 'Verbal (in person or by phone call)'], ['paper', 'Paper form'], ['phone', 'Phone'], ['email', 'Email'], ['portal', 'Portal']];

const label = (pairs, v) => (pairs.find(([k]) => k === v) || [v, v])[1];

function zones(current) {
  let all = [];
  try { all = Intl.supportedValuesOf('timeZone'); } catch { /* older browser: the current zone only */ }
  const set = new Set(all);
  if (current) set.add(current);
  if (!set.size) set.add(browserZone);
  return [...set].sort().map((z) => [z, z]);
}

function list(s) {
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}

export async function render(root, params, ctx) {
  const id = params.id;
  const base = `/v1/patients/${encodeURIComponent(id)}`;
  const canEdit = ctx.user.role !== 'read_only';
  let patient;
  try {
    patient = await api('GET', base);
  } catch (err) {
    root.append(h('h1', {}, 'Patient'), errorBox(err));
    return;
  }
  if (!ctx.active()) return;
  const title = h('h1', {}, patientName(patient));
  ctx.setTitle(patientName(patient));
  const pid = encodeURIComponent(id);
  root.append(title,
    h('p', { class: 'actions' },
      h('a', { class: 'button secondary', href: `/console/patients/${pid}/timeline` }, 'Timeline'),
      h('a', { class: 'button secondary', href: `/console/patients/${pid}/conversation` }, 'Conversation'),
      canEdit ? h('a', { class: 'button secondary', href: `/console/patients/${pid}/launch` }, 'Launch a journey') : null));

  const details = h('section', { class: 'panel', 'aria-labelledby': 'p-details' });
  const consent = h('section', { class: 'panel', 'aria-labelledby': 'p-consent' });
  const caregivers = h('section', { class: 'panel', 'aria-labelledby': 'p-caregivers' });
  const journeys = h('section', { class: 'panel', 'aria-labelledby': 'p-journeys' });
  root.append(details, consent, caregivers, journeys);

  // ---- details and their edit ---------------------------------------------
  function showDetails() {
    const p = patient;
    const edit = h('button', { type: 'button', class: 'secondary' }, 'Edit contact details');
    edit.addEventListener('click', () => showEdit());
    replace(details, h('h2', { id: 'p-details' }, 'Details'),
      h('dl', { class: 'details' }, [
        ['Date of birth', calendarDate(p.birth_date)],
        ['Phone', p.phone || '—'],
        ['Email', p.email || '—'],
        ['Preferred channel', label(CHANNELS, p.preferred_channel)],
        ['Language', label(LANGUAGES, p.locale)],
        ['Time zone', p.timezone],
        ['Tags', (p.tags || []).length ? p.tags.map((t) => [badge(t), ' ']) : '—'],
        ['Conditions', (p.conditions || []).length ? p.conditions.map((t) => [badge(t), ' ']) : '—'],
      ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      canEdit ? h('div', { class: 'actions' }, edit) : null);
    return edit;
  }

  function showEdit() {
    const p = patient;
    const f = {
      given_name: field('Given name', h('input', { type: 'text', value: p.given_name || '', autocomplete: 'off', required: true })),
      family_name: field('Family name', h('input', { type: 'text', value: p.family_name || '', autocomplete: 'off', required: true })),
      phone: field('Phone', h('input', { type: 'tel', value: p.phone || '', autocomplete: 'off' }), 'E.164, e.g. +15551234567. A new number is used from the next message.'),
      email: field('Email', h('input', { type: 'email', value: p.email || '', autocomplete: 'off' })),
      timezone: field('Time zone', select(zones(p.timezone), p.timezone)),
      locale: field('Language', select(LANGUAGES, p.locale)),
      preferred_channel: field('Preferred channel', select(CHANNELS, p.preferred_channel)),
      tags: field('Tags', h('input', { type: 'text', value: (p.tags || []).join(', '), autocomplete: 'off' }), 'Separated by commas, e.g. diabetes-panel, spanish-outreach.'),
      conditions: field('Conditions', h('input', { type: 'text', value: (p.conditions || []).join(', '), autocomplete: 'off' }), 'ICD-10 codes separated by commas, e.g. E11.9, I10.'),
    };
    const save = h('button', { type: 'submit' }, 'Save');
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const status = h('div', { 'aria-live': 'polite' });
    const form = h('form', { novalidate: true, 'aria-labelledby': 'p-edit' },
      h('h2', { id: 'p-edit' }, 'Edit contact details'), status,
      h('div', { class: 'grid-2' }, Object.values(f).map((x) => x.wrap)),
      h('div', { class: 'actions' }, save, cancel));
    replace(details, form);
    f.given_name.control.focus();
    cancel.addEventListener('click', () => showDetails().focus());
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      for (const x of Object.values(f)) setFieldError(x, '');
      replace(status);
      const now = {
        given_name: f.given_name.control.value.trim(),
        family_name: f.family_name.control.value.trim(),
        phone: f.phone.control.value.trim(),
        email: f.email.control.value.trim(),
        timezone: f.timezone.control.value,
        locale: f.locale.control.value,
        preferred_channel: f.preferred_channel.control.value,
        tags: list(f.tags.control.value),
        conditions: list(f.conditions.control.value),
      };
      // Only what changed: an unchanged phone must not be re-set (a set
      // phone starts unverified).
      const change = {};
      for (const [k, v] of Object.entries(now)) {
        const was = p[k] ?? (Array.isArray(v) ? [] : '');
        if (JSON.stringify(v) !== JSON.stringify(was)) change[k] = v;
      }
      if (!Object.keys(change).length) {
        showDetails().focus();
        notice('Nothing changed.');
        return;
      }
      busy(save, async () => {
        try {
          patient = await api('PATCH', base, change);
          replace(title, patientName(patient));
          ctx.setTitle(patientName(patient));
          showDetails().focus();
          notice('Contact details saved.');
        } catch (err) {
          const key = (err.field || '').replace(/\[\d+\]$/, '');
          if (err.status === 400 && f[key]) {
            setFieldError(f[key], err.message + (key !== err.field ? ` (${err.field})` : ''));
            f[key].control.focus();
          } else {
            replace(status, errorBox(err));
          }
        }
      });
    });
  }
  showDetails();

  // ---- consent ---------------------------------------------------------------
  async function loadConsent() {
    let c;
    try {
      c = await api('GET', `${base}/consents`);
    } catch (err) {
      replace(consent, h('h2', { id: 'p-consent' }, 'Consent'), errorBox(err));
      return;
    }
    drawConsent(c);
  }

  function drawConsent(c) {
    const current = c.current || [];
    const history = c.history || [];
    replace(consent, h('h2', { id: 'p-consent' }, 'Consent'),
      current.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Current consent by channel and purpose'),
        h('thead', {}, h('tr', {}, ['Channel', 'Purpose', 'Consent'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, current.map((s) => h('tr', {},
          h('td', {}, label(CHANNELS, s.channel)),
          h('td', {}, label(PURPOSES, s.purpose)),
          h('td', {}, s.granted ? badge('Opted in', 'ok') : badge('Opted out', 'warn'),
            s.revoked_all ? h('span', { class: 'small' }, ' blanket opt-out (STOP): only START or a recorded opt-in for all purposes lifts it') : null))))))
        : h('p', { class: 'muted' }, 'No consent recorded.'),
      h('h3', {}, 'History'),
      history.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Consent history, newest first'),
        h('thead', {}, h('tr', {}, ['Decided', 'Channel', 'Purpose', 'Decision', 'How', 'Reason', 'Whose', 'Recorded'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, history.map((e) => h('tr', {},
          h('td', {}, timeEl(e.effective_at)),
          h('td', {}, label(CHANNELS, e.channel)),
          h('td', {}, label(PURPOSES, e.purpose)),
          h('td', {}, e.granted ? 'Opt-in' : 'Opt-out'),
          h('td', {}, e.source),
          h('td', {}, e.reason || '—'),
          h('td', {}, { patient: 'Patient', caregiver: 'Caregiver', address: 'The number or address (keyword)' }[e.scope] || e.scope || '—'),
          h('td', { class: 'small' }, timeEl(e.recorded_at)))))))
        : h('p', { class: 'muted' }, 'No history.'),
      canEdit ? consentForm() : null);
  }

  function consentForm() {
    const uidBase = 'consent-decision';
    const optIn = h('input', { type: 'radio', name: 'granted', value: 'true', id: uidBase + '-in' });
    const optOut = h('input', { type: 'radio', name: 'granted', value: 'false', id: uidBase + '-out' });
    const decision = h('fieldset', {}, h('legend', {}, 'Decision'),
      h('div', { class: 'field check' }, optIn, h('label', { for: optIn.id }, 'Opt in')),
      h('div', { class: 'field check' }, optOut, h('label', { for: optOut.id }, 'Opt out')));
    const decisionErr = h('p', { class: 'field-error', hidden: true, id: uidBase + '-err' });
    decision.append(decisionErr);
    const channel = field('Consent channel', select(CHANNELS, 'sms'));
    const purpose = field('Purpose', select(PURPOSES, 'care'));
    const source = field('How the patient told us', select(SOURCES, 'verbal'));
    const reason = field('Reason', h('textarea', { rows: '2', maxlength: '500' }), 'For example: "asked at the clinic visit to stop texts".');
    const when = field('Decided on', h('input', { type: 'datetime-local' }), 'Leave empty for now; for a paper form, the date it was signed (your time zone).');
    const button = h('button', { type: 'submit' }, 'Record consent');
    const status = h('div', { 'aria-live': 'polite' });
    const fields = { channel, purpose, source, reason, effective_at: when };
    const form = h('form', { class: 'consent-form', novalidate: true, 'aria-labelledby': 'p-consent-record' },
      h('h3', { id: 'p-consent-record' }, 'Record a verbal or paper opt-in or opt-out'), status, decision,
      h('div', { class: 'grid-2' }, channel.wrap, purpose.wrap, source.wrap, when.wrap), reason.wrap,
      h('div', { class: 'actions' }, button));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      replace(status);
      for (const x of Object.values(fields)) setFieldError(x, '');
      decisionErr.hidden = true;
      if (!optIn.checked && !optOut.checked) {
        decisionErr.textContent = 'Choose opt in or opt out.';
        decisionErr.hidden = false;
        optIn.focus();
        return;
      }
      if (!reason.control.value.trim()) {
        setFieldError(reason, 'Say why (what the patient said or signed).');
        reason.control.focus();
        return;
      }
      const body = {
        channel: channel.control.value, purpose: purpose.control.value, granted: optIn.checked,
        source: source.control.value, reason: reason.control.value.trim(),
      };
      if (when.control.value) {
        const d = new Date(when.control.value);
        if (Number.isNaN(d.getTime())) { setFieldError(when, 'Not a date and time.'); return; }
        body.effective_at = d.toISOString();
      }
      busy(button, async () => {
        try {
          const c = await api('POST', `${base}/consents`, body);
          drawConsent(c);
          notice('Consent recorded.');
          const heading = consent.querySelector('h2');
          if (heading) { heading.tabIndex = -1; heading.focus(); }
        } catch (err) {
          const f = fields[err.field];
          if (err.status === 400 && f) { setFieldError(f, err.message); f.control.focus(); }
          else replace(status, errorBox(err));
        }
      });
    });
    return form;
  }

  // ---- caregivers --------------------------------------------------------------
  async function loadCaregivers() {
    let items;
    try {
      items = ((await api('GET', `${base}/caregivers`)) || {}).items || [];
    } catch (err) {
      replace(caregivers, h('h2', { id: 'p-caregivers' }, 'Caregivers'), errorBox(err));
      return;
    }
    replace(caregivers, h('h2', { id: 'p-caregivers' }, 'Caregivers'),
      items.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Caregivers'),
        h('thead', {}, h('tr', {}, ['Name', 'Relationship', 'Contact', 'Authorized by the patient', 'Consent'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, items.map((c) => h('tr', {},
          h('td', {}, patientName(c)),
          h('td', {}, c.relationship || '—'),
          h('td', {}, [c.phone, c.email].filter(Boolean).join(' · ') || '—', ` (prefers ${label(CHANNELS, c.preferred_channel)})`),
          h('td', {}, c.authorized_at ? ['Yes, ', timeEl(c.authorized_at)] : badge('Not authorized', 'warn')),
          h('td', {}, `SMS ${c.sms_consent ? 'yes' : 'no'}, email ${c.email_consent ? 'yes' : 'no'}`))))))
        : h('p', { class: 'muted' }, 'No caregivers.'));
  }

  // ---- journeys ---------------------------------------------------------------
  async function loadEnrollments() {
    let items;
    try {
      items = ((await api('GET', `${base}/enrollments`)) || {}).items || [];
    } catch (err) {
      replace(journeys, h('h2', { id: 'p-journeys' }, 'Journeys'),
        err.status === 404 || err.status === 405 ? h('p', { class: 'muted' }, 'Journey list not available yet.') : errorBox(err));
      return;
    }
    replace(journeys, h('h2', { id: 'p-journeys' }, 'Journeys'),
      items.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Journeys, newest first'),
        h('thead', {}, h('tr', {}, ['Journey', 'Status', 'Step', 'Outcome', 'Started', 'Ended'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, items.map((e) => h('tr', {},
          h('td', {}, e.journey_title || e.journey),
          h('td', {}, e.status),
          h('td', {}, e.step || (e.status === 'active' ? 'running' : '—')),
          h('td', {}, e.outcome ? [e.outcome, e.outcome_detail ? h('div', { class: 'small muted' }, e.outcome_detail) : null] : '—'),
          h('td', {}, timeEl(e.created_at)),
          h('td', {}, e.completed_at ? timeEl(e.completed_at) : '—'))))))
        : h('p', { class: 'muted' }, 'No journeys yet.'));
  }

  await Promise.all([loadConsent(), loadCaregivers(), loadEnrollments()]);
}
