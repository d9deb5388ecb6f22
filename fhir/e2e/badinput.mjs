// badinput.mjs sends carepath what an EHR should not: a transaction with a
// bad entry among good ones must be refused whole (4xx, an OperationOutcome
// whose issues name each bad entry's FHIR path) with nothing applied;
// malformed bodies and wrong types get an OperationOutcome too.
import { randomUUID } from 'node:crypto';
import {
  assert, attempt, env, fhir, finish, outcomeText, patientByPhone, phone, raw, sent, step, valid,
} from './lib.mjs';

const good = phone(1);
const apptID = `appt-${randomUUID().slice(0, 8)}`;

function patient(ph, extra = {}) {
  return {
    resourceType: 'Patient',
    extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: env.tz }],
    name: [{ family: 'Nakamura', given: ['Kenji'] }],
    birthDate: '1972-11-05',
    telecom: [{ system: 'phone', value: ph, use: 'mobile' }],
    ...extra,
  };
}

// refused checks a 4xx OperationOutcome and that it names every path in want.
function refused(r, what, want) {
  assert(r.status >= 400 && r.status < 500, `${what}: ${r.status}, want a 4xx: ${JSON.stringify(r.data).slice(0, 600)}`);
  assert(r.data?.resourceType === 'OperationOutcome', `${what}: the body is not an OperationOutcome: ${JSON.stringify(r.data).slice(0, 600)}`);
  valid(r.data, `${what}'s OperationOutcome`);
  const exprs = r.data.issue.flatMap((i) => i.expression ?? []);
  for (const w of want) {
    assert(exprs.some((e) => e.startsWith(w)), `${what}: no issue's expression starts with ${w}: ${outcomeText(r.data)}`);
  }
  return r.data;
}

await step('transaction with one invalid entry: 4xx naming the path, nothing applied', async () => {
  const ref = `urn:uuid:${randomUUID()}`;
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: ref, resource: patient(good), request: { method: 'POST', url: 'Patient' } },
      {
        resource: {
          resourceType: 'Appointment', id: apptID, status: 'booked',
          start: new Date(Date.now() + 30 * 3600_000).toISOString(), end: new Date(Date.now() + 31 * 3600_000).toISOString(),
          participant: [{ actor: { reference: ref }, status: 'needs-action' }],
        },
        request: { method: 'PUT', url: `Appointment/${apptID}` },
      },
      { resource: patient(phone(2), { gender: 'bogus' }), request: { method: 'POST', url: 'Patient' } },
    ],
  };
  const r = await attempt(() => fhir.transaction({ body: bundle }));
  refused(r, 'the transaction', ['Bundle.entry[2]']);
  assert(JSON.stringify(r.data.issue).includes('gender'), `the OperationOutcome does not name gender: ${outcomeText(r.data)}`);
  // Nothing applied: no patient, no appointment, no reminder.
  assert(!(await patientByPhone(good)), 'the good Patient of a refused transaction was created');
  const a = await attempt(() => fhir.read({ resourceType: 'Appointment', id: apptID }));
  assert(a.status === 404, `Appointment/${apptID} of a refused transaction: ${a.status}`);
  await new Promise((res) => setTimeout(res, 2000)); // a reminder would be immediate (30 h out)
  assert((await sent(good)).length === 0, 'a refused transaction sent a text');
});

await step('transaction with two invalid entries: both named', async () => {
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: patient(phone(3), { birthDate: '1972-13-45' }), request: { method: 'POST', url: 'Patient' } },
      { resource: patient(phone(4)), request: { method: 'POST', url: 'Patient' } },
      {
        resource: { resourceType: 'Appointment', status: 'booked', participant: [{ actor: { reference: 'Patient/nobody-here' }, status: 'needs-action' }] },
        request: { method: 'POST', url: 'Appointment' },
      },
    ],
  };
  refused(await attempt(() => fhir.transaction({ body: bundle })), 'the transaction', ['Bundle.entry[0]', 'Bundle.entry[2]']);
  assert(!(await patientByPhone(phone(4))), 'the good Patient of a refused transaction was created');
});

await step('an element of the wrong JSON type is named', async () => {
  const r = await raw('POST', '/Patient', patient(phone(5), { birthDate: 19721105 }));
  refused(r, 'POST Patient with a numeric birthDate', ['Patient.birthDate']);
});

await step('a body that is not JSON', async () => {
  const r = await raw('POST', '/Patient', '{"resourceType": "Patient",');
  assert(r.status === 400, `status ${r.status}, want 400`);
  assert(r.data?.resourceType === 'OperationOutcome', `not an OperationOutcome: ${JSON.stringify(r.data)}`);
  valid(r.data, 'the OperationOutcome');
});

await step('a resource of another type than the URL', async () => {
  const r = await raw('POST', '/Patient', { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
  refused(r, 'POST Patient with an Observation', []);
});

await step('a Bundle that is not a transaction or batch', async () => {
  const r = await raw('POST', '', { resourceType: 'Bundle', type: 'collection', entry: [] });
  refused(r, 'POST a collection Bundle', []);
});

await step('an entry with an unsupported method', async () => {
  const r = await raw('POST', '', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [{ request: { method: 'DELETE', url: 'Patient/x' } }],
  });
  refused(r, 'a DELETE entry', []);
});

await step('no credentials: 401 OperationOutcome', async () => {
  const resp = await fetch(`${env.fhirBase}/Patient?_id=x`, { headers: { Accept: 'application/fhir+json' } });
  assert(resp.status === 401, `status ${resp.status}, want 401`);
  const oo = await resp.json();
  assert(oo.resourceType === 'OperationOutcome', 'not an OperationOutcome');
  valid(oo, 'the 401 OperationOutcome');
});

finish('badinput');
