// Bulk launch by segment: a dry run first (POST /v1/enrollments/batch with
// "dry_run": true) shows who would be messaged, who would be skipped and
// why, and the expected message count; then "Launch" sends the same
// selection for real and the page follows the job
// (GET /v1/enrollments/batch/:job) until it is done.

import { api } from '../api.js';
import { h, replace } from '../ui.js';
import { clearErrors, errorText, field, formError, journeyLabel, notice, on, paramInputs, showError } from '../fields.js';
import { canChange, loadJourneys } from './launch.js';
import { reasonText } from './timeline.js';

const POLL_MS = 2000;

// dryRunView reads a dry run's answer: the patients who would be messaged
// and those skipped (each with a reason, and whether they would still be
// enrolled), the messages each launch sends before a reply, and the
// expected messages.
function dryRunView(out) {
  const list = (v) => (Array.isArray(v) ? v : []);
  const would = list(out.would_message);
  const skipped = list(out.skipped);
  const c = out.counts || {};
  const expected = Number.isFinite(out.expected_messages) ? out.expected_messages : would.length;
  return { would, skipped, expected, each: out.messages_each, total: c.patients ?? would.length + skipped.length };
}

function who(p) {
  return h('a', { href: `/console/patients/${encodeURIComponent(p.patient_id)}` }, p.display_name || p.patient_id);
}

function patientTable(caption, rows, columns, cells) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length
        ? rows.map((r) => h('tr', {}, cells(r).map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))
        : h('tr', {}, h('td', { colspan: String(columns.length) }, 'None')))));
}

export async function render(root, params, ctx) {
  const status = h('p', { class: 'pg-notice', role: 'status' });
  root.append(h('h1', {}, 'Bulk launch'), status);

  let journeys = [];
  try {
    journeys = await loadJourneys();
  } catch (err) {
    notice(status, errorText(err), 'error');
    return;
  }

  const journey = h('select', { name: 'journey' }, journeys.map((j) => h('option', { value: j.name }, journeyLabel(j.name))));
  const tag = h('input', { type: 'text', name: 'tag', autocomplete: 'off', spellcheck: 'false' });
  const condition = h('input', { type: 'text', name: 'condition', autocomplete: 'off', spellcheck: 'false' });
  const paramsBox = h('fieldset', { class: 'pg-params' });
  const dryRun = h('button', { type: 'submit', class: 'primary' }, 'Dry run');
  const launch = h('button', { type: 'button' }, 'Launch');
  launch.disabled = true;
  const results = h('section', { class: 'pg-results', 'aria-live': 'polite' });
  const progress = h('section', { class: 'pg-progress' });
  const form = h('form', { class: 'pg-form', novalidate: '' },
    field({ label: 'Journey', input: journey, name: 'journey' }),
    h('fieldset', {},
      h('legend', {}, 'Patients'),
      h('p', { class: 'help' }, 'Patients with the tag, the condition, or both when both are given. A condition matches its code and every code under it ("E11" is every type 2 diabetes code).'),
      field({ label: 'Tag', input: tag, name: 'segment.tag', help: 'e.g. diabetes-panel' }),
      field({ label: 'Condition', input: condition, name: 'segment.condition', help: 'An ICD-10 code or category, e.g. E11 or E11.9' })),
    paramsBox,
    formError(),
    h('div', { class: 'actions' }, dryRun, launch));

  let inputs = null;
  let checked = null; // the selection the last dry run was for
  function showParams() {
    const j = journeys.find((x) => x.name === journey.value) || journeys[0];
    inputs = j ? paramInputs(j.params) : { nodes: [], values: () => ({}) };
    replace(paramsBox, h('legend', {}, j ? `Parameters of ${journeyLabel(j.name)}` : 'Parameters'),
      ...(inputs.nodes.length ? inputs.nodes : [h('p', { class: 'help' }, 'This journey has no parameters.')]));
  }
  function selectionChanged() {
    if (checked) {
      checked = null;
      launch.disabled = true;
      replace(results, h('p', { class: 'pg-notice' }, 'The selection changed: run the dry run again before launching.'));
    }
  }
  on(journey, 'change', () => {
    showParams();
    selectionChanged();
  });
  on(form, 'input', (ev) => {
    if (ev.target !== journey) selectionChanged();
  });
  showParams();

  // request builds the batch request from the form, or null when a field
  // is invalid (marked at the field).
  function request() {
    clearErrors(form);
    const values = inputs.values();
    if (!values) return null;
    const segment = {};
    if (tag.value.trim()) segment.tag = tag.value.trim();
    if (condition.value.trim()) segment.condition = condition.value.trim();
    if (!segment.tag && !segment.condition) {
      showError(form, { field: 'segment.tag', message: 'Give a tag, a condition or both.' });
      return null;
    }
    return { journey: journey.value, params: values, segment };
  }

  function routeError(err) {
    // "segment" errors belong to the tag/condition pair: show at Tag.
    if (err && err.field === 'segment') err = { ...err, field: 'segment.tag', message: err.message };
    showError(form, err);
  }

  on(form, 'submit', async (ev) => {
    ev.preventDefault();
    const req = request();
    if (!req) return;
    dryRun.disabled = true;
    launch.disabled = true;
    replace(results, h('p', {}, 'Checking the segment…'));
    try {
      const out = await api('POST', '/v1/enrollments/batch', { ...req, dry_run: true });
      const v = dryRunView(out || {});
      checked = JSON.stringify(req);
      replace(results,
        h('h2', {}, 'Dry run'),
        h('p', { class: 'pg-expected' }, `Expected messages: ${v.expected}`),
        h('p', {}, `${v.total} patient${v.total === 1 ? '' : 's'} in the segment: ${v.would.length} would be messaged, ${v.skipped.length} skipped.`,
          Number.isFinite(v.each) ? ` The journey sends ${v.each} message${v.each === 1 ? '' : 's'} to each patient before a reply.` : ''),
        h('h3', {}, 'Would be messaged'),
        patientTable('Would be messaged', v.would, ['Patient', 'Channel'], (p) => [who(p), p.channel === 'email' ? 'Email' : p.channel === 'sms' ? 'SMS' : p.channel || '']),
        h('h3', {}, 'Skipped'),
        patientTable('Skipped', v.skipped, ['Patient', 'Reason', 'Enrolled'], (p) => [who(p), reasonText(p.reason) || 'no reason given',
          p.would_enroll ? 'yes, but not messaged' : 'no']));
      // Nothing to launch when every patient would be skipped outright.
      const launchable = v.would.length + v.skipped.filter((p) => p.would_enroll).length;
      launch.disabled = !canChange(ctx) || launchable === 0;
      if (!launchable) results.append(h('p', { class: 'muted' }, 'Nobody would be enrolled: nothing to launch.'));
      if (!canChange(ctx)) results.append(h('p', { class: 'pg-notice' }, 'Your role can run a dry run but not launch.'));
    } catch (err) {
      if (err && err.status === 401) return;
      replace(results);
      routeError(err);
    } finally {
      dryRun.disabled = false;
    }
  });

  let timer = null;
  ctx.onLeave(() => clearInterval(timer));

  on(launch, 'click', async () => {
    const req = request();
    if (!req || JSON.stringify(req) !== checked) {
      if (req) notice(status, 'The selection changed since the dry run: run it again first.', 'error');
      launch.disabled = true;
      return;
    }
    launch.disabled = true;
    dryRun.disabled = true;
    try {
      const job = await api('POST', '/v1/enrollments/batch', req);
      checked = null;
      showJob(job);
      clearInterval(timer);
      timer = setInterval(async () => {
        try {
          const j = await api('GET', `/v1/enrollments/batch/${encodeURIComponent(job.id)}`);
          showJob(j);
          if (j.status !== 'running') clearInterval(timer);
        } catch (err) {
          clearInterval(timer);
          notice(status, errorText(err), 'error');
        }
      }, POLL_MS);
    } catch (err) {
      if (err && err.status === 401) return;
      routeError(err);
      launch.disabled = false;
    } finally {
      dryRun.disabled = false;
    }
  });

  function showJob(job) {
    const c = job.counts || {};
    const total = (c.pending || 0) + (c.launched || 0) + (c.skipped || 0) + (c.failed || 0);
    const done = total - (c.pending || 0);
    const bar = h('progress', { max: String(total || 1), value: String(done), 'aria-labelledby': 'bulk-progress-label' });
    const problems = job.problems || [];
    replace(progress,
      h('h2', {}, 'Launch'),
      h('p', { id: 'bulk-progress-label' }, `${journeyLabel(job.journey)}: ${job.status}, ${done} of ${total} done`),
      bar,
      h('p', {}, `Launched ${c.launched || 0}, skipped ${c.skipped || 0}, failed ${c.failed || 0}, waiting ${c.pending || 0}.`),
      job.failure ? h('p', { class: 'error' }, job.failure) : null,
      problems.length ? patientTable('Not launched', problems, ['Patient', 'Status', 'Reason'], (p) => [who(p), p.status, reasonText(p.reason)]) : null);
  }

  root.append(form, results, progress);
}
