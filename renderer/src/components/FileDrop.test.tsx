import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { FileDrop } from './FileDrop';

const WASM = '.wasm,application/wasm';
const wasmFile = (name = 'hello.wasm', bytes = 2048) =>
  new File([new Uint8Array(bytes)], name, { type: 'application/wasm' });
const textFile = () => new File(['hello'], 'notes.txt', { type: 'text/plain' });

/** The form around it: holds the file, and can clear it as a form does after an upload. */
function Form({
  accept,
  maxBytes,
  onFile,
}: {
  accept?: string;
  maxBytes?: number;
  onFile?: (f: File | undefined) => void;
}) {
  const [file, setFile] = useState<File>();
  return (
    <>
      <FileDrop
        file={file}
        onFile={(f) => {
          onFile?.(f);
          setFile(f);
        }}
        prompt="Drop a module here"
        accept={accept}
        maxBytes={maxBytes}
        testId="file"
      />
      <button type="button" onClick={() => setFile(undefined)}>
        uploaded
      </button>
    </>
  );
}

const zone = () => screen.getByTestId('file').closest('label')!;
const drop = (files: File[]) =>
  fireEvent.drop(zone(), { dataTransfer: { files, types: files.length ? ['Files'] : ['text/plain'] } });

describe('FileDrop', () => {
  it('takes a file from the picker and shows its name and size', async () => {
    const onFile = vi.fn();
    render(<Form accept={WASM} onFile={onFile} />);
    await userEvent.upload(screen.getByTestId('file'), wasmFile());
    expect(onFile).toHaveBeenCalledWith(expect.objectContaining({ name: 'hello.wasm' }));
    expect(zone().textContent).toContain('hello.wasm (2.0 KiB)');
  });

  it('takes a dropped file, and shows the drag state only while dragging', () => {
    const onFile = vi.fn();
    render(<Form accept={WASM} onFile={onFile} />);
    fireEvent.dragOver(zone());
    expect(zone().className).toBe('dropzone dragging');
    fireEvent.dragLeave(zone());
    expect(zone().className).toBe('dropzone');
    fireEvent.dragOver(zone());
    drop([wasmFile('price-with-tax.wasm')]);
    expect(zone().className).toBe('dropzone');
    expect(onFile).toHaveBeenCalledTimes(1);
    expect(zone().textContent).toContain('price-with-tax.wasm');
  });

  it('refuses a dropped file that does not match accept, with the reason, and keeps the file chosen before', () => {
    const onFile = vi.fn();
    render(<Form accept={WASM} onFile={onFile} />);
    drop([wasmFile()]);
    drop([textFile()]);
    expect(onFile).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('alert').textContent).toBe('notes.txt is not a .wasm or application/wasm file');
    expect(zone().textContent).toContain('hello.wasm');
    drop([wasmFile('whoami.wasm')]);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(zone().textContent).toContain('whoami.wasm');
  });

  it('refuses a picked file the picker let through ("all files"), and empties the input', async () => {
    const onFile = vi.fn();
    render(<Form accept={WASM} onFile={onFile} />);
    const input = screen.getByTestId('file') as HTMLInputElement;
    await userEvent.setup({ applyAccept: false }).upload(input, textFile());
    expect(onFile).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('notes.txt');
    expect(input.value).toBe('');
  });

  it('refuses a file over maxBytes', () => {
    const onFile = vi.fn();
    render(<Form maxBytes={1024} onFile={onFile} />);
    drop([wasmFile('big.wasm', 4096)]);
    expect(onFile).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toBe('big.wasm is 4.0 KiB: at most 1.0 KiB');
  });

  it('ignores a drop that carries no file (dragged text), keeping the file chosen before', () => {
    const onFile = vi.fn();
    render(<Form accept={WASM} onFile={onFile} />);
    drop([wasmFile()]);
    drop([]);
    expect(onFile).toHaveBeenCalledTimes(1);
    expect(zone().textContent).toContain('hello.wasm');
  });

  it('clears itself when the form clears the file, so the same file can be picked again', async () => {
    const onFile = vi.fn();
    render(<Form accept={WASM} onFile={onFile} />);
    const input = screen.getByTestId('file') as HTMLInputElement;
    const module = wasmFile();
    await userEvent.upload(input, module);
    expect(input.value).not.toBe('');
    await userEvent.click(screen.getByRole('button', { name: 'uploaded' }));
    expect(input.value).toBe('');
    expect(zone().textContent).toContain('Drop a module here');
    await userEvent.upload(input, module);
    expect(onFile).toHaveBeenCalledTimes(2);
  });
});
