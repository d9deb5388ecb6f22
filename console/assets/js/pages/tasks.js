// tasks.js: the inbox (the landing page). Urgent first, escalated ones
// marked, due times counting down; filters; new urgent tasks announced.

import { api, query } from '../api.js';
import { h, replace, select, field, priorityBadge, badge, dueText, timeEl, ago, errorBox, errorText, announce, patientName } from '../ui.js';

const PRIORITY_RANK = { urgent: 0, high: 1, normal: 2, low: 3 };
const SHOW = [['all', 'All'], ['mine', 'Mine'], ['unassigned', 'Unassigned']];
const STATUS = [['active', 'Open and acknowledged'], ['open', 'Open'], ['acknowledged', 'Acknowledged'], ['resolved', 'Resolved']];
const PRIORITY = [['', 'Any'], ['urgent', 'Urgent'], ['high', 'High'], ['normal', 'Normal'], ['low', 'Low']];

// order is the server's inbox order, for merging two status lists:
// priority, then most escalated, then soonest due, then oldest.
function order(a, b) {
  return (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9)
    || (b.escalation_level || 0) - (a.escalation_level || 0)
    || time(a.due_at || a.acknowledge_by, Infinity) - time(b.due_at || b.acknowledge_by, Infinity)
    || time(a.created_at, 0) - time(b.created_at, 0);
}

function time(iso, missing) { return iso ? new Date(iso).getTime() : missing; }

function filtersFromURL() {
  const q = new URLSearchParams(location.search);
  return {
    show: q.get('show') || 'all',
    status: q.get('status') || 'active',
    priority: q.get('priority') || '',
    reason: q.get('reason') || '',
  };
}

export async function render(root, params, ctx) {
  const f = filtersFromURL();
  const knownReasons = new Set(f.reason ? [f.reason] : []);
  const seen = new Set();
  let first = true;
  let lastItems = [];
  // Patients' names, read once per visit (each read is audited) and only
  // for the tasks shown.
  const names = new Map();

  const show = field('Show', select(SHOW, f.show, { name: 'show' }));
  const status = field('Status', select(STATUS, f.status, { name: 'status' }));
  const priority = field('Priority', select(PRIORITY, f.priority, { name: 'priority' }));
  const reasonSel = select([['', 'Any']], f.reason, { name: 'reason' });
  const reason = field('Reason', reasonSel);
  const filters = h('form', { class: 'row filters', role: 'search', 'aria-label': 'Filter tasks' },
    show.wrap, status.wrap, priority.wrap, reason.wrap);
  const summary = h('p', { class: 'muted small', 'aria-live': 'off' });
  const list = h('div', { class: 'task-list' });
  root.append(h('h1', {}, 'Tasks'), filters, summary, list);

  const fillReasons = () => {
    const current = reasonSel.value || f.reason;
    replace(reasonSel, h('option', { value: '' }, 'Any'),
      [...knownReasons].sort().map((r) => h('option', { value: r, selected: r === current }, r)));
  };
  fillReasons();

  const onChange = () => {
    f.show = show.control.value;
    f.status = status.control.value;
    f.priority = priority.control.value;
    f.reason = reasonSel.value;
    const q = query({ show: f.show === 'all' ? '' : f.show, status: f.status === 'active' ? '' : f.status, priority: f.priority, reason: f.reason });
    history.replaceState(null, '', location.pathname + q);
    first = true;
    load();
  };
  filters.addEventListener('change', onChange);
  filters.addEventListener('submit', (ev) => ev.preventDefault());

  async function fetchTasks() {
    const base = {
      assigned_to: { mine: 'me', unassigned: 'none' }[f.show] || '',
      priority: f.priority, reason: f.reason,
    };
    const statuses = f.status === 'active' ? ['open', 'acknowledged'] : [f.status];
    const lists = await Promise.all(statuses.map((s) => api('GET', '/v1/tasks' + query({ ...base, status: s }))));
    const items = lists.flatMap((l) => (l && l.items) || []);
    return items.sort(order);
  }

  async function load() {
    let items;
    try {
      items = await fetchTasks();
    } catch (err) {
      // Say the list is stale rather than show an old list as current.
      if (first) replace(list, errorBox(err));
      else replace(summary, h('span', { class: 'error' }, `Not updated: ${errorText(err)}`));
      return;
    }
    if (!ctx.active()) return;
    const urgentNew = items.filter((t) => !seen.has(t.id) && t.priority === 'urgent' && t.status === 'open');
    if (!first && urgentNew.length) {
      const n = urgentNew.length;
      announce(n === 1 ? `New urgent task: ${urgentNew[0].reason}` : `${n} new urgent tasks`);
    }
    for (const t of items) {
      seen.add(t.id);
      if (t.reason && !knownReasons.has(t.reason)) knownReasons.add(t.reason);
    }
    if (document.activeElement !== reasonSel) fillReasons();
    lastItems = items;
    draw(items);
    first = false;
    lookUpNames(items);
  }

  async function lookUpNames(items) {
    const wanted = [...new Set(items.map((t) => t.patient_id).filter((id) => id && !names.has(id)))].slice(0, 25);
    if (!wanted.length) return;
    for (const id of wanted) names.set(id, null);
    await Promise.all(wanted.map(async (id) => {
      try {
        names.set(id, patientName(await api('GET', `/v1/patients/${encodeURIComponent(id)}`)));
      } catch {
        names.delete(id);
      }
    }));
    if (ctx.active()) draw(lastItems);
  }

  function draw(items) {
    const now = Date.now();
    const urgent = items.filter((t) => t.priority === 'urgent' && t.status !== 'resolved').length;
    replace(summary, `${items.length} task${items.length === 1 ? '' : 's'}`,
      urgent ? `, ${urgent} urgent` : '', ` · updated ${new Date(now).toLocaleTimeString()}`);
    if (!items.length) {
      replace(list, h('p', { class: 'panel' }, 'No tasks match these filters.'));
      return;
    }
    const rows = items.map((t) => {
      const due = t.due_at || t.acknowledge_by;
      const overdue = t.status === 'open' && due && new Date(due).getTime() < now;
      return h('tr', { class: [t.priority === 'urgent' && 'urgent', t.escalated && 'escalated'], dataset: { id: t.id } },
        h('td', {}, priorityBadge(t.priority), ' ', (t.escalated || t.escalation_level > 0) ? badge('Escalated', 'escalated') : null),
        h('td', {}, h('a', { href: `/console/tasks/${encodeURIComponent(t.id)}` }, t.reason || 'Task')),
        h('td', {}, t.patient_id ? (names.get(t.patient_id) || h('span', { class: 'muted' }, '…')) : h('span', { class: 'muted' }, 'Unknown sender')),
        h('td', {}, statusLabel(t.status)),
        h('td', { class: overdue ? 'overdue' : '' }, t.status === 'open' && due ? [dueText(due, now), h('br'), h('span', { class: 'muted small' }, timeEl(due))] : '—'),
        h('td', {}, t.assigned_name || (t.assigned_to ? 'Someone' : h('span', { class: 'muted' }, 'Unassigned'))),
        h('td', { class: 'hide-narrow' }, h('span', { title: new Date(t.created_at).toLocaleString() }, ago(t.created_at, now))));
    });
    replace(list, h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, 'Tasks, most urgent first'),
      h('thead', {}, h('tr', {}, ['Priority', 'Reason', 'Patient', 'Status', 'Due', 'Assigned to'].map((c) => h('th', { scope: 'col' }, c)),
        h('th', { scope: 'col', class: 'hide-narrow' }, 'Raised'))),
      h('tbody', {}, rows))));
  }

  await load();
  ctx.poll(load, 5000);
}

function statusLabel(s) {
  return { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' }[s] || s;
}
