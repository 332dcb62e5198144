import { expect, type Page } from '@playwright/test';

/** Tenant screens ask for a tenant user once; the session then holds across screens until sign-out. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByTestId('signin-form');
  const signedIn = page.getByText(/^Acting as /);
  await expect(form.or(signedIn)).toBeVisible();
  if (await signedIn.isVisible()) {
    if ((await signedIn.textContent())?.includes(email)) return;
    await page.getByRole('button', { name: 'sign out' }).click();
  }
  await page.getByTestId('signin-email').fill(email);
  await page.getByTestId('signin-password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(new RegExp(`^Acting as ${email.replace('.', '\\.')}`))).toBeVisible();
}
