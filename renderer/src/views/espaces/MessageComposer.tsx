/**
 * The writing line of a Discussion (a space's or a direct one): the message field with its hidden label, « Envoyer »,
 * and « Joindre un fichier » for the same Discussion.
 */
import { useId, type FormEvent } from 'react';
import { AttachFileButton, type ChatTarget } from './ChatFiles';

export function MessageComposer({
  label,
  placeholder,
  sendLabel,
  testIds,
  text,
  onText,
  sending,
  onSubmit,
  target,
  onFileSent,
}: {
  label: string;
  placeholder: string;
  sendLabel: string;
  testIds: { input: string; send: string };
  text: string;
  onText(text: string): void;
  sending: boolean;
  onSubmit(e: FormEvent): void;
  target: ChatTarget;
  onFileSent(): void;
}) {
  const inputId = useId();
  return (
    <>
      <form className="discussion-form" onSubmit={onSubmit}>
        <label htmlFor={inputId} className="visually-hidden">
          {label}
        </label>
        <input id={inputId} value={text} onChange={(e) => onText(e.target.value)} placeholder={placeholder} data-testid={testIds.input} />
        <button type="submit" className="button button-primary" disabled={sending || !text.trim()} data-testid={testIds.send}>
          {sendLabel}
        </button>
      </form>
      <AttachFileButton target={target} onSent={onFileSent} />
    </>
  );
}
