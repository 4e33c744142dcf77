// Types of smart-wasm-sandbox/playwright: a Playwright `Page` (playwright or playwright-core), by
// the methods used.
export interface PageLike {
  waitForSelector(selector: string): Promise<unknown>;
  isVisible(selector: string): Promise<boolean>;
  fill(selector: string, value: string): Promise<void>;
  selectOption(selector: string, value: string): Promise<unknown>;
  click(selector: string): Promise<void>;
}
/** Fills the sandbox's sign-in (skipped when still signed in) and consent pages. */
export function signIn(page: PageLike, as?: { user?: string; patient?: string }): Promise<void>;
