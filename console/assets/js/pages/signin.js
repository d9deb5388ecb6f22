// signin.js: email and password, then the TOTP code when the account has
// one; single sign-on when carepath is configured for it.

import { api } from '../api.js';
import { h, field, setFieldError, busy, replace } from '../ui.js';

// nextPath is where to go after signing in: a console path from ?next=,
// never another site.
function nextPath() {
  const next = new URLSearchParams(location.search).get('next') || '';
  if (next.startsWith('/console/') && !next.startsWith('/console/signin') && !next.startsWith('//')) return next;
  return '/console/tasks';
}

function messageFor(err) {
  if (err.status === 0) return err.message;
  if (err.status === 423 || /locked/i.test(err.message)) return `${capital(err.message)}. An administrator can help if you need access sooner.`;
  if (err.status === 429) return 'Too many attempts. Wait a few minutes and try again.';
  if (err.status === 401) return err.message && !/^unauthori[sz]ed$/i.test(err.message) ? capital(err.message) + '.' : 'Email or password is wrong.';
  if (err.status === 400) return capital(err.field ? `${err.field} ${err.message}` : err.message) + '.';
  return `Signing in failed (${err.message}). Try again.`;
}

function capital(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }

export async function render(root, params, ctx) {
  // Already signed in (a bookmark to the sign-in page): go on. Skipped
  // when the shell has just been told there is no session.
  if (!ctx.signedOut) {
    try {
      const s = await api('GET', '/v1/sessions/current', undefined, { noRedirect: true });
      if (s && s.user) {
        ctx.setSession(s);
        ctx.navigate(nextPath(), true);
        return;
      }
    } catch { /* not signed in: show the form */ }
  }

  const status = h('div', { class: 'signin-status', 'aria-live': 'assertive' });
  const panel = h('div', { class: 'panel signin' });
  const sso = h('div', { class: 'signin-sso' });
  root.append(h('h1', {}, 'Sign in'), h('div', { class: 'signin-wrap' }, status, panel, sso));

  const done = (session) => {
    ctx.setSession(session);
    ctx.navigate(nextPath(), true);
  };

  passwordStep(panel, status, done);

  try {
    const m = await api('GET', '/v1/sessions/methods', undefined, { noRedirect: true });
    if (m && m.oidc) {
      const start = m.oidc_start || '/v1/sessions/oidc/start';
      const href = start + (start.includes('?') ? '&' : '?') + 'return_to=' + encodeURIComponent(nextPath());
      // A button (COMMON.md names it one) that leaves the console for the
      // identity provider: a full navigation, not the router.
      const button = h('button', { type: 'button', class: 'secondary' }, 'Sign in with single sign-on');
      button.addEventListener('click', () => location.assign(href));
      replace(sso, h('p', { class: 'muted' }, 'or'), button);
    }
  } catch { /* no methods endpoint: password only */ }
  const err = new URLSearchParams(location.search).get('error');
  if (err) replace(status, h('p', { class: 'error', role: 'alert' }, `Single sign-on failed: ${err}.`));
}

function passwordStep(panel, status, done) {
  const email = field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, autofocus: true }));
  const password = field('Password', h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }));
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { novalidate: true }, email.wrap, password.wrap, h('div', { class: 'actions' }, button));
  replace(panel, form);
  email.control.focus();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(status);
    setFieldError(email, '');
    setFieldError(password, '');
    if (!email.control.value.trim()) { setFieldError(email, 'Enter your email.'); email.control.focus(); return; }
    if (!password.control.value) { setFieldError(password, 'Enter your password.'); password.control.focus(); return; }
    await busy(button, async () => {
      try {
        const res = await api('POST', '/v1/sessions', { email: email.control.value.trim(), password: password.control.value }, { noRedirect: true });
        if (res && res.mfa_required) {
          codeStep(panel, status, res.mfa_token, done);
          return;
        }
        done(res);
      } catch (err) {
        password.control.value = '';
        replace(status, h('p', { class: 'error', role: 'alert' }, messageFor(err)));
        if (err.field === 'email') { setFieldError(email, err.message); email.control.focus(); }
        else password.control.focus();
      }
    });
  });
}

function codeStep(panel, status, mfaToken, done) {
  const code = field('Code', h('input', {
    type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]*', maxlength: '8', required: true,
  }), 'The 6-digit code from your authenticator app.');
  const button = h('button', { type: 'submit' }, 'Verify');
  const back = h('button', { type: 'button', class: 'secondary' }, 'Start again');
  const form = h('form', { novalidate: true }, code.wrap, h('div', { class: 'actions' }, button, back));
  replace(panel, form);
  code.control.focus();
  back.addEventListener('click', () => { replace(status); passwordStep(panel, status, done); });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(status);
    const value = code.control.value.replace(/\s+/g, '');
    if (!/^\d{6,8}$/.test(value)) { setFieldError(code, 'Enter the 6-digit code.'); code.control.focus(); return; }
    setFieldError(code, '');
    await busy(button, async () => {
      try {
        done(await api('POST', '/v1/sessions/totp', { mfa_token: mfaToken, code: value }, { noRedirect: true }));
      } catch (err) {
        code.control.value = '';
        const locked = /locked/i.test(err.message);
        const expired = !locked && err.status === 401 && err.field !== 'code' && /expired|token/i.test(err.message);
        let text = messageFor(err);
        if (expired) text = 'The sign-in took too long. Start again with your email and password.';
        else if (!locked && err.status === 401) text = 'That code is wrong or was already used. Enter the current code.';
        replace(status, h('p', { class: 'error', role: 'alert' }, text));
        if (expired) passwordStep(panel, status, done);
        else code.control.focus();
      }
    });
  });
}
