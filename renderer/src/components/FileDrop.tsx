import { useEffect, useRef, useState } from 'react';

/** A file input that also takes a dropped file; it clears itself when the form clears `file` (after an upload). */
export function FileDrop(props: { file?: File; onFile: (file: File | undefined) => void; prompt: string; accept?: string; testId: string }) {
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!props.file && input.current) input.current.value = '';
  }, [props.file]);
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
        props.onFile(e.dataTransfer.files[0]);
      }}
    >
      {props.file ? `${props.file.name} (${fileSize(props.file.size)})` : props.prompt}
      <input ref={input} type="file" accept={props.accept} onChange={(e) => props.onFile(e.target.files?.[0])} data-testid={props.testId} />
    </label>
  );
}
