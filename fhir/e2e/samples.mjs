// samples.mjs sends carepath HL7's published R4 examples (the
// hl7.fhir.r4.examples package: the ones in the specification's pages) as
// an EHR would, through fhir-kit-client: what carepath claims to support
// must be accepted as it is written, with only its patient references
// pointed at a Patient carepath holds (and a dialable phone number where
// carepath needs one), and what it does not support must get a clear
// OperationOutcome. The vital-signs examples must become carepath readings
// in the canonical unit.
import fs from 'node:fs';
import path from 'node:path';
import {
  assert, attempt, env, fhir, figure, finish, outcomeText, patientByPhone, phone, step, v1ok, valid,
} from './lib.mjs';

const examples = path.join(import.meta.dirname, 'node_modules', 'hl7.fhir.r4.examples');
const load = (name) => JSON.parse(fs.readFileSync(path.join(examples, `${name}.json`), 'utf8'));
const mobile = phone(1);
const state = {};

// repoint replaces every reference to a Patient with ours.
function repoint(node, patient) {
  if (Array.isArray(node)) return node.forEach((n) => repoint(n, patient));
  if (!node || typeof node !== 'object') return;
  if (typeof node.reference === 'string' && node.reference.startsWith('Patient/')) node.reference = patient;
  for (const v of Object.values(node)) repoint(v, patient);
}

// put sends an example with PUT Type/id (the EHR's id) and returns the answer.
async function put(resource) {
  return attempt(() => fhir.update({ resourceType: resource.resourceType, id: resource.id, body: resource }));
}

function accepted(r, what) {
  assert(r.status === 200 || r.status === 201, `${what}: ${r.status} ${outcomeText(r.data)}`);
  valid(r.data, `${what}'s answer`);
}

// clearOutcome: a refusal must be a 4xx OperationOutcome naming the path.
function clearOutcome(r, what) {
  assert(r.status >= 400 && r.status < 500, `${what}: ${r.status}, want a 4xx: ${JSON.stringify(r.data).slice(0, 500)}`);
  valid(r.data, `${what}'s OperationOutcome`);
  assert(r.data.resourceType === 'OperationOutcome', `${what}: not an OperationOutcome`);
  return r.data;
}

await step('HL7 example Patient (phone made E.164) is accepted', async () => {
  const p = load('Patient-example');
  p.telecom = p.telecom.map((t) => (t.system === 'phone' && t.use === 'mobile' ? { ...t, value: mobile } : t));
  if (!p.telecom.some((t) => t.value === mobile)) p.telecom.push({ system: 'phone', value: mobile, use: 'mobile' });
  p.extension = [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: env.tz }];
  accepted(await put(p), 'PUT Patient/example');
  const back = valid(await fhir.read({ resourceType: 'Patient', id: 'example' }), 'Patient/example');
  assert(back.birthDate === p.birthDate, `birthDate ${back.birthDate}, sent ${p.birthDate}`);
  assert(back.name?.some((n) => n.family === 'Chalmers'), 'the name was lost');
  const cp = await patientByPhone(mobile);
  assert(cp, 'no carepath patient with the Patient\'s phone');
  assert(cp.birth_date === p.birthDate, `carepath's birth_date ${cp.birth_date}`);
  state.carepathID = cp.id;
});
const patient = ['HL7 example Patient (phone made E.164) is accepted'];

await step('HL7 example Patient as published: accepted or refused naming the field', async () => {
  const p = load('Patient-xcda'); // no phone at all
  const r = await put(p);
  if (r.status >= 400) {
    const oo = clearOutcome(r, 'PUT Patient/xcda');
    assert(oo.issue.every((i) => i.expression?.length || i.code === 'not-supported'), `an issue names no path: ${outcomeText(oo)}`);
    figure(`fhir conformance samples: Patient/xcda (no telecom) refused: ${outcomeText(oo)}`);
  } else {
    accepted(r, 'PUT Patient/xcda');
  }
});

await step('conditional update by identifier: created once, then updated in place', async () => {
  const p = load('Patient-pat1'); // carries an identifier (system + value)
  const ident = p.identifier.find((i) => i.system && i.value);
  delete p.id;
  p.telecom = [{ system: 'phone', value: phone(3), use: 'mobile' }];
  p.birthDate = '1974-12-25'; // the example has none; carepath needs one
  p.extension = [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: env.tz }];
  const searchParams = { identifier: `${ident.system}|${ident.value}` };
  const first = await attempt(() => fhir.update({ resourceType: 'Patient', searchParams, body: p }));
  accepted(first, 'PUT Patient?identifier= (new)');
  assert(first.status === 201, `the first conditional update answered ${first.status}, want 201 (created)`);
  p.birthDate = '1974-12-26';
  const second = await attempt(() => fhir.update({ resourceType: 'Patient', searchParams, body: p }));
  accepted(second, 'PUT Patient?identifier= (again)');
  assert(second.status === 200, `the second conditional update answered ${second.status}, want 200 (updated)`);
  assert(second.data.id === first.data.id, `the second update made Patient/${second.data.id}, not Patient/${first.data.id}`);
  const found = valid(await fhir.search({ resourceType: 'Patient', searchParams }), 'Patient?identifier= searchset');
  assert(found.entry?.length === 1, `Patient?identifier= finds ${found.entry?.length}`);
  assert(found.entry[0].resource.birthDate === '1974-12-26', `birthDate ${found.entry[0].resource.birthDate} after the update`);
});

// The R4 vital-signs examples carepath reads, and the reading each makes.
const vitals = [
  ['Observation-f001', 'blood_glucose'], // glucose 6.3 mmol/L
  ['Observation-blood-pressure', 'blood_pressure'], // 107/60 mm[Hg]
  ['Observation-heart-rate', 'heart_rate'], // 44 /min
  ['Observation-satO2', 'spo2'], // 95 %
  ['Observation-body-temperature', 'temperature'], // 36.5 Cel
  ['Observation-example', 'weight'], // 185 [lb_av]
];
for (const [name, code] of vitals) {
  await step(`HL7 ${name} becomes a ${code} reading`, async () => {
    const o = load(name);
    repoint(o, 'Patient/example');
    accepted(await put(o), `PUT Observation/${o.id}`);
    valid(await fhir.read({ resourceType: 'Observation', id: o.id }), `Observation/${o.id}`);
    const r = await v1ok('GET', `/v1/patients/${state.carepathID}/observations?code=${code}`);
    assert((r.items ?? []).length >= 1, `no ${code} reading in /v1/patients/<id>/observations: ${JSON.stringify(r)}`);
  }, patient);
}

await step('weight in [lb_av] is converted to the canonical unit', async () => {
  const r = await v1ok('GET', `/v1/patients/${state.carepathID}/observations?code=weight`);
  const w = r.items?.[0];
  assert(w?.canonical_unit === 'kg', `canonical unit ${w?.canonical_unit}, want kg`);
  // 185 lb is 83.91 kg; the tolerance is the rounding of one decimal place.
  assert(Math.abs(Number(w.canonical_value) - 185 * 0.45359237) < 0.06, `weight ${JSON.stringify(w)}, want 83.9 kg`);
}, ['HL7 Observation-example becomes a weight reading']);

// Other types carepath takes, from the examples, patient references ours.
for (const name of ['Appointment-example', 'Encounter-example', 'RelatedPerson-peter', 'CarePlan-example', 'MedicationRequest-medrx0311']) {
  await step(`HL7 ${name} is accepted`, async () => {
    const r0 = load(name);
    repoint(r0, 'Patient/example');
    if (r0.resourceType === 'RelatedPerson') {
      r0.patient = { reference: 'Patient/example' };
      r0.telecom = [{ system: 'phone', value: phone(2), use: 'mobile' }];
    }
    accepted(await put(r0), `PUT ${r0.resourceType}/${r0.id}`);
    valid(await fhir.read({ resourceType: r0.resourceType, id: r0.id }), `${r0.resourceType}/${r0.id}`);
  }, patient);
}

// What carepath does not claim: a clear OperationOutcome.
await step('HL7 example of an unsupported type gets not-supported', async () => {
  const cs = await fhir.capabilityStatement();
  const types = new Set(cs.rest?.[0]?.resource?.map((r) => r.type));
  assert(!types.has('Medication'), 'the CapabilityStatement claims Medication');
  const m = load('Medication-med0301');
  const oo = clearOutcome(await put(m), `PUT Medication/${m.id}`);
  assert(oo.issue.some((i) => i.code === 'not-supported'), `issue codes ${oo.issue.map((i) => i.code)}, want not-supported`);
});

await step('HL7 example Observation carepath does not read: stored, or refused naming Observation.code', async () => {
  const o = load('Observation-respiratory-rate');
  repoint(o, 'Patient/example');
  const r = await put(o);
  if (r.status >= 400) {
    const oo = clearOutcome(r, 'PUT Observation/respiratory-rate');
    assert(JSON.stringify(oo.issue).includes('Observation.code'), `the OperationOutcome does not name Observation.code: ${outcomeText(oo)}`);
    figure(`fhir conformance samples: respiratory rate refused: ${outcomeText(oo)}`);
  } else {
    accepted(r, 'PUT Observation/respiratory-rate');
    figure('fhir conformance samples: respiratory rate (not a carepath reading) accepted and stored');
  }
}, patient);

await step('a re-sent example is not processed twice', async () => {
  const o = load('Observation-heart-rate');
  repoint(o, 'Patient/example');
  const before = await v1ok('GET', `/v1/patients/${state.carepathID}/observations?code=heart_rate`);
  accepted(await put(o), 'PUT Observation/heart-rate again');
  const after = await v1ok('GET', `/v1/patients/${state.carepathID}/observations?code=heart_rate`);
  assert((after.items ?? []).length === (before.items ?? []).length, `heart_rate readings ${before.items?.length} → ${after.items?.length}`);
}, ['HL7 Observation-heart-rate becomes a heart_rate reading']);

finish('samples');
