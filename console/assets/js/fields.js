// Labelled form fields with help and error text, the API's field errors
// shown at the field they name, and the journey-parameter inputs built
// from the catalogue's typed params (GET /v1/journeys).

import { h } from './ui.js';

let seq = 0;
const uid = (p) => `${p}-${++seq}`;

// on adds a listener and returns the element, for building in one go.
export function on(el, event, fn) {
  el.addEventListener(event, fn);
  return el;
}

// field wraps an input with its <label>, optional help and an (empty)
// error line; both are tied to the input by aria-describedby. name is the
// API's field name, so showErrors can find it (data-field).
export function field({ label, input, help, name }) {
  if (!input.id) input.id = uid('f');
  const helpID = help ? uid('help') : null;
  const errID = uid('err');
  input.setAttribute('aria-describedby', [helpID, errID].filter(Boolean).join(' '));
  if (name) input.dataset.field = name;
  input.dataset.errorId = errID;
  return h('div', { class: 'field' },
    h('label', { for: input.id }, label),
    input,
    help ? h('p', { class: 'help', id: helpID }, help) : null,
    h('p', { class: 'field-error', id: errID, hidden: true }));
}

// clearErrors empties every field error and the form's general message.
export function clearErrors(scope) {
  for (const el of scope.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of scope.querySelectorAll('.field-error, .pg-form-error')) {
    el.textContent = '';
    el.hidden = true;
  }
}

// fieldError marks one input invalid with a message and returns it.
export function fieldError(input, message) {
  input.setAttribute('aria-invalid', 'true');
  const err = input.dataset.errorId && document.getElementById(input.dataset.errorId);
  if (err) {
    err.textContent = message;
    err.hidden = false;
  }
  return input;
}

// formError is the line for errors that belong to no one field.
export function formError() {
  return h('p', { class: 'pg-form-error error', role: 'alert', hidden: true });
}

// showError puts an API error at the field it names (data-field, exact or
// its first path segment), focusing it; otherwise in the form's general
// line. It returns true when a field took it.
export function showError(scope, err) {
  const message = errorText(err);
  const name = err && err.field;
  if (name) {
    const candidates = [name, name.replace(/\[\d+\]/g, ''), name.split('.')[0]];
    for (const c of candidates) {
      const input = [...scope.querySelectorAll('[data-field]')].find((el) => el.dataset.field === c);
      if (input) {
        fieldError(input, message);
        input.focus();
        return true;
      }
    }
  }
  const general = scope.querySelector('.pg-form-error');
  if (general) {
    general.textContent = (name ? `${name}: ` : '') + message;
    general.hidden = false;
  }
  return false;
}

// errorText is an error as a person reads it.
export function errorText(err) {
  if (!err) return 'Something went wrong.';
  if (err.status === 403) return 'Your role does not allow this.';
  return err.message || String(err);
}

// notice shows a message in a page's status line (role=status), replacing
// the last; kind is info, ok or error.
export function notice(region, text, kind = 'info') {
  region.textContent = text || '';
  region.className = ['pg-notice', kind === 'error' ? 'error' : kind === 'ok' ? 'success' : 'muted'].join(' ');
  region.hidden = !text;
}

// Go duration strings ("72h", "1h30m", "0s").
const durUnits = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

// parseDuration returns a Go duration string in milliseconds, or null.
export function parseDuration(s) {
  s = String(s).trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0, m, pos = 0;
  if (!s) return null;
  while ((m = re.exec(s))) {
    total += parseFloat(m[1]) * durUnits[m[2]];
    pos = re.lastIndex;
  }
  return pos === s.length ? total : null;
}

// humanDuration says a duration string in words ("72h" → "3 days").
export function humanDuration(s) {
  const ms = parseDuration(s);
  if (ms === null) return s;
  if (ms === 0) return 'none';
  const units = [['day', 86400e3], ['hour', 3600e3], ['minute', 60e3], ['second', 1e3]];
  const parts = [];
  let rest = ms;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
      rest -= n * size;
    }
  }
  return parts.slice(0, 2).join(' ') || s;
}

// paramInputs builds one field per journey parameter: a number input for
// integers (bounds as min/max), a select for enumerated strings, a text
// input for durations (checked against the bounds before sending). The
// description is the field's help. values() returns the params to send
// (every field, so what is launched is what the form showed) or null
// after marking the invalid fields.
export function paramInputs(specs, prefix = 'params.') {
  const inputs = [];
  const nodes = (specs || []).map((p) => {
    let input;
    let bounds = '';
    if (p.type === 'integer') {
      input = h('input', { type: 'number', step: '1', inputmode: 'numeric', min: p.min, max: p.max, name: p.name });
      input.value = p.default;
      bounds = `Whole number from ${p.min} to ${p.max}; default ${p.default}.`;
    } else if (p.type === 'string' && p.enum && p.enum.length) {
      input = h('select', { name: p.name }, p.enum.map((v) => h('option', { value: v }, v)));
      input.value = p.default;
      bounds = `Default ${p.default}.`;
    } else if (p.type === 'duration') {
      input = h('input', { type: 'text', name: p.name, spellcheck: 'false', autocomplete: 'off' });
      input.value = p.default;
      bounds = `A duration such as 72h, 90m or 0s, from ${p.min} to ${p.max} (${humanDuration(p.min)} to ${humanDuration(p.max)}); default ${p.default} (${humanDuration(p.default)}).`;
    } else {
      input = h('input', { type: 'text', name: p.name });
      input.value = p.default ?? '';
    }
    input.dataset.param = p.name;
    inputs.push({ spec: p, input });
    const help = [p.description, bounds].filter(Boolean).join(' ');
    return field({ label: paramLabel(p.name), input, help, name: prefix + p.name });
  });

  function values() {
    const out = {};
    let firstBad = null;
    for (const { spec, input } of inputs) {
      const raw = input.value.trim();
      let bad = null;
      if (spec.type === 'integer') {
        const n = Number(raw);
        if (raw === '' || !Number.isInteger(n)) bad = 'must be a whole number';
        else if (n < Number(spec.min) || n > Number(spec.max)) bad = `must be between ${spec.min} and ${spec.max}`;
        else out[spec.name] = n;
      } else if (spec.type === 'duration') {
        const ms = parseDuration(raw);
        if (ms === null) bad = 'must be a duration such as 72h, 90m or 0s';
        else if (ms < parseDuration(spec.min) || ms > parseDuration(spec.max)) bad = `must be between ${spec.min} and ${spec.max}`;
        else out[spec.name] = raw;
      } else {
        out[spec.name] = raw;
      }
      if (bad) {
        fieldError(input, bad);
        firstBad = firstBad || input;
      }
    }
    if (firstBad) {
      firstBad.focus();
      return null;
    }
    return out;
  }
  return { nodes, values };
}

// paramLabel turns a param's JSON name into a label: "max_reminders" →
// "Max reminders".
export function paramLabel(name) {
  const s = String(name).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// journeyLabel is a journey's name as a person reads it.
export function journeyLabel(name) {
  return paramLabel(name);
}
