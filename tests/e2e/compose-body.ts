import { expect, type Locator } from '@playwright/test';

/**
 * The composer's body whatever the format: the formatted editor (a contenteditable, the default since issue 17) or the
 * plain-text box (« Texte brut », and replies to a plain-text original). Both are labelled « Texte du message ».
 */
export function composeBody(compose: Locator): Locator {
  return compose.getByLabel('Texte du message', { exact: true });
}

async function isPlainText(body: Locator): Promise<boolean> {
  return (await body.evaluate((el) => el.tagName)) === 'TEXTAREA';
}

/** Replaces the body with `text` (each '\n' a new line in plain text, a new paragraph in the editor). */
export async function fillBody(compose: Locator, text: string): Promise<void> {
  const body = composeBody(compose);
  await expect(body).toBeVisible();
  if (await isPlainText(body)) {
    await body.fill(text);
    return;
  }
  await body.click();
  await body.press('Control+a');
  await body.press('Delete');
  await typeInBody(compose, text);
}

/** Types `text` where the caret is (keystrokes, as an agent does; '\n' is Entrée). */
export async function typeInBody(compose: Locator, text: string): Promise<void> {
  const body = composeBody(compose);
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (i > 0) await body.press('Enter');
    if (line) await body.pressSequentially(line);
  }
}

/** Moves the caret to the end of the body (Ctrl+Fin), then types `text`. */
export async function appendToBody(compose: Locator, text: string): Promise<void> {
  const body = composeBody(compose);
  await body.focus();
  await body.press('Control+End');
  await typeInBody(compose, text);
}

/** The body as the agent reads it (the editor's paragraphs one per line). */
export async function bodyText(compose: Locator): Promise<string> {
  const body = composeBody(compose);
  if (await isPlainText(body)) return body.inputValue();
  return body.evaluate((el) => (el as HTMLElement).innerText);
}

/** Waits until the body matches `expected`. */
export async function expectBody(compose: Locator, expected: RegExp, timeout = 10_000): Promise<void> {
  await expect.poll(() => bodyText(compose), { timeout }).toMatch(expected);
}
