// lib.mjs is what the conformance scripts share: the FHIR client
// (fhir-kit-client, pointed at carepath's /fhir/R4 with an integration API
// key), carepath's /v1 API (admin key) for what FHIR does not show
// (enrollments), the control server (cmd/carepath/fhir_conformance_test.go:
// the patient's phone through a signed Twilio webhook, what the fake Twilio
// received); and, from steps.mjs, the steps a script reports and valid().
import { Client } from 'fhir-kit-client';

export { assert, figure, finish, step, valid } from './steps.mjs';

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is not set: the scripts run under cmd/carepath's TestFHIRConformance`);
    process.exit(2);
  }
  return v;
}

export const env = {
  fhirBase: need('FHIR_BASE'), // http://127.0.0.1:port/fhir/R4
  fhirKey: need('FHIR_KEY'), // an integration API key
  apiBase: need('API_BASE'), // http://127.0.0.1:port
  adminKey: need('ADMIN_KEY'),
  control: need('CONTROL_URL'),
  tz: need('PATIENT_TZ'), // a zone where it is midday: no quiet hours
  phonePrefix: need('PHONE_PREFIX'), // +1555123 : the script adds 4 digits
  // The FHIR base as carepath names it in links and fullUrls (its public
  // URL, which the test's instance does not serve).
  publicBase: need('PUBLIC_FHIR_BASE'),
};

/**
 * local returns a copy of a Bundle whose links point at the instance
 * instead of carepath's public URL (what a proxy would do), after checking
 * they are absolute URLs under the public base.
 */
export function local(bundle) {
  const copy = structuredClone(bundle);
  for (const l of copy.link ?? []) {
    if (!l.url.startsWith(env.publicBase + '/')) throw new Error(`link ${l.relation} ${l.url} is not under ${env.publicBase}`);
    l.url = env.fhirBase + l.url.slice(env.publicBase.length);
  }
  return copy;
}

/** fhir is carepath's FHIR endpoint through fhir-kit-client. */
export const fhir = new Client({
  baseUrl: env.fhirBase,
  customHeaders: { Authorization: `Bearer ${env.fhirKey}`, Accept: 'application/fhir+json' },
});

/**
 * attempt runs a fhir-kit-client call and returns {status, data}, for calls
 * whose failure is the point (fhir-kit-client throws on a non-2xx answer).
 */
export async function attempt(call) {
  try {
    const data = await call();
    const { response } = Client.httpFor(data);
    return { status: response?.status ?? 200, data, headers: response?.headers };
  } catch (err) {
    if (err.response) return { status: err.response.status, data: err.response.data };
    throw err;
  }
}

/** raw sends a request to the FHIR endpoint with fetch (no client). */
export async function raw(method, path, body, headers = {}) {
  const resp = await fetch(env.fhirBase + path, {
    method,
    headers: {
      Authorization: `Bearer ${env.fhirKey}`,
      Accept: 'application/fhir+json',
      ...(body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await resp.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  return { status: resp.status, data, headers: resp.headers };
}

/** v1 calls carepath's own API with the admin key. */
export async function v1(method, path, body) {
  const resp = await fetch(env.apiBase + path, {
    method,
    headers: { Authorization: `Bearer ${env.adminKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  return { status: resp.status, data };
}

/** v1ok is v1 that fails unless the answer is want. */
export async function v1ok(method, path, body, want = 200) {
  const r = await v1(method, path, body);
  if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

/** reply texts carepath from the phone (a signed inbound Twilio webhook). */
export async function reply(from, body) {
  const resp = await fetch(`${env.control}/reply`, { method: 'POST', body: JSON.stringify({ from, body }) });
  if (!resp.ok) throw new Error(`control /reply: ${resp.status} ${await resp.text()}`);
}

/** sent lists what the fake Twilio received for a number. */
export async function sent(to) {
  const resp = await fetch(`${env.control}/sent?to=${encodeURIComponent(to)}`);
  if (!resp.ok) throw new Error(`control /sent: ${resp.status} ${await resp.text()}`);
  return resp.json();
}

/** patientByPhone finds carepath's patient (its UUID) by phone. */
export async function patientByPhone(phone) {
  const found = await v1ok('GET', `/v1/patients?phone=${encodeURIComponent(phone)}`);
  return found.items?.[0];
}

/** waitFor polls cond (async, returning a truthy value when done) until it is, or the time runs out. */
export async function waitFor(what, cond, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** phone returns this run's phone number n (PHONE_PREFIX + 4 digits). */
export function phone(n) {
  return env.phonePrefix + String(n).padStart(4, '0');
}

// EventStatus (Communication.status, a required binding that HL7's JSON
// schema leaves as a plain code and Medplum leaves to a terminology server).
export const eventStatus = ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown'];

/** outcomeText is an OperationOutcome's issues, one a line. */
export function outcomeText(oo) {
  if (oo?.resourceType !== 'OperationOutcome') return JSON.stringify(oo);
  return (oo.issue ?? [])
    .map((i) => `${i.severity}/${i.code} ${(i.expression ?? []).join(',')}: ${i.diagnostics ?? i.details?.text ?? ''}`)
    .join('; ');
}
