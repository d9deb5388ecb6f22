// Users (admin only): the people who sign in, a form to add one with a
// role, and per person: change role, deactivate or reactivate, reset the
// second factor.

import { api } from '../api.js';
import { h, replace } from '../ui.js';
import { clearErrors, errorText, field, formError, notice, on, showError } from '../fields.js';
import { me } from './launch.js';

const ROLES = [
  ['care_team', 'Care team'],
  ['read_only', 'Read-only (managers)'],
  ['admin', 'Admin'],
];
const roleName = (r) => (ROLES.find((x) => x[0] === r) || [r, r])[1];

// TOTP_RESET is where an admin removes a person's second factor.
const totpReset = (id) => `/v1/users/${encodeURIComponent(id)}/totp`;

export async function render(root, params, ctx) {
  const self = me(ctx);
  if (self.role !== 'admin') {
    root.append(h('h1', {}, 'Not allowed'), h('p', {}, 'Only an admin can manage users.'));
    return;
  }
  const status = h('p', { class: 'pg-notice', role: 'status' });
  const listBox = h('section', { class: 'panel', 'aria-labelledby': 'users-list' });
  root.append(h('h1', {}, 'Users'), status, listBox);

  async function load() {
    let items;
    try {
      const out = await api('GET', '/v1/users?limit=500');
      items = (out && out.items) || [];
    } catch (err) {
      replace(listBox, h('h2', { id: 'users-list' }, 'People'), h('p', { class: 'error' }, errorText(err)));
      return;
    }
    items.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
    replace(listBox, h('h2', { id: 'users-list' }, 'People'),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('caption', { class: 'pg-caption' }, `${items.length} ${items.length === 1 ? 'person' : 'people'}`),
        h('thead', {}, h('tr', {}, ['Person', 'Role', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, items.map(row)))));
  }

  function row(u) {
    const isSelf = u.id === self.id;
    const role = h('select', { 'aria-label': `Role of ${u.name}` }, ROLES.map(([v, t]) => h('option', { value: v }, t)));
    role.value = u.role;
    role.disabled = isSelf || !u.active;
    on(role, 'change', () => patch(u, { role: role.value }, `${u.name} is now ${roleName(role.value)}.`, () => { role.value = u.role; }));
    const toggle = h('button', { type: 'button', class: 'secondary' }, u.active ? 'Deactivate' : 'Reactivate');
    toggle.setAttribute('aria-label', `${u.active ? 'Deactivate' : 'Reactivate'} ${u.name}`);
    toggle.disabled = isSelf;
    on(toggle, 'click', () => {
      if (u.active && !window.confirm(`Deactivate ${u.name}? Their sessions end now.`)) return;
      patch(u, { active: !u.active }, `${u.name} is ${u.active ? 'deactivated' : 'active again'}.`);
    });
    const reset = h('button', { type: 'button', class: 'secondary' }, 'Reset two-step sign-in');
    reset.setAttribute('aria-label', `Reset two-step sign-in of ${u.name}`);
    on(reset, 'click', async () => {
      if (!window.confirm(`Remove ${u.name}'s authenticator? They sign in with the password alone until they set up a new one.`)) return;
      try {
        await api('DELETE', totpReset(u.id));
        notice(status, `${u.name}'s two-step sign-in is reset.`, 'ok');
      } catch (err) {
        if (err && err.status !== 401) notice(status, errorText(err), 'error');
      }
    });
    return h('tr', { class: u.active ? '' : 'pg-row-inactive' },
      h('th', { scope: 'row' }, u.name, isSelf ? ' (you)' : '', u.active ? '' : ' (deactivated)',
        h('span', { class: 'pg-sub' }, u.email)),
      h('td', {}, role),
      h('td', { class: 'pg-row-actions' }, toggle, ' ', reset));
  }

  async function patch(u, body, done, undo) {
    try {
      await api('PATCH', `/v1/users/${encodeURIComponent(u.id)}`, body);
      notice(status, done, 'ok');
      await load();
    } catch (err) {
      if (undo) undo();
      if (err && err.status !== 401) notice(status, errorText(err), 'error');
    }
  }

  // Adding a person.
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'off', required: true });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'off', required: true });
  const role = h('select', { name: 'role' }, ROLES.map(([v, t]) => h('option', { value: v }, t)));
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: '12', required: true });
  const create = h('button', { type: 'submit', class: 'primary' }, 'Create user');
  const form = h('form', { class: 'pg-form', novalidate: '' },
    field({ label: 'Name', input: name, name: 'name' }),
    field({ label: 'Email', input: email, name: 'email' }),
    field({ label: 'Role', input: role, name: 'role', help: 'Care team works tasks and patients; read-only sees everything and changes nothing; admin also manages people, keys and the roster.' }),
    field({ label: 'Password', input: password, name: 'password', help: 'At least 12 characters. Give it to the person through a safe channel; they can add a second factor on their Account page.' }),
    formError(),
    h('div', { class: 'actions' }, create));
  on(form, 'submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    create.disabled = true;
    try {
      const u = await api('POST', '/v1/users', { name: name.value.trim(), email: email.value.trim(), role: role.value, password: password.value });
      form.reset();
      notice(status, `${u.name} can sign in now as ${roleName(u.role)}.`, 'ok');
      await load();
    } catch (err) {
      if (err && err.status !== 401) showError(form, err);
    } finally {
      create.disabled = false;
    }
  });
  root.append(h('section', { class: 'panel', 'aria-labelledby': 'users-new' }, h('h2', { id: 'users-new' }, 'Add a person'), form));

  await load();
}
