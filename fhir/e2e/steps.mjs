// steps.mjs is how a conformance script reports: each step passes, fails
// with a message, or is skipped because a step it needs failed. The
// results go to stdout and, as JSON lines, to $RESULTS_FILE, which the Go
// test (cmd/carepath/fhir_conformance_test.go) turns into subtests; the
// process exits 1 when any step failed. valid() validates what carepath
// answered (validate.mjs) and counts it by type for the figures.
import fs from 'node:fs';
import { format, profileChecks, validate } from './validate.mjs';

// Resources validated, by type, and which were valid.
const tally = new Map();

function count(resource) {
  if (!resource?.resourceType) return;
  tally.set(resource.resourceType, (tally.get(resource.resourceType) ?? 0) + 1);
  for (const e of resource.entry ?? []) {
    if (e.resource) count(e.resource);
    if (e.response?.outcome) count(e.response.outcome);
  }
  for (const c of resource.contained ?? []) count(c);
}

/**
 * valid checks a resource carepath answered with both validators and
 * throws the validators' issues when it is not valid R4; it counts every
 * resource checked (a Bundle's entries too) by type.
 */
export function valid(resource, what) {
  const issues = validate(resource);
  if (issues.length) {
    throw new Error(`${what} is not valid FHIR R4 (${issues.length} issue(s)):\n${format(issues)}\n${JSON.stringify(resource, null, 1).slice(0, 4000)}`);
  }
  count(resource);
  return resource;
}

/** assert throws msg unless cond. */
export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// Steps.
const results = [];
const failed = new Set();
const resultsFile = process.env.RESULTS_FILE;

function record(r) {
  results.push(r);
  const head = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' }[r.status];
  console.log(`${head} ${r.step}${r.message ? `: ${r.message}` : ''}`);
  if (resultsFile) fs.appendFileSync(resultsFile, JSON.stringify(r) + '\n');
}

/**
 * step runs one named check. needs names earlier steps it depends on: if
 * one of them failed it is skipped (reported as such). It returns fn's
 * value, or undefined when it failed or was skipped.
 */
export async function step(name, fn, needs = []) {
  const missing = needs.filter((n) => failed.has(n));
  if (missing.length) {
    failed.add(name);
    record({ step: name, status: 'skip', message: `needs ${missing.join(', ')}` });
    return undefined;
  }
  const start = Date.now();
  try {
    const v = await fn();
    record({ step: name, status: 'pass', ms: Date.now() - start });
    return v;
  } catch (err) {
    failed.add(name);
    record({ step: name, status: 'fail', message: String(err?.message ?? err) });
    return undefined;
  }
}

/** figure records a measured line the Go test prints. */
export function figure(line) {
  console.log(`figure: ${line}`);
  if (resultsFile) fs.appendFileSync(resultsFile, JSON.stringify({ figure: line }) + '\n');
}

/** finish prints what was validated and exits 1 if any step failed. */
export function finish(script) {
  const total = [...tally.values()].reduce((a, b) => a + b, 0);
  const byType = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${t} ${n}`).join(', ');
  const profs = [...profileChecks].map(([url, n]) => `${url.split('/').pop()} ${n}`).join(', ');
  if (total) figure(`fhir conformance ${script}: ${total} resources valid R4 (Medplum validator + HL7 JSON schema)${byType ? `: ${byType}` : ''}${profs ? `; vital-signs profile checks: ${profs}` : ''}`);
  if (resultsFile) fs.appendFileSync(resultsFile, JSON.stringify({ validated: Object.fromEntries(tally) }) + '\n');
  const n = (s) => results.filter((r) => r.status === s).length;
  console.log(`${script}: ${n('pass')} passed, ${n('fail')} failed, ${n('skip')} skipped`);
  process.exit(n('fail') + n('skip') ? 1 : 0);
}
