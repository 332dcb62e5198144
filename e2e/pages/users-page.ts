import { expect, type Page } from '@playwright/test';

/** The Users screen: create a user, and a user's row with its actions (act as, disable/enable, delete). */
export class UsersPage {
  constructor(readonly page: Page) {}

  row(email: string) {
    return this.page.getByTestId(`user-${email}`);
  }

  async create(email: string, password: string, tenant: string, role: 'user' | 'admin' = 'user'): Promise<void> {
    const form = this.page.getByTestId('create-user');
    await form.getByTestId('new-user-email').fill(email);
    await form.getByTestId('new-user-password').fill(password);
    await form.getByTestId('new-user-tenant').selectOption(tenant);
    await form.getByTestId('new-user-role').selectOption(role);
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect(this.row(email)).toBeVisible();
  }

  async act(email: string, action: 'act as' | 'disable' | 'enable'): Promise<void> {
    await this.row(email).getByRole('button', { name: action, exact: true }).click();
  }

  async remove(email: string): Promise<void> {
    await this.row(email).getByRole('button', { name: 'delete' }).click();
    await this.page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete the user' }).click();
    await expect(this.row(email)).toBeHidden();
  }
}
