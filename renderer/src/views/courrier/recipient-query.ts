/** Pure helpers of the recipient suggestions: the text being typed after the last separator, and what a pick inserts. */

/** Where the recipient being typed starts: just after the last comma or semicolon outside quotes. */
function lastRecipientStart(text: string): number {
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === ',' || ch === ';')) start = i + 1;
  }
  return start;
}

/** The text after the last comma or semicolon outside quotes: what the suggestions look for. */
export function lastRecipientQuery(text: string): string {
  return text.slice(lastRecipientStart(text)).trim();
}

/** Replace what follows the last separator with `recipient`, then « , » so the next one can be typed at once. */
export function replaceLastRecipient(text: string, recipient: string): string {
  const before = text.slice(0, lastRecipientStart(text)).trimEnd();
  return `${before ? `${before} ` : ''}${recipient}, `;
}

/** `Nom <adresse>` (the name quoted when it holds a separator), or the bare address. */
export function formatSuggestion(s: { name: string; email: string }): string {
  const name = s.name.trim();
  if (!name || name.toLowerCase() === s.email.toLowerCase()) return s.email;
  return /[,;"<>@]/.test(name) ? `"${name.replace(/["\\]/g, '')}" <${s.email}>` : `${name} <${s.email}>`;
}
