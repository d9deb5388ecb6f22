// A nurse's day in the console (issue 13, item 4), in Debian's Chromium:
// sign in; a patient answers a check-in with "3" (worse) and the urgent
// task appears in the inbox without a reload; the nurse reads the reply,
// acknowledges, texts the patient back and the fake Twilio gets exactly
// that text once; she corrects the phone number and the next message goes
// to the new one; a bulk dry run lists the patient who texted STOP with the
// reason; the reports draw their charts; every page is screenshot.
import {
  api, control, env, heading, nav, newPage, run, sent, shot, signIn, sleep, TABLET, waitUntil,
} from './lib.mjs';

// What the post-visit check-in raises for "3" (journeys/post_visit_checkin.go).
const WORSE = /feeling worse after visit/i;

const seed = await control('POST', '/seed');
const patient = seed.patient;
const reply1 = 'Hi Maria, this is Joy from your care team. I will call you in 10 minutes.';
const reply2 = 'Hi Maria, Joy again: this goes to your new number.';
let page;
let taskID;

// textsTo waits until the fake Twilio received body at number, then checks
// a moment later that it came exactly once.
async function exactlyOnce(number, body) {
  const matching = async () => (await sent(number)).filter((m) => m.body === body);
  await waitUntil(`the fake Twilio to receive ${JSON.stringify(body)} at ${number}`,
    async () => (await matching()).length > 0, 60_000);
  await sleep(3000); // a duplicate send would arrive within this
  const n = (await matching()).length;
  if (n !== 1) throw new Error(`the fake Twilio received the text ${n} times at ${number}, want exactly once`);
}

async function sendMessage(text) {
  await heading(page, 'Conversation');
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  // The thread shows the reply once it is accepted.
  await page.getByText(text).first().waitFor();
}

await run('console', [
  ['sign in as the bootstrap admin', async (ctx) => {
    page = await newPage(ctx.browser);
    ctx.pages.push(page);
    await page.goto(env.console);
    await page.waitForURL(/\/console\/signin/);
    await shot(page, 'signin');
    await signIn(page, env.adminEmail, env.adminPassword);
    await heading(page, 'Tasks');
  }],

  ['a reply of "3" puts an urgent task in the open inbox without a reload', async () => {
    const row = page.locator('table tr.urgent').filter({ has: page.getByRole('link', { name: WORSE }) });
    if (await row.count() !== 0) throw new Error('the urgent task is in the inbox before the patient replied');
    // A reload would lose this mark.
    await page.evaluate(() => { window.carepathNoReload = true; });
    await control('POST', '/reply', { from: patient.phone, body: '3' });
    await row.first().waitFor({ timeout: 45_000 });
    if (!await page.evaluate(() => window.carepathNoReload === true)) {
      throw new Error('the page reloaded to show the task');
    }
    await shot(page, 'tasks', { notices: true }); // with the new task's announcement
  }],

  ['open the task, read the reply and acknowledge', async () => {
    await page.locator('table tr.urgent').getByRole('link', { name: WORSE }).first().click();
    await heading(page, 'Task');
    taskID = page.url().split('/').pop();
    // The triggering message: the patient's "3".
    await page.getByText('3', { exact: true }).first().waitFor();
    await shot(page, 'task');
    await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await waitUntil('the task to be acknowledged', async () =>
      (await api('/v1/tasks/' + taskID)).status === 'acknowledged');
    await page.getByText(/acknowledged/i).first().waitFor();
  }],

  ['reply to the patient: the fake Twilio gets that text exactly once', async () => {
    await page.getByRole('link', { name: 'Reply to patient', exact: true }).click();
    await page.waitForURL(new RegExp(`/console/patients/${patient.id}/conversation$`));
    await sendMessage(reply1);
    await exactlyOnce(patient.phone, reply1);
    await shot(page, 'conversation');
  }],

  ['find the patient and correct the phone number', async () => {
    await nav(page, 'Patients');
    await heading(page, 'Patients');
    await page.getByLabel('Search', { exact: true }).fill('Alvarez');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const link = page.getByRole('link', { name: patient.name });
    await link.first().waitFor();
    await shot(page, 'patients');
    await link.first().click();
    await heading(page, patient.name);
    await shot(page, 'patient');
    await page.getByRole('button', { name: 'Edit contact details', exact: true }).click();
    await page.getByLabel('Phone', { exact: true }).fill(seed.new_phone);
    await shot(page, 'patient-edit');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await waitUntil('the API to hold the new phone number', async () =>
      (await api('/v1/patients/' + patient.id)).phone === seed.new_phone);
  }],

  ['the next message goes to the new number', async () => {
    await page.goto(`${env.console}/patients/${patient.id}/conversation`);
    await sendMessage(reply2);
    await exactlyOnce(seed.new_phone, reply2);
    if ((await sent(patient.phone)).some((m) => m.body === reply2)) {
      throw new Error('the message after the correction also went to the old number');
    }
  }],

  ['a bulk dry run lists the patient who texted STOP, with the reason', async () => {
    await nav(page, 'Launch');
    await heading(page, 'Bulk launch');
    await page.getByLabel('Journey', { exact: true }).selectOption(seed.journey);
    await page.getByLabel('Tag', { exact: true }).fill(seed.tag);
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    // The skipped table names the patient (by name, or at least by ID)
    // and says why: the STOP.
    const stopped = seed.stopped;
    const row = page.locator('table tr').filter({ hasText: new RegExp(`${stopped.name}|${stopped.id}`) });
    await row.first().waitFor();
    const cells = (await row.first().locator('td, th').allInnerTexts()).map((s) => s.trim());
    console.log(`     skipped: ${JSON.stringify(cells)}`);
    if (!cells.some((c) => /opted.?out|stop/i.test(c))) {
      throw new Error(`the skipped row does not say the patient opted out: ${JSON.stringify(cells)}`);
    }
    await page.getByText(/Expected messages: \d+/).first().waitFor();
    await row.first().scrollIntoViewIfNeeded();
    await shot(page, 'bulk');
  }],

  ['the reports page draws its charts', async () => {
    await nav(page, 'Reports');
    await heading(page, 'Reports');
    const charts = page.locator('svg[role="img"]');
    await charts.first().waitFor();
    const labels = await charts.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || ''));
    if (labels.length === 0 || labels.some((l) => !l.trim())) {
      throw new Error(`charts without an aria-label: ${JSON.stringify(labels)}`);
    }
    console.log(`     ${labels.length} charts: ${labels.join('; ')}`);
    if (await page.getByRole('link', { name: 'Download CSV' }).count() === 0) {
      throw new Error('no "Download CSV" link on the reports page');
    }
    await shot(page, 'reports');
  }],

  ['the other pages: timeline, launch, on call, users, account', async () => {
    await page.goto(`${env.console}/patients/${patient.id}/timeline`);
    await heading(page, 'Timeline');
    // The conversation's replies are on the timeline too.
    await page.getByText(reply1).first().waitFor();
    await shot(page, 'timeline');
    await page.goto(`${env.console}/patients/${patient.id}/launch`);
    await heading(page, 'Launch a journey');
    await shot(page, 'launch');
    for (const [link, h1, file] of [['On call', 'On call', 'oncall'], ['Users', 'Users', 'users'], ['Account', 'Account', 'account']]) {
      await nav(page, link);
      await heading(page, h1);
      await shot(page, file);
    }
  }],

  ['the inbox at tablet width', async () => {
    await page.setViewportSize(TABLET);
    await nav(page, 'Tasks');
    await heading(page, 'Tasks');
    await page.locator('table').first().waitFor();
    await shot(page, 'tasks-tablet');
  }],
]);
