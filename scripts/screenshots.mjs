// Takes the README's screenshots of the demo portal: docs/portal.png signs in at the local sandbox
// as daniel, connects a second sandbox as kim, and captures both records side by side;
// docs/portal-clinician.png is a clinician's launch (dr-smith, fhirUser a Practitioner).
// Needs the package built and the sandbox running (tests/sandbox/start.sh); starts the second one.
// Run: node scripts/screenshots.mjs
import { launchBrowser, sandbox, signIn, loginAndConsent, startSecondSandbox, RECORD_SCOPE, DEMO } from '../tests/e2e/helpers.mjs';

const second = await startSecondSandbox();
const browser = await launchBrowser();
try {
  await sandbox.reset();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })).newPage();
  await signIn(page, { scope: RECORD_SCOPE }, 'daniel');
  await page.waitForSelector('#records[data-loaded=true]');
  await page.click('#connect');
  await loginAndConsent(page, 'kim');
  await page.waitForURL(`${DEMO}/index.html**`);
  await page.waitForFunction(() => document.querySelectorAll('#records-grid article').length === 2 && document.querySelector('#records[data-loaded=true]'));
  await page.evaluate(() => { document.getElementById('context').hidden = true; });
  await page.screenshot({ path: new URL('../docs/portal.png', import.meta.url).pathname, fullPage: true });
  console.log('docs/portal.png written');
  const clinician = await (await browser.newContext({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 })).newPage();
  await signIn(clinician, { scope: RECORD_SCOPE.replace('patient/*.cruds', 'user/*.rs') }, 'dr-smith');
  await clinician.waitForSelector('#records[data-loaded=true]');
  await clinician.evaluate(() => { document.getElementById('context').hidden = true; document.getElementById('connect').hidden = true; });
  await clinician.screenshot({ path: new URL('../docs/portal-clinician.png', import.meta.url).pathname, clip: { x: 0, y: 0, width: 900, height: 640 } });
  console.log('docs/portal-clinician.png written');
} finally {
  await browser.close();
  await second.stop();
}
