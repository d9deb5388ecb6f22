// Account: who is signed in, two-step sign-in (TOTP) set-up, confirm and
// removal, and signing out. The secret is shown as text in groups of four
// for typing into an authenticator app, with the otpauth URI for apps that
// take one (no QR library in the console).

import { api, setCsrfToken } from '../api.js';
import { h, replace } from '../ui.js';
import { clearErrors, errorText, field, formError, notice, on, showError } from '../fields.js';
import { me } from './launch.js';

const TOTP = '/v1/users/me/totp';

const roleNames = { admin: 'Admin', care_team: 'Care team', read_only: 'Read-only' };

// grouped writes a base32 secret in groups of four: "ABCD EFGH …".
export function grouped(secret) {
  return String(secret).replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

function codeInput() {
  return h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6', required: true });
}

export async function render(root, params, ctx) {
  const user = me(ctx);
  const status = h('p', { class: 'pg-notice', role: 'status' });
  root.append(h('h1', {}, 'Account'), status);

  root.append(h('section', { class: 'panel', 'aria-labelledby': 'acct-who' },
    h('h2', { id: 'acct-who' }, 'Signed in as'),
    h('dl', { class: 'details' },
      h('dt', {}, 'Name'), h('dd', {}, user.name || '—'),
      h('dt', {}, 'Email'), h('dd', {}, user.email || '—'),
      h('dt', {}, 'Role'), h('dd', {}, roleNames[user.role] || user.role || '—'))));

  const totpBox = h('section', { class: 'panel', 'aria-labelledby': 'acct-totp' });
  root.append(totpBox);

  const signOut = h('button', { type: 'button' }, 'Sign out');
  on(signOut, 'click', async () => {
    signOut.disabled = true;
    try {
      await api('DELETE', '/v1/sessions/current');
    } catch (err) {
      // A session already gone is signed out too.
      if (err && err.status !== 401 && err.status !== 404) {
        notice(status, errorText(err), 'error');
        signOut.disabled = false;
        return;
      }
    }
    setCsrfToken(null);
    window.location.assign('/console/signin');
  });
  root.append(h('section', { class: 'panel', 'aria-labelledby': 'acct-out' },
    h('h2', { id: 'acct-out' }, 'Sign out'),
    h('p', {}, 'Ends this session on the server. Sessions also end after 30 minutes without use.'),
    signOut));

  const heading = () => h('h2', { id: 'acct-totp' }, 'Two-step sign-in');

  async function showStatus() {
    let enabled = false;
    try {
      const st = await api('GET', TOTP);
      enabled = !!(st && st.enabled);
    } catch (err) {
      if (err && err.status === 401) return;
      replace(totpBox, heading(), h('p', { class: 'error' }, errorText(err)));
      return;
    }
    if (enabled) showEnabled();
    else showOff();
  }

  function showOff() {
    const start = h('button', { type: 'button', class: 'primary' }, 'Set up two-step sign-in');
    on(start, 'click', async () => {
      start.disabled = true;
      try {
        showSetup(await api('POST', TOTP));
      } catch (err) {
        start.disabled = false;
        if (err && err.status !== 401) notice(status, errorText(err), 'error');
      }
    });
    replace(totpBox, heading(),
      h('p', {}, 'Off. With it on, signing in asks for a six-digit code from an authenticator app on your phone as well as your password.'),
      start);
  }

  function showSetup(en) {
    const code = codeInput();
    const confirm = h('button', { type: 'submit', class: 'primary' }, 'Confirm');
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = h('form', { class: 'pg-form', novalidate: '' },
      field({ label: 'Code', input: code, name: 'code', help: 'The six digits the app shows now.' }),
      formError(),
      h('div', { class: 'actions' }, confirm, cancel));
    on(form, 'submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      confirm.disabled = true;
      try {
        await api('POST', `${TOTP}/confirm`, { code: code.value.trim() });
        notice(status, 'Two-step sign-in is on.', 'ok');
        showEnabled();
      } catch (err) {
        if (err && err.status !== 401) showError(form, err.field ? err : { ...err, field: 'code' });
        confirm.disabled = false;
      }
    });
    on(cancel, 'click', async () => {
      // An unfinished set-up is removed without a code.
      try {
        await api('DELETE', TOTP);
      } catch (err) {
        if (err && err.status !== 404 && err.status !== 401) notice(status, errorText(err), 'error');
      }
      showOff();
    });
    replace(totpBox, heading(),
      h('ol', { class: 'pg-steps' },
        h('li', {}, 'In your authenticator app, add an account by entering a key (setup key, time-based).'),
        h('li', {}, 'Type this key: ', h('code', { class: 'pg-secret', id: 'totp-secret' }, grouped(en.secret)),
          h('span', { class: 'help' }, ' (spaces do not matter)')),
        h('li', {}, 'Or, if your app takes a link, use: ', h('code', { class: 'pg-uri' }, en.otpauth_uri)),
        h('li', {}, 'Enter the code the app shows to finish.')),
      form);
    code.focus();
  }

  function showEnabled() {
    const code = codeInput();
    const off = h('button', { type: 'submit' }, 'Turn off two-step sign-in');
    const form = h('form', { class: 'pg-form', novalidate: '' },
      field({ label: 'Code', input: code, name: 'code', help: 'To turn it off, the six digits your app shows now.' }),
      formError(),
      h('div', { class: 'actions' }, off));
    on(form, 'submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      off.disabled = true;
      try {
        await api('DELETE', TOTP, { code: code.value.trim() });
        notice(status, 'Two-step sign-in is off.', 'ok');
        showOff();
      } catch (err) {
        if (err && err.status !== 401) showError(form, err.field ? err : { ...err, field: 'code' });
        off.disabled = false;
      }
    });
    replace(totpBox, heading(), h('p', {}, 'On: signing in asks for a code from your authenticator app.'), form);
  }

  await showStatus();
}
