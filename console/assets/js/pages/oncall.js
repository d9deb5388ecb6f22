// On call: who is on call now (GET /v1/oncall/now) and the weekly roster
// (GET /v1/oncall) as a table by weekday. An admin edits the roster and
// saves it whole (PUT /v1/oncall); the care team reads it.

import { api } from '../api.js';
import { h, replace } from '../ui.js';
import { clearErrors, errorText, field, fieldError, formError, notice, on, showError } from '../fields.js';
import { me } from './launch.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const POLL_MS = 60000; // "now" moves slowly; the roster changes rarely

function levelName(n) {
  return n === 1 ? 'first call' : n === 2 ? 'second call' : n === 3 ? 'third call' : `level ${n}`;
}

export async function render(root, params, ctx) {
  const isAdmin = me(ctx).role === 'admin';
  const status = h('p', { class: 'pg-notice', role: 'status' });
  const nowBox = h('section', { class: 'panel', 'aria-labelledby': 'oncall-now' });
  const rosterBox = h('section', { class: 'panel', 'aria-labelledby': 'oncall-roster' });
  root.append(h('h1', {}, 'On call'), status, nowBox, rosterBox);

  let roster = null;
  let editing = false;

  async function loadNow() {
    try {
      const now = await api('GET', '/v1/oncall/now');
      const chain = now.chain || [];
      replace(nowBox, h('h2', { id: 'oncall-now' }, 'On call now'),
        h('p', {}, `Clinic time: ${now.local} (${now.timezone})`),
        chain.length
          ? h('ol', { class: 'pg-chain' }, chain.map((c) => h('li', {},
            h('strong', {}, c.name), ` — ${c.role || 'staff'}, ${levelName(c.level)}`)))
          : h('p', { class: 'error' }, 'No one is on call now: urgent tasks are not paged.'));
    } catch (err) {
      replace(nowBox, h('h2', { id: 'oncall-now' }, 'On call now'), h('p', { class: 'error' }, errorText(err)));
    }
  }

  async function loadRoster() {
    try {
      roster = await api('GET', '/v1/oncall');
    } catch (err) {
      replace(rosterBox, h('h2', { id: 'oncall-roster' }, 'Weekly roster'), h('p', { class: 'error' }, errorText(err)));
      return;
    }
    if (!editing) showRoster();
  }

  function showRoster() {
    const shifts = roster.shifts || [];
    const rows = DAYS.map((day, wd) => {
      const today = shifts.filter((s) => s.weekday === wd).sort((a, b) => a.level - b.level || a.start.localeCompare(b.start));
      return h('tr', {},
        h('th', { scope: 'row' }, day),
        h('td', {}, today.length
          ? h('ul', { class: 'pg-shifts' }, today.map((s) => h('li', {},
            `${s.start}–${s.end}${s.overnight ? ' (into the next day)' : ''}: `,
            h('strong', {}, s.staff_name || s.staff_id),
            `, ${levelName(s.level)}`,
            s.staff_active === false ? ' (deactivated: not paged)' : '')))
          : h('span', { class: 'muted' }, 'No one')));
    });
    const edit = isAdmin ? on(h('button', { type: 'button' }, 'Edit roster'), 'click', () => startEdit()) : null;
    replace(rosterBox, h('h2', { id: 'oncall-roster' }, 'Weekly roster'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'pg-roster' },
        h('caption', { class: 'pg-caption' }, `Shifts by weekday, clinic time (${roster.timezone})`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), h('th', { scope: 'col' }, 'Shifts'))),
        h('tbody', {}, rows))),
      isAdmin ? h('div', { class: 'actions' }, edit) : h('p', { class: 'help' }, 'Only an admin can change the roster.'));
  }

  async function startEdit() {
    let staff = [];
    try {
      const out = await api('GET', '/v1/staff');
      staff = (out && out.items) || [];
    } catch (err) {
      notice(status, errorText(err), 'error');
      return;
    }
    editing = true;
    const list = h('div', { class: 'pg-shift-list' });
    const noShifts = h('p', { class: 'muted' }, 'No shifts: add one, or save the empty roster to clear it.');
    const form = h('form', { class: 'pg-form', novalidate: '' });

    function addRow(s = { staff_id: staff[0] ? staff[0].id : '', weekday: 1, start: '08:00', end: '20:00', level: 1 }) {
      const who = h('select', {}, staff.map((st) => h('option', { value: st.id }, `${st.name} (${st.role})`)));
      if (s.staff_id && !staff.some((st) => st.id === s.staff_id)) who.append(h('option', { value: s.staff_id }, `${s.staff_name || s.staff_id} (deactivated)`));
      who.value = s.staff_id;
      const day = h('select', {}, DAYS.map((d, wd) => h('option', { value: String(wd) }, d)));
      day.value = String(s.weekday);
      const start = h('input', { type: 'text', inputmode: 'numeric', size: '5', maxlength: '5', placeholder: 'HH:MM' });
      start.value = s.start;
      const end = h('input', { type: 'text', inputmode: 'numeric', size: '5', maxlength: '5', placeholder: 'HH:MM' });
      end.value = s.end;
      const level = h('input', { type: 'number', min: '1', max: '20', step: '1' });
      level.value = String(s.level);
      const remove = h('button', { type: 'button', class: 'pg-link-button' }, 'Remove');
      // Each shift is a group named "Shift N", so "Start" is heard as
      // "Shift 3, Start".
      const tr = h('fieldset', { class: 'pg-shift' }, h('legend', {}),
        field({ label: 'Staff', input: who }), field({ label: 'Day', input: day }),
        field({ label: 'Start', input: start }), field({ label: 'End', input: end }),
        field({ label: 'Level', input: level }),
        h('div', { class: 'pg-shift-remove' }, remove));
      // The API names problems by position: shifts[2].start.
      tr.fields = { staff_id: who, weekday: day, start, end, level };
      on(remove, 'click', () => {
        tr.remove();
        renumber();
        addButton.focus();
      });
      list.append(tr);
      renumber();
      return tr;
    }
    function renumber() {
      noShifts.hidden = list.children.length > 0;
      [...list.children].forEach((tr, i) => {
        for (const [k, input] of Object.entries(tr.fields)) input.dataset.field = `shifts[${i}].${k}`;
        tr.querySelector('legend').textContent = `Shift ${i + 1}`;
        tr.querySelector('.pg-link-button').setAttribute('aria-label', `Remove shift ${i + 1}`);
      });
    }

    const addButton = on(h('button', { type: 'button', class: 'secondary' }, 'Add shift'), 'click', () => {
      const tr = addRow();
      tr.fields.staff_id.focus();
    });
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
    const cancel = on(h('button', { type: 'button', class: 'secondary' }, 'Cancel'), 'click', () => {
      editing = false;
      showRoster();
    });
    for (const s of roster.shifts || []) addRow(s);
    form.append(
      h('p', { class: 'help' }, `Times are the clinic's (${roster.timezone}), written HH:MM. An end of 24:00 is midnight; an end before the start runs overnight into the next day. Level 1 is first call, 2 is paged when 1 does not answer, and so on. Saving replaces the whole roster.`),
      list,
      noShifts,
      formError(),
      h('div', { class: 'actions' }, addButton, save, cancel));
    on(form, 'submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const shifts = [...list.children].map((tr) => ({
        staff_id: tr.fields.staff_id.value,
        weekday: Number(tr.fields.weekday.value),
        start: tr.fields.start.value.trim(),
        end: tr.fields.end.value.trim(),
        level: Number(tr.fields.level.value),
      }));
      const bad = [...list.children].find((tr) => !/^\d\d:\d\d$/.test(tr.fields.start.value.trim()));
      if (bad) {
        fieldError(bad.fields.start, 'must be a time HH:MM').focus();
        return;
      }
      save.disabled = true;
      try {
        roster = await api('PUT', '/v1/oncall', { shifts });
        editing = false;
        showRoster();
        notice(status, 'Roster saved.', 'ok');
        loadNow();
      } catch (err) {
        if (err && err.status !== 401) showError(form, err);
      } finally {
        save.disabled = false;
      }
    });
    replace(rosterBox, h('h2', { id: 'oncall-roster' }, 'Weekly roster'), form);
    (list.querySelector('select') || addButton).focus();
  }

  await Promise.all([loadNow(), loadRoster()]);
  const tick = async () => {
    await loadNow();
    if (!editing) await loadRoster();
  };
  if (ctx.poll) ctx.poll(tick, POLL_MS);
  else {
    const t = setInterval(tick, POLL_MS);
    ctx.onLeave(() => clearInterval(t));
  }
}
