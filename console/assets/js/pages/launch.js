// Launch a journey for one patient: a form generated from the catalogue's
// typed params (GET /v1/journeys), POST /v1/patients/:id/enrollments.
// The API's validation errors are shown at the field they name.

import { api } from '../api.js';
import { h, replace, timeEl } from '../ui.js';
import { clearErrors, errorText, field, formError, journeyLabel, notice, on, paramInputs, showError } from '../fields.js';

// me is the signed-in person (the session's user).
export function me(ctx) {
  return ctx.user || {};
}

// canChange: read-only people may look but not launch.
export function canChange(ctx) {
  const role = me(ctx).role;
  return role === 'admin' || role === 'care_team';
}

// patientName is "Given Family" or the ID when the name is unknown.
export function patientName(p, id) {
  const n = p ? [p.given_name, p.family_name].filter(Boolean).join(' ') : '';
  return n || id || 'Unknown patient';
}

// loadJourneys returns the catalogue's journeys.
export async function loadJourneys() {
  const out = await api('GET', '/v1/journeys');
  return (out && out.items) || [];
}

export async function render(root, params, ctx) {
  const id = params.id;
  const status = h('p', { class: 'pg-notice', role: 'status' });
  root.append(h('h1', {}, 'Launch a journey'), status);

  let patient = null;
  let journeys = [];
  let enrollments = null; // null: this server cannot list them
  try {
    [patient, journeys, enrollments] = await Promise.all([
      api('GET', `/v1/patients/${encodeURIComponent(id)}`),
      loadJourneys(),
      api('GET', `/v1/patients/${encodeURIComponent(id)}/enrollments?limit=100`).then((o) => (o && o.items) || [], () => null),
    ]);
  } catch (err) {
    notice(status, errorText(err), 'error');
    return;
  }
  root.append(h('p', { class: 'pg-lead' }, 'For ',
    h('a', { href: `/console/patients/${encodeURIComponent(id)}` }, patientName(patient, id))));
  const existing = new Set(); // active enrollments a launch would only find
  const running = h('section', { class: 'panel', 'aria-labelledby': 'launch-active' });
  function showRunning() {
    const active = (enrollments || []).filter((e) => e.status === 'active');
    for (const e of active) existing.add(e.id);
    replace(running, h('h2', { id: 'launch-active' }, 'Running now'),
      active.length
        ? h('ul', {}, active.map((e) => h('li', {}, journeyLabel(e.journey), e.key ? ` (${e.key})` : '', ', since ', timeEl(e.created_at))))
        : h('p', { class: 'muted' }, 'No journey is running for this patient.'));
  }
  if (enrollments) {
    showRunning();
    root.append(running);
  }
  if (!journeys.length) {
    notice(status, 'The catalogue has no journeys.', 'error');
    return;
  }

  const select = h('select', { name: 'journey' }, journeys.map((j) => h('option', { value: j.name }, journeyLabel(j.name))));
  const about = h('p', { class: 'help', id: 'journey-about' });
  const paramsBox = h('fieldset', { class: 'pg-params' });
  const key = h('input', { type: 'text', name: 'key', autocomplete: 'off', maxlength: '200' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Launch');
  const result = h('div', { class: 'pg-result', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'pg-form', novalidate: '' },
    field({ label: 'Journey', input: select, name: 'journey' }),
    about,
    paramsBox,
    field({ label: 'Key (optional)', input: key, name: 'key', help: 'Only for journeys a patient may run several of at once, e.g. one check-in per visit: the visit ID.' }),
    formError(),
    h('div', { class: 'actions' }, submit));
  select.setAttribute('aria-describedby', `${select.getAttribute('aria-describedby')} journey-about`);

  let inputs = null;
  const launched = new Set(); // enrollments this page made
  function showJourney() {
    const j = journeys.find((x) => x.name === select.value) || journeys[0];
    const n = j.opening_messages;
    about.textContent = [j.description, Number.isFinite(n) && n > 0 ? `It sends ${n} message${n === 1 ? '' : 's'} before the patient's first reply.` : '']
      .filter(Boolean).join(' ');
    inputs = paramInputs(j.params);
    replace(paramsBox, h('legend', {}, `Parameters of ${journeyLabel(j.name)}`),
      ...(inputs.nodes.length ? inputs.nodes : [h('p', { class: 'help' }, 'This journey has no parameters.')]));
    clearErrors(form);
  }
  on(select, 'change', showJourney);
  showJourney();

  if (!canChange(ctx)) {
    submit.disabled = true;
    form.prepend(h('p', { class: 'pg-notice' }, 'Your role can read but not launch journeys.'));
  }

  on(form, 'submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    replace(result);
    const values = inputs.values();
    if (!values) return;
    submit.disabled = true;
    try {
      const body = { journey: select.value, params: values };
      if (key.value.trim()) body.key = key.value.trim();
      const enr = await api('POST', `/v1/patients/${encodeURIComponent(id)}/enrollments`, body);
      // The API answers an active enrollment of the same journey (and key)
      // instead of a new one: one running before, or one this page made.
      // Without the enrollments list, an old start time tells.
      const fresh = !existing.has(enr.id) && !launched.has(enr.id) &&
        (enrollments !== null || !enr.created_at || Date.now() - new Date(enr.created_at).getTime() < 60e3);
      launched.add(enr.id);
      if (enrollments && fresh) {
        enrollments = await api('GET', `/v1/patients/${encodeURIComponent(id)}/enrollments?limit=100`).then((o) => (o && o.items) || [], () => enrollments);
        showRunning();
      }
      replace(result,
        h('p', { class: fresh ? 'success' : 'pg-notice muted' },
          fresh ? `Launched ${journeyLabel(enr.journey)} (${enr.status}).` : `${patientName(patient, id)} is already in ${journeyLabel(enr.journey)} (${enr.status}); nothing new was launched.`),
        h('p', {}, h('a', { href: `/console/patients/${encodeURIComponent(id)}/timeline` }, 'See the timeline')));
    } catch (err) {
      if (err && err.status === 401) return;
      showError(form, err);
    } finally {
      submit.disabled = !canChange(ctx);
    }
  });

  root.append(form, result);
}
