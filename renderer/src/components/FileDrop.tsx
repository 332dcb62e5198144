import { useEffect, useRef, useState } from 'react';
import { fileSize } from '../format';
import { fileRefusal } from './file-accept';

/**
 * A file input that also takes a dropped file; it clears itself when the form clears `file` (after an upload). A file
 * that does not match `accept` or exceeds `maxBytes` is refused with the reason, and the file chosen before stays.
 */
export function FileDrop(props: {
  file?: File;
  onFile: (file: File | undefined) => void;
  prompt: string;
  accept?: string;
  maxBytes?: number;
  testId: string;
}) {
  const [dragging, setDragging] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!props.file && input.current) input.current.value = '';
  }, [props.file]);
  const take = (file: File | undefined) => {
    const reason = file && fileRefusal(file, props.accept, props.maxBytes);
    setRefusal(reason);
    if (reason) {
      if (input.current) input.current.value = '';
      return;
    }
    props.onFile(file);
  };
  return (
    <label
      className={`dropzone${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        // Dragged text or a link carries no file: nothing to take, and the file chosen before stays.
        const file = e.dataTransfer.files[0];
        if (file) take(file);
      }}
    >
      {props.file ? `${props.file.name} (${fileSize(props.file.size)})` : props.prompt}
      <input
        ref={input}
        type="file"
        accept={props.accept}
        onChange={(e) => take(e.target.files?.[0])}
        data-testid={props.testId}
      />
      {refusal ? (
        <span className="failure" role="alert" data-testid={`${props.testId}-refusal`}>
          {refusal}
        </span>
      ) : null}
    </label>
  );
}
