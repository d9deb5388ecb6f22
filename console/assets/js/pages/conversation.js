// conversation.js: the thread with a patient, oldest first, and the
// staff reply. A reply goes through carepath's send path (consent, quiet
// hours unless urgent, exactly once): the client_id makes a retry after a
// lost answer the same message, not a second text.

import { api, query } from '../api.js';
import { h, replace, field, setFieldError, select, zonedDateTime, errorBox, errorText, notice, patientName, busy } from '../ui.js';

const STATUS = {
  queued: 'Queued', sending: 'Sending', sent: 'Sent', delivered: 'Delivered', failed: 'Failed',
  suppressed: 'Not sent', deferred: 'Deferred', undelivered: 'Undelivered', held: 'Held for review',
  received: 'Received', routed: 'Received',
};
const CHANNELS = [['sms', 'SMS'], ['email', 'Email']];

export async function render(root, params, ctx) {
  const id = params.id;
  const base = `/v1/patients/${encodeURIComponent(id)}`;
  const canReply = ctx.user.role !== 'read_only';
  root.append(h('h1', {}, 'Conversation'));
  let patient;
  try {
    patient = await api('GET', base);
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  if (!ctx.active()) return;
  ctx.setTitle(`Conversation · ${patientName(patient)}`);
  root.append(h('p', {}, 'With ', h('a', { href: `/console/patients/${encodeURIComponent(id)}` }, patientName(patient)),
    h('span', { class: 'muted' }, ` · ${[patient.phone, patient.email].filter(Boolean).join(' · ')} · their time zone ${patient.timezone}`),
    ' · ', h('a', { href: `/console/patients/${encodeURIComponent(id)}/timeline` }, 'Timeline')));

  const threadStatus = h('div', { 'aria-live': 'polite' });
  // Named "Thread", not "Messages": the reply box is the one thing
  // labelled "Message" on this page.
  const thread = h('ol', { class: 'thread', 'aria-label': 'Thread, oldest first' });
  root.append(h('section', { class: 'panel', 'aria-labelledby': 'conv-thread' },
    h('h2', { id: 'conv-thread' }, 'Thread'), threadStatus, thread));

  let lastKey = '';
  let seen = null;
  async function load() {
    let items;
    try {
      items = ((await api('GET', `${base}/messages${query({ limit: 200 })}`)) || {}).items || [];
    } catch (err) {
      replace(threadStatus, h('p', { class: 'error' }, errorText(err)));
      return;
    }
    if (!ctx.active()) return;
    replace(threadStatus);
    items = items.slice().reverse();
    // Redraw only on a change, so a screen reader is not re-read the thread.
    const key = items.map((m) => `${m.id}:${m.status}:${m.status_reason || ''}`).join('|');
    if (key === lastKey) return;
    lastKey = key;
    if (seen) {
      const fresh = items.filter((m) => !seen.has(m.id) && m.direction === 'inbound');
      if (fresh.length) notice(fresh.length === 1 ? 'New message from the patient.' : `${fresh.length} new messages from the patient.`);
    }
    seen = new Set(items.map((m) => m.id));
    if (!items.length) {
      replace(thread, h('li', { class: 'muted' }, 'No messages yet.'));
      return;
    }
    replace(thread, items.map((m) => messageItem(m, patient.timezone)));
    const last = thread.lastElementChild;
    if (last && last.scrollIntoView && document.activeElement === document.body) last.scrollIntoView({ block: 'nearest' });
  }
  await load();
  ctx.poll(load, 5000);

  if (!canReply) return;

  // ---- reply ------------------------------------------------------------------
  const text = field('Message', h('textarea', { name: 'text', rows: '4', maxlength: '1600', required: true }));
  const channel = field('Channel', select(CHANNELS, patient.preferred_channel || 'sms', { name: 'channel' }));
  const urgentBox = h('input', { type: 'checkbox', name: 'urgent', id: 'reply-urgent' });
  const urgentHelp = h('p', { class: 'help', id: 'reply-urgent-help' }, 'Sends now even in the patient\'s quiet hours: for care that cannot wait.');
  urgentBox.setAttribute('aria-describedby', urgentHelp.id);
  const count = h('p', { class: 'help', 'aria-live': 'off' }, '0 characters');
  const send = h('button', { type: 'submit' }, 'Send');
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'panel reply', novalidate: true, 'aria-labelledby': 'conv-reply' },
    h('h2', { id: 'conv-reply' }, 'Reply'), status, text.wrap, count,
    h('div', { class: 'row' }, channel.wrap,
      h('div', { class: 'field' }, h('div', { class: 'field check' }, urgentBox, h('label', { for: urgentBox.id }, 'Urgent')), urgentHelp)),
    h('div', { class: 'actions' }, send));
  root.append(form);

  // pending is the client_id of a send whose outcome is unknown (the
  // network failed, or carepath answered 5xx): sending again reuses it, so
  // carepath sends the message at most once.
  let pending = null;
  text.control.addEventListener('input', () => {
    const n = text.control.value.length;
    replace(count, `${n} character${n === 1 ? '' : 's'}${channel.control.value === 'sms' && n > 160 ? ` (${Math.ceil(n / 153)} SMS segments)` : ''}`);
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(status);
    setFieldError(text, '');
    setFieldError(channel, '');
    const body = {
      text: text.control.value.trim(), channel: channel.control.value, urgent: urgentBox.checked,
    };
    if (!body.text) {
      setFieldError(text, 'Write the message first.');
      text.control.focus();
      return;
    }
    if (!pending) pending = { id: crypto.randomUUID(), body };
    // A retry sends what was first sent under this client_id.
    const attempt = { ...pending.body, client_id: pending.id };
    busy(send, async () => {
      try {
        const res = await api('POST', `${base}/messages`, attempt);
        pending = null;
        text.control.value = '';
        urgentBox.checked = false;
        text.control.dispatchEvent(new Event('input'));
        const st = res && res.status;
        notice(st === 'deferred' ? 'Reply saved: it is held for the patient\'s quiet hours.'
          : st === 'suppressed' ? `Reply not sent${res.status_reason ? ': ' + res.status_reason : ''}.` : 'Reply sent to carepath for delivery.');
        await load();
        // Its workflow records the message a moment after the 202: look
        // again soon rather than at the next 5-second poll.
        for (const ms of [700, 2000]) setTimeout(() => { if (ctx.active()) load(); }, ms);
        text.control.focus();
      } catch (err) {
        if (err.status === 0 || err.status >= 500) {
          replace(status, h('p', { class: 'error', role: 'alert' },
            `${errorText(err)} Your reply may or may not have gone: press Send again to retry — it will not be sent twice.`));
          return;
        }
        pending = null;
        const f = { text, channel }[err.field];
        if (err.status === 400 && f) { setFieldError(f, err.message); f.control.focus(); }
        else replace(status, errorBox(err));
      }
    });
  });
}

function messageItem(m, zone) {
  const inbound = m.direction === 'inbound';
  const st = STATUS[m.status] || m.status;
  const problem = ['suppressed', 'deferred', 'failed', 'undelivered', 'held'].includes(m.status);
  return h('li', { class: [inbound ? 'in' : 'out', problem && 'problem'] },
    h('span', { class: 'visually-hidden' }, inbound ? 'From the patient: ' : 'To the patient: '),
    h('div', { class: 'body' }, m.body),
    h('div', { class: 'meta' },
      `${inbound ? 'Patient' : (m.author ? (m.author_name || 'Care team') : 'carepath')} · ${m.channel === 'email' ? 'Email' : 'SMS'} · `,
      h('time', { datetime: m.sent_at || m.created_at }, zonedDateTime(m.sent_at || m.created_at, zone)),
      inbound ? null : [' · ', h('strong', {}, st)],
      problem && m.status_reason ? h('div', {}, `Why: ${m.status_reason}`) : null));
}
