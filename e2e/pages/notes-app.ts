import { expect, type Page } from '@playwright/test';

/** The notes example (examples/notes), as a user drives it. */
export class NotesApp {
  constructor(private readonly page: Page) {}

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('email').fill(email);
    await this.page.getByLabel('password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(this.page.getByText(`Signed in as ${email}`)).toBeVisible();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
    await expect(this.page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  }

  /** Waits for exactly these notes on screen, newest first (each followed by its author). */
  async expectNotes(bodies: string[]): Promise<void> {
    const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(this.page.getByRole('list', { name: 'notes' }).getByRole('listitem')).toHaveText(
      bodies.map((b) => new RegExp(`^${literal(b)} — `)),
    );
  }

  async add(body: string): Promise<void> {
    await this.page.getByLabel('new note').fill(body);
    await this.page.getByRole('button', { name: 'Add' }).click();
    await expect(this.page.getByRole('list', { name: 'notes' }).getByText(body)).toBeVisible();
  }
}
