/** Pure helpers of the composer: recipient lists and attachment sizes. */

/** Split what the user typed in À / Cc / Cci on commas and semicolons outside quotes. */
export function splitRecipients(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ',' || ch === ';')) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

const ADDRESS = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]+$/;

/** Entries that are not `address` or `Name <address>`. */
export function invalidRecipients(entries: string[]): string[] {
  return entries.filter((entry) => {
    const inBrackets = /<([^<>]*)>\s*$/.exec(entry);
    return !ADDRESS.test((inBrackets ? inBrackets[1] : entry).trim());
  });
}

/** Attachments above this size get a warning (many servers refuse messages over 20 Mo). */
export const LARGE_ATTACHMENTS_BYTES = 20 * 1024 * 1024;
