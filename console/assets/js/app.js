// app.js: the console's shell — the route table, the session, the nav and
// navigation (history API, pages loaded with import() when first visited).

import { api, setCsrfToken, onUnauthorized } from './api.js';
import { h, replace, errorBox } from './ui.js';

const BASE = '/console';

// The route table (COMMON.md). admin: admin only; write: hidden from the
// read-only role's nav (the API refuses their changes anyway).
const routes = [
  { path: '/signin', module: 'signin', title: 'Sign in', public: true },
  { path: '', redirect: '/console/tasks' },
  { path: '/tasks', module: 'tasks', title: 'Tasks' },
  { path: '/tasks/:id', module: 'task', title: 'Task' },
  { path: '/patients', module: 'patients', title: 'Patients' },
  { path: '/patients/:id', module: 'patient', title: 'Patient' },
  { path: '/patients/:id/conversation', module: 'conversation', title: 'Conversation' },
  { path: '/patients/:id/timeline', module: 'timeline', title: 'Timeline' },
  { path: '/patients/:id/launch', module: 'launch', title: 'Launch a journey' },
  { path: '/launch', module: 'bulk', title: 'Bulk launch' },
  { path: '/reports', module: 'reports', title: 'Reports' },
  { path: '/oncall', module: 'oncall', title: 'On call' },
  { path: '/users', module: 'users', title: 'Users', admin: true },
  { path: '/account', module: 'account', title: 'Account' },
].map((r) => ({ ...r, re: new RegExp('^' + BASE + r.path.replace(/:(\w+)/g, '(?<$1>[^/]+)') + '/?$') }));

const navItems = [
  { href: '/console/tasks', label: 'Tasks' },
  { href: '/console/patients', label: 'Patients' },
  { href: '/console/launch', label: 'Launch', write: true },
  { href: '/console/reports', label: 'Reports' },
  { href: '/console/oncall', label: 'On call' },
  { href: '/console/users', label: 'Users', admin: true },
  { href: '/console/account', label: 'Account' },
];

// Polls stop after this long without a key press, click or touch, so the
// server's idle timeout still ends a session left open at an empty desk.
const IDLE_MS = 25 * 60 * 1000;
let lastActivity = Date.now();
for (const ev of ['keydown', 'pointerdown', 'touchstart', 'wheel']) {
  document.addEventListener(ev, () => { lastActivity = Date.now(); }, { passive: true, capture: true });
}

let user = null;
// sessionKnown: the server has said whether this browser is signed in.
let sessionKnown = false;
let leaving = [];
let renderSeq = 0;
let firstRender = true;

/** navigate goes to a console path (pushState unless replace). */
export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (m) return { route: r, params: { ...(m.groups || {}) } };
  }
  return null;
}

function signinPath() {
  const here = location.pathname + location.search;
  const next = here.startsWith(BASE + '/signin') ? '' : '?next=' + encodeURIComponent(here);
  return BASE + '/signin' + next;
}

onUnauthorized(() => {
  if (location.pathname.startsWith(BASE + '/signin')) return;
  user = null;
  setCsrfToken('');
  navigate(signinPath(), true);
});

/** setSession records who is signed in (sign-in calls it). */
export function setSession(session) {
  sessionKnown = true;
  user = session ? session.user : null;
  setCsrfToken(session ? session.csrf_token : '');
}

async function loadSession() {
  try {
    const s = await api('GET', '/v1/sessions/current', undefined, { noRedirect: true });
    setSession(s);
  } catch (err) {
    if (err.status !== 401 && err.status !== 404) throw err;
    setSession(null);
  }
}

function renderNav(pathname) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('whoami');
  if (!user) {
    nav.hidden = true;
    replace(nav);
    replace(who);
    return;
  }
  const items = navItems.filter((n) => (!n.admin || user.role === 'admin') && (!n.write || user.role !== 'read_only'));
  replace(nav, h('ul', {}, items.map((n) => {
    const current = pathname === n.href || pathname.startsWith(n.href + '/');
    return h('li', {}, h('a', { href: n.href, 'aria-current': current ? 'page' : false }, n.label));
  })));
  nav.hidden = false;
  replace(who, `${user.name || user.email} · ${roleLabel(user.role)}`);
}

function roleLabel(role) {
  return { admin: 'Admin', care_team: 'Care team', read_only: 'Read only' }[role] || role;
}

function freshMain() {
  const old = document.getElementById('main');
  // A new element per page: a slow page still rendering into the old one
  // after the person moved on writes into a detached node, not the new page.
  const main = h('main', { id: 'main', tabindex: '-1' });
  old.replaceWith(main);
  return main;
}

async function render() {
  const seq = ++renderSeq;
  for (const fn of leaving) {
    try { fn(); } catch (err) { console.error('leaving page', err); }
  }
  leaving = [];
  const pathname = location.pathname;
  const found = match(pathname);
  if (found && found.route.redirect) {
    navigate(found.route.redirect, true);
    return;
  }
  if (!found || !found.route.public) {
    if (user === null) await loadSession().catch(() => setSession(null));
    if (seq !== renderSeq) return;
    if (!user) {
      navigate(signinPath(), true);
      return;
    }
  }
  renderNav(pathname);
  const main = freshMain();
  if (!found) {
    document.title = 'Not found · carepath';
    main.append(h('h1', {}, 'Not found'), h('p', {}, 'There is no console page at this address. ', h('a', { href: '/console/tasks' }, 'Go to Tasks')));
    return finish(seq, main);
  }
  const { route, params } = found;
  document.title = `${route.title} · carepath`;
  if (route.admin && user.role !== 'admin') {
    main.append(h('h1', {}, 'Not allowed'), h('p', {}, 'This page is for administrators.'));
    return finish(seq, main);
  }
  let mod;
  try {
    mod = await import(`./pages/${route.module}.js`);
  } catch (err) {
    console.error('loading page', route.module, err);
    if (seq !== renderSeq) return;
    main.append(h('h1', {}, route.title), h('p', {}, 'Not available yet.'));
    return finish(seq, main);
  }
  if (seq !== renderSeq) return;
  const ctx = {
    user,
    signedOut: sessionKnown && !user,
    navigate,
    setSession,
    onLeave: (fn) => { if (seq === renderSeq) leaving.push(fn); else fn(); },
    setTitle: (t) => { if (seq === renderSeq) document.title = `${t} · carepath`; },
    poll: (fn, ms) => poll(seq, fn, ms),
    active: () => seq === renderSeq,
  };
  try {
    await mod.render(main, params, ctx);
  } catch (err) {
    console.error('rendering page', route.module, err);
    if (seq !== renderSeq) return;
    if (!main.querySelector('h1')) main.append(h('h1', {}, route.title));
    main.append(errorBox(err));
  }
  finish(seq, main);
}

// poll runs fn every ms while the page is shown, skipping ticks while the
// tab is hidden or nobody has touched the console for IDLE_MS. It returns
// the interval ID (cleared when the page is left).
function poll(seq, fn, ms) {
  let running = false;
  let paused = null; // the notice shown while paused
  const t = setInterval(async () => {
    if (seq !== renderSeq || document.hidden || running) return;
    if (Date.now() - lastActivity > IDLE_MS) {
      if (!paused) {
        paused = h('p', {}, 'Updates paused while the console is idle. Press a key or click to resume.');
        const region = document.getElementById('notices');
        if (region) region.append(paused);
      }
      return;
    }
    if (paused) {
      paused.remove();
      paused = null;
    }
    running = true;
    try { await fn(); } catch (err) { console.error('poll', err); } finally { running = false; }
  }, ms);
  leaving.push(() => {
    clearInterval(t);
    if (paused) paused.remove();
  });
  return t;
}

function finish(seq, main) {
  if (seq !== renderSeq) return;
  const h1 = main.querySelector('h1');
  if (!firstRender && h1) {
    h1.tabIndex = -1;
    h1.focus();
  }
  firstRender = false;
}

// Console links are followed in the page; others (and modified clicks,
// new tabs, downloads) by the browser.
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest && ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !(url.pathname === BASE || url.pathname.startsWith(BASE + '/'))) return;
  if (url.pathname.startsWith(BASE + '/assets/')) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', () => render());

render();
