// ui.js: building DOM without innerHTML (data is always text), formatting
// dates and countdowns, and the shared bits of a page (messages, fields).

/**
 * h builds an element. attrs: class, for, text, dataset {}, style {} (set
 * through element.style, which the CSP allows), on {event: fn}, boolean
 * properties (hidden, disabled, checked, required, selected, multiple,
 * readOnly), value; anything else becomes an attribute. Children are nodes,
 * strings (as text), numbers, arrays, or null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    switch (k) {
      case 'class': el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v; break;
      case 'for': el.htmlFor = v; break;
      case 'text': el.textContent = v; break;
      case 'dataset': Object.assign(el.dataset, v); break;
      case 'style': Object.assign(el.style, v); break;
      case 'on': for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn); break;
      case 'hidden': case 'disabled': case 'checked': case 'required':
      case 'selected': case 'multiple': case 'readOnly': case 'value':
        el[k] = v; break;
      default:
        if (/^on/i.test(k)) throw new Error('h: use attrs.on for ' + k);
        el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** clear empties an element. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** replace empties el and appends children. */
export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let seq = 0;
/** uid is an element id unique in the page. */
export function uid(prefix) { seq += 1; return `${prefix || 'f'}-${seq}`; }

// ---- dates and times ------------------------------------------------------

/** browserZone is the browser's IANA time zone. */
export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function fmt(opts, zone) {
  return new Intl.DateTimeFormat(undefined, zone ? { ...opts, timeZone: zone } : opts);
}

/** dateTime formats an instant in the browser's zone (or zone, if given). */
export function dateTime(iso, zone) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  try {
    return fmt({ dateStyle: 'medium', timeStyle: 'short' }, zone).format(d);
  } catch {
    return fmt({ dateStyle: 'medium', timeStyle: 'short' }).format(d);
  }
}

/** timeEl is a <time> element showing an instant in the browser's zone. */
export function timeEl(iso, zone) {
  return h('time', { datetime: iso || '' }, dateTime(iso, zone));
}

/**
 * zonedDateTime shows an instant in the browser's zone and, when the
 * clinic's or patient's zone differs, there too ("… (14:05 in America/Chicago)").
 */
export function zonedDateTime(iso, zone) {
  const here = dateTime(iso);
  if (!zone || zone === browserZone || !iso) return here;
  let there;
  try {
    there = fmt({ timeStyle: 'short' }, zone).format(new Date(iso));
  } catch {
    return here;
  }
  return `${here} (${there} in ${zone})`;
}

/** calendarDate shows a YYYY-MM-DD date (a birth date) without a zone shift. */
export function calendarDate(ymd) {
  if (!ymd) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd);
  if (!m) return String(ymd);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return fmt({ dateStyle: 'medium' }, 'UTC').format(d);
}

/** duration says a span of milliseconds in words: "4 min", "2 h 5 min", "3 days". */
export function duration(ms) {
  const min = Math.floor(Math.abs(ms) / 60000);
  if (min < 1) return 'less than a minute';
  if (min < 60) return `${min} min`;
  const hrs = Math.floor(min / 60);
  if (hrs < 48) return min % 60 ? `${hrs} h ${min % 60} min` : `${hrs} h`;
  return `${Math.floor(hrs / 24)} days`;
}

/** dueText counts down to a due time: "due in 4 min", "overdue by 2 h". */
export function dueText(iso, now = Date.now()) {
  if (!iso) return '';
  const ms = new Date(iso).getTime() - now;
  return ms >= 0 ? `due in ${duration(ms)}` : `overdue by ${duration(ms)}`;
}

/** ago says how long since an instant: "5 min ago". */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  return `${duration(now - new Date(iso).getTime())} ago`;
}

// ---- page pieces ------------------------------------------------------------

/** priorityBadge marks a priority in words (urgent also with a marker, never colour alone). */
export function priorityBadge(priority) {
  const p = String(priority || 'normal');
  const word = p.charAt(0).toUpperCase() + p.slice(1);
  return h('span', { class: ['badge', 'priority-' + p] }, p === 'urgent' ? h('span', { class: 'marker', 'aria-hidden': 'true' }, '!') : null, word);
}

/** badge is a small label. */
export function badge(text, kind) {
  return h('span', { class: ['badge', kind && 'badge-' + kind] }, text);
}

/** errorText is what to tell a person about a failed call. */
export function errorText(err) {
  if (!err) return 'Something went wrong.';
  if (err.status === 403) return 'Not allowed: your role cannot do this.';
  if (err.status === 404) return 'Not found: it may have been removed, or the link is wrong.';
  if (err.status >= 500) return `carepath had a problem (${err.message}). Try again; if it persists, give IT the request ID ${err.requestId || 'shown in the server log'}.`;
  return err.message || String(err);
}

/** errorBox is an alert with the error's text. */
export function errorBox(err) {
  return h('p', { class: 'error', role: 'alert' }, errorText(err));
}

/** notice shows a short message in the page's live region. */
export function notice(text) {
  const region = document.getElementById('notices');
  if (!region) return;
  const p = h('p', {}, text);
  region.appendChild(p);
  setTimeout(() => p.remove(), 10000);
}

/** announce says something to screen readers (and shows it) via the live region. */
export const announce = notice;

/**
 * field is a labelled control: returns {wrap, control, error}. The error
 * element is tied to the control by aria-describedby; setFieldError fills it.
 */
export function field(label, control, help) {
  const id = control.id || uid('f');
  control.id = id;
  const err = h('p', { class: 'field-error', id: id + '-err', hidden: true });
  const described = [err.id];
  let helpEl = null;
  if (help) {
    helpEl = h('p', { class: 'help', id: id + '-help' }, help);
    described.push(helpEl.id);
  }
  control.setAttribute('aria-describedby', described.join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control, helpEl, err);
  return { wrap, control, error: err };
}

/** setFieldError shows (or, with an empty message, hides) a field's error. */
export function setFieldError(f, message) {
  f.error.textContent = message || '';
  f.error.hidden = !message;
  if (message) f.control.setAttribute('aria-invalid', 'true');
  else f.control.removeAttribute('aria-invalid');
}

/** select builds a <select> from [value, label] pairs. */
export function select(options, value, attrs) {
  return h('select', attrs || {}, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
}

/** link is an in-console link (app.js routes its clicks). */
export function link(href, ...children) {
  return h('a', { href }, ...children);
}

/** patientName is a patient's display name. */
export function patientName(p) {
  if (!p) return '';
  return [p.given_name, p.family_name].filter(Boolean).join(' ') || 'Unnamed patient';
}

/** busy disables a button while fn runs. */
export async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
