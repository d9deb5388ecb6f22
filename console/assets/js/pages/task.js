// task.js: one task — why it was raised, the message behind it, its
// history — and what a nurse does with it: take it, acknowledge, resolve.

import { api } from '../api.js';
import {
  h, replace, field, priorityBadge, badge, dueText, timeEl, errorBox, errorText,
  busy, notice, patientName,
} from '../ui.js';

const KIND = {
  raised: 'Raised', notified: 'Notified', escalated: 'Escalated', acknowledged: 'Acknowledged',
  resolved: 'Resolved', note: 'Note', assigned: 'Assigned', unassigned: 'Unassigned',
};

export async function render(root, params, ctx) {
  const id = params.id;
  const path = `/v1/tasks/${encodeURIComponent(id)}`;
  const canAct = ctx.user.role !== 'read_only';
  root.append(h('h1', {}, 'Task'));
  const status = h('div', { 'aria-live': 'polite' });
  const summary = h('section', { class: 'panel', 'aria-labelledby': 'task-summary' });
  const messageSec = h('section', { class: 'panel', 'aria-labelledby': 'task-message' });
  const actions = h('section', { class: 'panel', 'aria-labelledby': 'task-actions', hidden: !canAct });
  const historySec = h('section', { class: 'panel', 'aria-labelledby': 'task-history' });
  root.append(status, summary, messageSec, actions, historySec);

  let task;
  try {
    task = await api('GET', path);
  } catch (err) {
    root.append(errorBox(err));
    summary.remove(); messageSec.remove(); actions.remove(); historySec.remove();
    return;
  }

  let patient = null;
  if (task.patient_id) {
    try {
      patient = await api('GET', `/v1/patients/${encodeURIComponent(task.patient_id)}`);
    } catch { /* the task still shows; the link says "Patient" */ }
  }

  const assignBtn = h('button', { type: 'button' }, 'Assign to me');
  const unassignBtn = h('button', { type: 'button', class: 'secondary' }, 'Unassign');
  const ackBtn = h('button', { type: 'button' }, 'Acknowledge');
  const note = field('Resolution note', h('textarea', { name: 'note', rows: '3', maxlength: '2000' }),
    'What was done: who was called, what was decided.');
  const resolveBtn = h('button', { type: 'submit' }, 'Resolve');
  const resolveForm = h('form', { class: 'resolve-form', novalidate: true }, note.wrap, h('div', { class: 'actions' }, resolveBtn));
  const actionState = h('p', { class: 'muted' });
  replace(actions, h('h2', { id: 'task-actions' }, 'Actions'), actionState,
    h('div', { class: 'actions' }, assignBtn, unassignBtn, ackBtn), resolveForm);

  const change = (button, method, sub, body, done) => busy(button, async () => {
    replace(status);
    try {
      task = { ...task, ...(await api(method, path + sub, body)) };
      draw();
      notice(done);
    } catch (err) {
      replace(status, errorBox(err));
    }
  });
  assignBtn.addEventListener('click', () => change(assignBtn, 'POST', '/assign', { user_id: 'me' }, 'Task assigned to you.'));
  unassignBtn.addEventListener('click', () => change(unassignBtn, 'POST', '/assign', { user_id: '' }, 'Task unassigned.'));
  ackBtn.addEventListener('click', () => change(ackBtn, 'POST', '/acknowledge', undefined, 'Task acknowledged.'));
  resolveForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    change(resolveBtn, 'POST', '/resolve', { note: note.control.value.trim() }, 'Task resolved.');
  });

  function draw() {
    const resolved = task.status === 'resolved';
    const mine = task.assigned_to && task.assigned_to === ctx.user.id;
    const due = task.acknowledge_by || task.due_at;
    const escalated = task.escalated || task.escalation_level > 0;
    const rows = [
      ['Reason', task.reason],
      ['Priority', [priorityBadge(task.priority), escalated ? [' ', badge('Escalated', 'escalated'), ` (level ${task.escalation_level})`] : null]],
      ['Status', statusText(task)],
      ['Patient', task.patient_id ? h('a', { href: `/console/patients/${encodeURIComponent(task.patient_id)}` }, patient ? patientName(patient) : 'Patient') : 'No patient (an unknown or shared number)'],
      ['Raised', timeEl(task.created_at)],
      task.status === 'open' && due ? ['Acknowledge by', [timeEl(due), ' — ', h('strong', {}, dueText(due))]] : null,
      ['Assigned to', mine ? 'You' : (task.assigned_name || (task.assigned_to ? 'Another team member' : 'Nobody'))],
      task.acknowledged_at ? ['Acknowledged', [timeEl(task.acknowledged_at), task.acknowledged_by ? ` by ${actorLabel(task.acknowledged_by, ctx.user)}` : '']] : null,
      task.ack_code ? ['Page code', `ACK ${task.ack_code}`] : null,
      task.note ? ['Note', task.note] : null,
      task.resolved_at ? ['Resolved', timeEl(task.resolved_at)] : null,
      task.resolved_note ? ['Resolution note', task.resolved_note] : null,
    ].filter(Boolean);
    replace(summary, h('h2', { id: 'task-summary' }, 'Summary'),
      h('dl', { class: 'details' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      task.patient_id ? h('p', { class: 'actions' },
        h('a', { class: 'button', href: `/console/patients/${encodeURIComponent(task.patient_id)}/conversation` }, 'Reply to patient'),
        h('a', { class: 'button secondary', href: `/console/patients/${encodeURIComponent(task.patient_id)}/timeline` }, 'Timeline')) : null);

    const m = task.message;
    replace(messageSec, h('h2', { id: 'task-message' }, 'Message'),
      m ? [
        h('p', { class: 'muted small' }, `${m.direction === 'inbound' ? 'From the patient' : 'To the patient'} by ${channelLabel(m.channel)}, `, timeEl(m.received_at)),
        h('blockquote', { class: 'quote' }, m.body),
      ] : h('p', { class: 'muted' }, 'No message is behind this task.'));

    assignBtn.hidden = mine;
    assignBtn.disabled = resolved;
    unassignBtn.hidden = !task.assigned_to;
    unassignBtn.disabled = resolved;
    ackBtn.disabled = resolved || task.status === 'acknowledged';
    resolveForm.hidden = resolved;
    replace(actionState, resolved ? 'This task is resolved.' : task.status === 'acknowledged' ? 'Acknowledged: resolve it with a note when done.' : 'Acknowledge to stop the escalation.');

    const events = task.history || [];
    replace(historySec, h('h2', { id: 'task-history' }, 'History'),
      events.length ? h('ol', { class: 'history' }, events.map((e) => h('li', {},
        h('strong', {}, KIND[e.kind] || e.kind), ' · ', timeEl(e.at),
        e.actor ? h('span', { class: 'muted' }, ` · ${actorLabel(e.actor, ctx.user)}`) : null,
        e.detail ? h('div', { class: 'small' }, e.detail) : null)))
        : h('p', { class: 'muted' }, 'No history yet.'));
  }
  draw();

  // Others work the same task: keep its state and history current, but
  // never touch the note being typed.
  ctx.poll(async () => {
    try {
      task = await api('GET', path);
      draw();
    } catch (err) {
      replace(status, h('p', { class: 'error' }, errorText(err)));
    }
  }, 5000);
}

function statusText(t) {
  return { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' }[t.status] || t.status;
}

function channelLabel(c) {
  return { sms: 'SMS', email: 'email' }[c] || c || 'message';
}

// actorLabel names who did something without exposing IDs needlessly.
export function actorLabel(actor, me) {
  if (!actor) return '';
  const [kind, id] = actor.split(':', 2);
  if (kind === 'user') return me && id === me.id ? 'you' : 'a team member';
  if (kind === 'staff') return 'on-call staff (by text)';
  if (kind === 'api_key') return 'an API key';
  if (kind === 'webhook') return 'the messaging provider';
  if (kind === 'workflow' || kind === 'system' || kind === 'journey') return 'carepath';
  return kind;
}
