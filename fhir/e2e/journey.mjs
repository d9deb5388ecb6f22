// journey.mjs is issue 14's "Done when", driven as an EHR would drive it,
// through fhir-kit-client: a transaction Bundle with a Patient and an
// Appointment booked 30 hours out starts appointment reminders (the
// enrollment, and the one prompt reminder reaches the phone: 30 hours is
// inside the first 72-hour offset); the patient texts "C" and the
// Appointment shows the patient's participation accepted; an Observation of
// blood glucose far above range raises a task, found as a FHIR Task; and
// GET Communication?subject=Patient/<id> answers the reminder sent and the
// reply received. Every resource carepath answers is validated.
import { randomUUID } from 'node:crypto';
import {
  assert, env, fhir, finish, patientByPhone, reply, sent, step, v1ok, valid, waitFor, phone,
} from './lib.mjs';

const mobile = phone(1);
const mrn = `MRN-${randomUUID().slice(0, 8)}`;
const apptID = `appt-${randomUUID().slice(0, 8)}`; // the EHR's own id
const start = new Date(Date.now() + 30 * 3600_000);
start.setUTCSeconds(0, 0);
const end = new Date(start.getTime() + 30 * 60_000);
const patientRef = `urn:uuid:${randomUUID()}`;

const transaction = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    {
      fullUrl: patientRef,
      resource: {
        resourceType: 'Patient',
        extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: env.tz }],
        identifier: [{ system: 'https://ehr.example.org/fhir/sid/mrn', value: mrn }],
        name: [{ family: 'Okafor', given: ['Ada'] }],
        birthDate: '1958-03-14',
        telecom: [{ system: 'phone', value: mobile, use: 'mobile' }],
        communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en' }] }, preferred: true }],
      },
      request: { method: 'POST', url: 'Patient' },
    },
    {
      fullUrl: `${env.fhirBase}/Appointment/${apptID}`,
      resource: {
        resourceType: 'Appointment',
        id: apptID,
        status: 'booked',
        description: 'Diabetes follow-up',
        start: start.toISOString(),
        end: end.toISOString(),
        participant: [
          { actor: { reference: patientRef }, status: 'needs-action' },
          { actor: { display: 'Dr. Lena Ortiz' }, status: 'accepted' },
        ],
      },
      request: { method: 'PUT', url: `Appointment/${apptID}` },
    },
  ],
};

const state = {};

await step('metadata is a valid CapabilityStatement', async () => {
  const cs = valid(await fhir.capabilityStatement(), 'GET /metadata');
  assert(cs.fhirVersion === '4.0.1', `fhirVersion ${cs.fhirVersion}, want 4.0.1`);
  const types = new Set(cs.rest?.[0]?.resource?.map((r) => r.type));
  for (const t of ['Patient', 'Appointment', 'Observation', 'Communication', 'Task']) {
    assert(types.has(t), `the CapabilityStatement does not list ${t}`);
  }
});

await step('transaction: Patient + Appointment booked 30 h out', async () => {
  const resp = valid(await fhir.transaction({ body: transaction }), 'the transaction-response Bundle');
  assert(resp.type === 'transaction-response', `Bundle.type ${resp.type}`);
  assert(resp.entry?.length === 2, `${resp.entry?.length} response entries, want 2`);
  for (const [i, e] of resp.entry.entries()) {
    assert(/^20[01]/.test(e.response?.status ?? ''), `entry ${i} status ${e.response?.status}`);
  }
  const loc = (e) => (e.response.location ?? '').replace(/^.*?\/?(\w+\/[^/]+)(\/_history\/.*)?$/, '$1');
  state.patientID = loc(resp.entry[0]).split('/')[1];
  assert(loc(resp.entry[0]).startsWith('Patient/'), `Patient location ${resp.entry[0].response.location}`);
  assert(loc(resp.entry[1]) === `Appointment/${apptID}`, `Appointment location ${resp.entry[1].response.location}`);
});

await step('Patient and Appointment read back', async () => {
  const p = valid(await fhir.read({ resourceType: 'Patient', id: state.patientID }), 'Patient');
  assert(p.telecom?.some((t) => t.value === mobile), 'the Patient lost its phone');
  const a = valid(await fhir.read({ resourceType: 'Appointment', id: apptID }), 'Appointment');
  assert(a.status === 'booked', `Appointment.status ${a.status}`);
  const pp = a.participant?.find((x) => x.actor?.reference === `Patient/${state.patientID}`);
  assert(pp, `no participant references Patient/${state.patientID}: ${JSON.stringify(a.participant)}`);
  state.version = Number(a.meta?.versionId);
}, ['transaction: Patient + Appointment booked 30 h out']);

await step('appointment_reminders enrollment exists', async () => {
  const p = await waitFor('the patient in /v1/patients', () => patientByPhone(mobile));
  state.carepathID = p.id;
  await waitFor('an active appointment_reminders enrollment', async () => {
    const r = await v1ok('GET', `/v1/patients/${p.id}/enrollments`);
    return (r.items ?? []).find((e) => e.journey === 'appointment_reminders');
  });
}, ['transaction: Patient + Appointment booked 30 h out']);

await step('the prompt reminder reaches the phone', async () => {
  const msgs = await waitFor('a reminder SMS at the fake Twilio', async () => {
    const m = await sent(mobile);
    return m.length ? m : undefined;
  });
  state.reminder = msgs[0].body;
}, ['appointment_reminders enrollment exists']);

await step('reply C confirms: Appointment participant accepted', async () => {
  await reply(mobile, 'C');
  const a = await waitFor('the patient participant accepted', async () => {
    const a = await fhir.read({ resourceType: 'Appointment', id: apptID });
    const pp = a.participant?.find((x) => x.actor?.reference === `Patient/${state.patientID}`);
    return pp?.status === 'accepted' ? a : undefined;
  });
  valid(a, 'the confirmed Appointment');
  assert(a.status === 'booked', `Appointment.status ${a.status} after a confirmation, want booked`);
  if (Number.isFinite(state.version)) {
    assert(Number(a.meta?.versionId) > state.version, `meta.versionId ${a.meta?.versionId} did not move from ${state.version}`);
  }
}, ['the prompt reminder reaches the phone']);

await step('Observation: blood glucose far above range raises a task', async () => {
  const obs = {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose [Mass/volume] in Blood' }] },
    subject: { reference: `Patient/${state.patientID}` },
    effectiveDateTime: new Date(Date.now() - 5 * 60_000).toISOString(),
    valueQuantity: { value: 480, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
  };
  const created = valid(await fhir.create({ resourceType: 'Observation', body: obs }), 'the created Observation');
  assert(created.id, 'the created Observation has no id');
  const tasks = await waitFor('a Task for the patient', async () => {
    const b = await fhir.search({ resourceType: 'Task', searchParams: { patient: `Patient/${state.patientID}` } });
    return b.entry?.length ? b : undefined;
  });
  valid(tasks, 'Task searchset');
  const v1tasks = await v1ok('GET', `/v1/tasks?patient_id=${state.carepathID}`);
  // carepath.ReasonReadingOutOfRange (tasks.go).
  const reason = 'reading outside the safe range: review the patient';
  assert((v1tasks.items ?? []).some((t) => t.reason === reason),
    `no "${reason}" task in /v1/tasks: ${JSON.stringify((v1tasks.items ?? []).map((t) => t.reason))}`);
}, ['appointment_reminders enrollment exists']);

await step('Communication?subject=Patient/<id>: the reminder sent and the reply received', async () => {
  const b = await waitFor('two Communications', async () => {
    const b = await fhir.search({ resourceType: 'Communication', searchParams: { subject: `Patient/${state.patientID}` } });
    return (b.entry?.length ?? 0) >= 2 ? b : undefined;
  });
  valid(b, 'Communication searchset');
  assert(b.type === 'searchset', `Bundle.type ${b.type}`);
  const comms = b.entry.map((e) => e.resource);
  const me = `Patient/${state.patientID}`;
  assert(comms.every((c) => c.resourceType === 'Communication' && c.subject?.reference === me),
    `a searchset entry is not a Communication about ${me}`);
  const out = comms.find((c) => c.recipient?.some((r) => r.reference === me) && c.status === 'completed');
  const inbound = comms.find((c) => c.sender?.reference === me);
  assert(out, `no completed Communication to ${me}: ${JSON.stringify(comms.map((c) => [c.status, c.recipient, c.sender]))}`);
  assert(inbound, `no Communication from ${me} (the "C")`);
  assert(inbound.payload?.some((p) => (p.contentString ?? '').trim().toUpperCase() === 'C'), 'the received Communication does not carry "C"');
  for (const c of comms) valid(await fhir.read({ resourceType: 'Communication', id: c.id }), `Communication/${c.id}`);
}, ['reply C confirms: Appointment participant accepted']);

finish('journey');
