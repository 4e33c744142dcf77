// smart-wasm-sandbox/playwright: fills the sandbox's sign-in and consent pages in a Playwright
// page, as a person would (for a sandbox that is not headless). Works with playwright and
// playwright-core; nothing is imported from them.

/**
 * Waits for the sandbox's sign-in page (skipped when the user is still signed in), signs in as
 * `user` (with `patient` in context for a clinician), and accepts the consent page.
 */
export async function signIn(page, { user = 'amy', patient } = {}) {
  await page.waitForSelector('input[name=login], button:has-text("Continue")');
  if (await page.isVisible('input[name=login]')) {
    await page.fill('input[name=login]', user);
    await page.fill('input[name=password]', 'any password');
    if (patient) await page.selectOption('select[name=patient]', patient);
    await page.click('button[type=submit]');
    await page.waitForSelector('button:has-text("Continue")');
  }
  await page.click('button:has-text("Continue")');
}
