// emitted.mjs makes carepath emit every resource type it answers with, and
// checks each with both validators: CapabilityStatement; OperationOutcome
// (unknown id, unknown search parameter, unsupported type); transaction-
// and batch-response Bundles; searchset Bundles with paging; Patient
// rendered from carepath's own record; Appointment; Communication (sent,
// received, and suppressed after STOP); Task (a reading out of range);
// QuestionnaireResponse (a check-in answered); patient-reported
// Observation (vital-signs profile).
import { randomUUID } from 'node:crypto';
import {
  assert, attempt, env, eventStatus, fhir, finish, local, outcomeText, patientByPhone, phone, raw, reply, sent, step, v1ok, valid, waitFor,
} from './lib.mjs';

const state = {};
const mobile = phone(1);
const stopped = phone(2);

// A 4xx/5xx answer's body, which must be a valid OperationOutcome.
function outcome(r, what, wantStatus) {
  assert(r.status === wantStatus, `${what}: status ${r.status}, want ${wantStatus}: ${outcomeText(r.data)}`);
  assert(r.data?.resourceType === 'OperationOutcome', `${what}: the body is not an OperationOutcome: ${JSON.stringify(r.data)}`);
  valid(r.data, `${what}'s OperationOutcome`);
  assert(r.data.issue.some((i) => i.severity === 'error' || i.severity === 'fatal'), `${what}: no error issue`);
  return r.data;
}

await step('CapabilityStatement', async () => {
  const r = await raw('GET', '/metadata');
  assert(r.status === 200, `GET /metadata: ${r.status}`);
  assert((r.headers.get('content-type') ?? '').startsWith('application/fhir+json'), `Content-Type ${r.headers.get('content-type')}`);
  const cs = valid(r.data, 'CapabilityStatement');
  assert(cs.kind === 'instance' && cs.format?.some((f) => f.includes('json')), `kind ${cs.kind}, format ${cs.format}`);
});

await step('OperationOutcome: unknown id is 404', async () => {
  outcome(await attempt(() => fhir.read({ resourceType: 'Patient', id: 'no-such-patient' })), 'GET Patient/no-such-patient', 404);
});

await step('OperationOutcome: unknown search parameter is 400 naming it', async () => {
  const oo = outcome(await raw('GET', '/Communication?colour=blue'), 'GET Communication?colour=blue', 400);
  assert(JSON.stringify(oo.issue).includes('colour'), `the OperationOutcome does not name colour: ${outcomeText(oo)}`);
});

await step('OperationOutcome: unsupported type', async () => {
  const r = await attempt(() => fhir.read({ resourceType: 'Medication', id: 'x' }));
  assert(r.status === 404 || r.status === 405 || r.status === 400, `GET Medication/x: ${r.status}`);
  const oo = outcome(r, 'GET Medication/x', r.status);
  assert(oo.issue.some((i) => i.code === 'not-supported'), `issue code ${oo.issue.map((i) => i.code)}, want not-supported`);
});

await step('patient set-up through /v1 (check-in, STOP)', async () => {
  for (const [ph, given] of [[mobile, 'Rosa'], [stopped, 'Ivan']]) {
    await v1ok('POST', '/v1/patients', {
      given_name: given, family_name: 'Lindqvist', birth_date: '1967-09-02', phone: ph, timezone: env.tz,
    }, 201);
  }
  state.pid = (await patientByPhone(mobile)).id;
  state.sid = (await patientByPhone(stopped)).id;
  // A check-in asks; the answer is a QuestionnaireResponse.
  await v1ok('POST', `/v1/patients/${state.pid}/enrollments`, { journey: 'post_visit_checkin', params: { delay: '0s' } }, 201);
  await waitFor('the check-in question', async () => (await sent(mobile)).length >= 1);
  await reply(mobile, '3');
  // A reading far above range: a task, and a patient-reported Observation.
  await v1ok('POST', `/v1/patients/${state.pid}/observations`, {
    id: `meter-${randomUUID().slice(0, 8)}`, code: 'blood_glucose', value: 410, unit: 'mg/dL', effective_at: new Date().toISOString(),
  }, 201);
  await v1ok('POST', `/v1/patients/${state.pid}/observations`, {
    id: `cuff-${randomUUID().slice(0, 8)}`, code: 'blood_pressure', value: '128/82', unit: 'mmHg', effective_at: new Date().toISOString(),
  }, 201);
});
const setup = ['patient set-up through /v1 (check-in, STOP)'];

await step('Patient rendered from carepath\'s record', async () => {
  state.fhirPatient = (await fhir.search({ resourceType: 'Patient', searchParams: { _id: state.pid } }));
  valid(state.fhirPatient, 'Patient searchset');
  const p = valid(await fhir.read({ resourceType: 'Patient', id: state.pid }), 'Patient');
  assert(p.id === state.pid, `Patient.id ${p.id}, want carepath's ${state.pid}`);
  assert(p.telecom?.some((t) => t.value === mobile), 'the rendered Patient has no phone');
}, setup);

await step('transaction-response Bundle', async () => {
  const id = `appt-${randomUUID().slice(0, 8)}`;
  state.apptID = id;
  const b = await fhir.transaction({
    body: {
      resourceType: 'Bundle', type: 'transaction', entry: [{
        fullUrl: `${env.fhirBase}/Appointment/${id}`,
        resource: {
          resourceType: 'Appointment', id, status: 'booked',
          start: new Date(Date.now() + 5 * 86400_000).toISOString(),
          end: new Date(Date.now() + 5 * 86400_000 + 1800_000).toISOString(),
          participant: [{ actor: { reference: `Patient/${state.pid}` }, status: 'needs-action' }],
        },
        request: { method: 'PUT', url: `Appointment/${id}` },
      }],
    },
  });
  valid(b, 'transaction-response Bundle');
  assert(b.type === 'transaction-response', `Bundle.type ${b.type}`);
}, setup);

await step('Appointment read and searched', async () => {
  valid(await fhir.read({ resourceType: 'Appointment', id: state.apptID }), 'Appointment');
  const s = valid(await fhir.search({ resourceType: 'Appointment', searchParams: { patient: `Patient/${state.pid}` } }), 'Appointment searchset');
  assert(s.entry?.some((e) => e.resource?.id === state.apptID), 'Appointment?patient= does not find it');
}, ['transaction-response Bundle']);

await step('batch-response Bundle', async () => {
  const b = await fhir.batch({
    body: {
      resourceType: 'Bundle', type: 'batch', entry: [
        {
          resource: {
            resourceType: 'Appointment', id: `appt-${randomUUID().slice(0, 8)}`, status: 'cancelled',
            start: new Date(Date.now() + 9 * 86400_000).toISOString(), end: new Date(Date.now() + 9 * 86400_000 + 1800_000).toISOString(),
            participant: [{ actor: { reference: `Patient/${state.pid}` }, status: 'declined' }],
          },
          request: { method: 'POST', url: 'Appointment' },
        },
        { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
      ],
    },
  });
  valid(b, 'batch-response Bundle');
  assert(b.type === 'batch-response', `Bundle.type ${b.type}`);
  assert(/^20[01]/.test(b.entry?.[0]?.response?.status ?? ''), `batch entry 0: ${b.entry?.[0]?.response?.status}`);
  assert(/^4\d\d/.test(b.entry?.[1]?.response?.status ?? ''), `batch entry 1 (bad birthDate): ${b.entry?.[1]?.response?.status}`);
  assert(b.entry[1].response.outcome?.resourceType === 'OperationOutcome', 'batch entry 1 carries no OperationOutcome');
}, setup);

await step('Communication: sent and received', async () => {
  const b = await waitFor('Communications to and from the patient', async () => {
    const b = await fhir.search({ resourceType: 'Communication', searchParams: { subject: `Patient/${state.pid}` } });
    const cs = (b.entry ?? []).map((e) => e.resource);
    return cs.some((c) => c.sender?.reference === `Patient/${state.pid}`) && cs.some((c) => c.recipient?.length) ? b : undefined;
  });
  valid(b, 'Communication searchset');
  for (const e of b.entry) {
    const c = valid(await fhir.read({ resourceType: 'Communication', id: e.resource.id }), `Communication/${e.resource.id}`);
    assert(eventStatus.includes(c.status), `Communication/${c.id}.status ${c.status} is not an EventStatus code`);
  }
}, setup);

await step('Communication: suppressed after STOP (not-done with a reason)', async () => {
  // A STOP, then a journey: its message is suppressed.
  await reply(stopped, 'STOP');
  await waitFor('the STOP confirmation', async () => (await sent(stopped)).length >= 1);
  await v1ok('POST', `/v1/patients/${state.sid}/enrollments`, { journey: 'post_visit_checkin', params: { delay: '0s' } }, 201);
  const c = await waitFor('a not-done Communication', async () => {
    const b = await fhir.search({ resourceType: 'Communication', searchParams: { patient: state.sid } });
    return (b.entry ?? []).map((e) => e.resource).find((c) => c.status === 'not-done');
  });
  valid(c, 'the suppressed Communication');
  assert(c.statusReason?.coding?.length || c.statusReason?.text, 'a not-done Communication without statusReason');
}, setup);

await step('Task: a reading out of range', async () => {
  const b = await waitFor('a Task', async () => {
    const b = await fhir.search({ resourceType: 'Task', searchParams: { patient: `Patient/${state.pid}` } });
    return b.entry?.length ? b : undefined;
  });
  valid(b, 'Task searchset');
  const t = b.entry[0].resource;
  valid(await fhir.read({ resourceType: 'Task', id: t.id }), `Task/${t.id}`);
  assert(t.for?.reference === `Patient/${state.pid}`, `Task.for ${JSON.stringify(t.for)}`);
  assert(t.priority, 'Task without priority');
}, setup);

await step('QuestionnaireResponse: the check-in answered', async () => {
  const b = await waitFor('a QuestionnaireResponse', async () => {
    const b = await fhir.search({ resourceType: 'QuestionnaireResponse', searchParams: { subject: `Patient/${state.pid}` } });
    return b.entry?.some((e) => e.resource.status === 'completed') ? b : undefined;
  });
  valid(b, 'QuestionnaireResponse searchset');
  for (const e of b.entry) valid(await fhir.read({ resourceType: 'QuestionnaireResponse', id: e.resource.id }), `QuestionnaireResponse/${e.resource.id}`);
}, setup);

await step('Observation: patient-reported readings (vital-signs profiles by code)', async () => {
  const b = await waitFor('two Observations', async () => {
    const b = await fhir.search({ resourceType: 'Observation', searchParams: { patient: `Patient/${state.pid}` } });
    return (b.entry?.length ?? 0) >= 2 ? b : undefined;
  });
  valid(b, 'Observation searchset');
  for (const e of b.entry) {
    const o = valid(await fhir.read({ resourceType: 'Observation', id: e.resource.id }), `Observation/${e.resource.id}`);
    // valid() checked a vital sign against R4's vital-signs profile and its
    // code's own (bp for the blood pressure panel); glucose is none in R4.
    assert(o.subject?.reference === `Patient/${state.pid}`, `Observation/${o.id}.subject ${JSON.stringify(o.subject)}`);
  }
}, setup);

await step('searchset paging: _count=1 and the next link', async () => {
  const first = valid(await fhir.search({ resourceType: 'Communication', searchParams: { subject: `Patient/${state.pid}`, _count: 1 } }), 'page 1');
  assert(first.entry?.length === 1, `page 1 has ${first.entry?.length} entries`);
  const next = first.link?.find((l) => l.relation === 'next');
  assert(next, 'page 1 has no next link');
  const second = valid(await fhir.nextPage({ bundle: local(first) }), 'page 2');
  assert(second.entry?.length === 1 && second.entry[0].resource.id !== first.entry[0].resource.id, 'page 2 repeats page 1');
  const since = valid(await fhir.search({ resourceType: 'Communication', searchParams: { subject: `Patient/${state.pid}`, _lastUpdated: 'gt2000-01-01' } }), '_lastUpdated search');
  assert((since.entry?.length ?? 0) >= 2, `_lastUpdated=gt2000-01-01 found ${since.entry?.length}`);
}, ['Communication: sent and received']);

finish('emitted');
