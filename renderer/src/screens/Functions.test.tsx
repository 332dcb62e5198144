import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ExampleView, FunctionView } from '../../../server/api/contract';
import { api } from '../api';
import { SessionProvider } from '../session';
import { Functions } from './Functions';

const fn = (name: string, over: Partial<FunctionView> = {}): FunctionView => ({
  name,
  sha256: 'abc',
  size_bytes: 2048,
  manifest: {},
  created_at: '2026-01-01T10:00:00.000Z',
  updated_at: '2026-01-01T10:00:00.000Z',
  last_error: null,
  last_error_at: null,
  ...over,
});

async function signedIn(functions: FunctionView[][], examples: ExampleView[] = []) {
  vi.spyOn(api, 'examples').mockResolvedValue(examples);
  vi.spyOn(api, 'login').mockResolvedValue({
    access_token: 'token-alice',
    token_type: 'Bearer' as const,
    expires_in: 900,
    session_token: 's',
  });
  const list = vi
    .spyOn(api, 'functions')
    .mockImplementation(async () => (functions.length > 1 ? functions.shift()! : functions[0]!));
  render(
    <SessionProvider>
      <Functions />
    </SessionProvider>,
  );
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  return list;
}

describe('the Functions screen', () => {
  it('deploys an example to the acting user’s tenant in one click, saying what it does', async () => {
    const examples = [
      { name: 'hello', description: 'returns "Hello, <input>!"', sizeBytes: 900 },
      { name: 'whoami', description: 'answers with the caller’s tenant', sizeBytes: 1000 },
    ];
    const module = vi.spyOn(api, 'exampleModule').mockResolvedValue(new Uint8Array([0, 97, 115, 109]));
    const deploy = vi.spyOn(api, 'deployFunction').mockResolvedValue(fn('whoami'));
    await signedIn([[], [fn('whoami')]], examples);
    await userEvent.selectOptions(await screen.findByTestId('example-select'), 'whoami');
    expect(screen.getByText('answers with the caller’s tenant')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Deploy the example' }));
    expect(module).toHaveBeenCalledWith('whoami');
    expect(deploy).toHaveBeenCalledWith('token-alice', 'whoami', new Uint8Array([0, 97, 115, 109]));
    expect(await screen.findByTestId('function-row-whoami')).toBeTruthy();
  });

  it('lists the functions with their limits, network and last error', async () => {
    await signedIn([
      [
        fn('hello'),
        fn('http-status', {
          manifest: { timeout_ms: 500, allowed_hosts: ['api.example.com'] },
          last_error: { kind: 'timeout', message: 'deadline of 500 ms passed' },
        }),
      ],
    ]);
    const row = within(await screen.findByTestId('function-row-http-status'));
    expect(row.getByText('500 ms · 16 MiB')).toBeTruthy();
    expect(screen.getByTestId('function-network-http-status').textContent).toBe('api.example.com');
    expect(row.getByText('timeout: deadline of 500 ms passed')).toBeTruthy();
    expect(screen.getByTestId('function-network-hello').textContent).toBe('none');
  });

  it('deploys a picked module under the name taken from its file, then clears the form and lists it', async () => {
    const list = await signedIn([[], [fn('price-with-tax')]]);
    const deploy = vi.spyOn(api, 'deployFunction').mockImplementation(async (_t, name) => fn(name));
    await screen.findByText(/No functions in this tenant yet/);
    await userEvent.upload(
      screen.getByTestId('upload-file'),
      new File([new Uint8Array([0, 97, 115, 109])], 'Price_With_Tax.wasm', { type: 'application/wasm' }),
    );
    expect((screen.getByTestId('upload-name') as HTMLInputElement).value).toBe('price-with-tax');
    await userEvent.type(screen.getByTestId('upload-manifest'), '{{"timeout_ms": 500}');
    await userEvent.click(screen.getByTestId('upload-submit'));
    expect(await screen.findByTestId('function-row-price-with-tax')).toBeTruthy();
    const [token, name, module, manifest] = deploy.mock.calls[0]!;
    expect([token, name, [...module], manifest]).toEqual([
      'token-alice',
      'price-with-tax',
      [0, 97, 115, 109],
      '{"timeout_ms": 500}',
    ]);
    expect(list).toHaveBeenCalledTimes(2);
    expect((screen.getByTestId('upload-name') as HTMLInputElement).value).toBe('');
    expect((screen.getByTestId('upload-submit') as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows an invocation’s output and timings, and a call that got no answer as an error', async () => {
    await signedIn([[fn('hello')]]);
    const invoke = vi
      .spyOn(api, 'invokeFunction')
      .mockResolvedValueOnce({
        ok: true,
        status: 200,
        output: 'hello, apprun',
        timings: { compileMs: 0.5, instantiateMs: 0.25, runMs: 0.004 },
      })
      .mockRejectedValueOnce(new Error('the apprun core is still starting'));
    await userEvent.click(await screen.findByTestId('invoke-submit'));
    expect(invoke).toHaveBeenCalledWith('token-alice', 'hello', 'apprun');
    expect((await screen.findByTestId('invoke-output')).textContent).toBe('hello, apprun');
    expect(screen.getByTestId('invoke-timings').textContent).toContain(
      'compile 0.50 ms · instantiate 0.25 ms · run 4 µs',
    );
    await userEvent.click(screen.getByTestId('invoke-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('error: the apprun core is still starting');
  });
});
