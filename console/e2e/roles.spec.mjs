// Who may see what (issue 13, item 4): a care_team person signs in (with
// the keyboard only) and cannot reach the admin pages: the nav hides Users
// and /console/users says "Not allowed"; a signed-out browser opening a
// console page is sent to sign-in, and so is one that signed out.
import { control, env, heading, newPage, run, shot } from './lib.mjs';

const seed = await control('POST', '/seed');

await run('roles', [
  ['a signed-out browser opening /console/tasks lands on sign-in', async (ctx) => {
    const page = await newPage(ctx.browser);
    ctx.pages.push(page);
    await page.goto(env.console + '/tasks');
    await page.waitForURL(/\/console\/signin/);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.goto(env.console + '/users');
    await page.waitForURL(/\/console\/signin/);
    await page.close();
  }],

  ['a care_team person signs in with the keyboard and the nav hides Users', async (ctx) => {
    const page = await newPage(ctx.browser);
    ctx.pages.push(page);
    ctx.page = page;
    await page.goto(env.console + '/signin');
    await page.getByLabel('Email', { exact: true }).focus();
    await page.keyboard.type(seed.care_team.email);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id &&
      document.querySelector(`label[for="${document.activeElement.id}"]`)?.textContent.trim());
    if (focused !== 'Password') throw new Error(`Tab from Email went to ${JSON.stringify(focused)}, want the Password field`);
    await page.keyboard.type(seed.care_team.password);
    await page.keyboard.press('Enter');
    await heading(page, 'Tasks');
    const main = page.getByRole('navigation', { name: 'Main' });
    await main.getByRole('link', { name: 'Tasks', exact: true }).waitFor();
    if (await main.getByRole('link', { name: 'Users', exact: true }).count() !== 0) {
      throw new Error('the nav shows Users to a care_team person');
    }
  }],

  ['a care_team person opening /console/users sees "Not allowed"', async (ctx) => {
    const page = ctx.page;
    await page.goto(env.console + '/users');
    await heading(page, 'Not allowed');
    if (await page.getByRole('heading', { level: 1, name: 'Users', exact: true }).count() !== 0) {
      throw new Error('the Users page rendered for a care_team person');
    }
    await shot(page, 'not-allowed');
  }],
  ['signing out ends the session: the console sends the browser to sign-in', async (ctx) => {
    const page = ctx.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account', exact: true }).click();
    await heading(page, 'Account');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/console\/signin/);
    await page.goto(env.console + '/tasks');
    await page.waitForURL(/\/console\/signin/);
  }],
]);
