import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The lint rule that keeps visible text out of JSX (issue 3, point 8): the full ESLint config of the project. */

const root = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });
const TEXT_RULES = new Set(['react/jsx-no-literals', 'no-restricted-syntax']);

async function textProblems(
  code: string,
  file = 'renderer/src/views/Example.tsx',
): Promise<{ rule: string; line: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal, 'snippet must parse').toEqual([]);
  return result.messages.filter((m) => TEXT_RULES.has(m.ruleId ?? '')).map((m) => ({ rule: m.ruleId!, line: m.line, message: m.message }));
}

const header = `import { useTranslation } from 'react-i18next';\n`;

describe('no literal text in JSX', () => {
  it('reports text between tags', async () => {
    const found = await textProblems(`${header}export function A() {\n  return <p>Bonjour</p>;\n}\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'react/jsx-no-literals', line: 3 });
    expect(found[0].message).toContain('Bonjour');
  });

  it('reports a literal string in an expression container', async () => {
    const found = await textProblems(`${header}export function A() {\n  return <p>{'Chargement…'}</p>;\n}\n`);
    expect(found.map((f) => f.rule)).toContain('react/jsx-no-literals');
  });

  it.each([
    ['title', `<button title="Fermer" />`, 1],
    ['aria-label', `<button aria-label="Fermer la fenêtre" />`, 1],
    ['placeholder', `<input placeholder="Adresse de courriel" />`, 1],
    ['alt', `<img alt="Logo" src="x.png" />`, 1],
    ['label in braces', `<Field label={'Mot de passe'} />`, 1],
    ['template', '<button title={`Fermer ${1}`} />', 1],
    ['conditional (both branches)', `<button title={ok ? 'Ouvrir' : 'Fermer'} />`, 2],
  ])('reports a user-facing attribute literal: %s', async (_name, jsx, count) => {
    const code = `${header}const Field = (p: { label: string }) => <span>{p.label}</span>;\nconst ok = true;\nexport function A() {\n  return <div>{[${jsx}, <Field key="f" label={String(ok)} />]}</div>;\n}\n`;
    const found = await textProblems(code);
    expect(found.filter((f) => f.rule === 'no-restricted-syntax')).toHaveLength(count);
  });

  it('accepts text from t(), technical attributes and typographic signs', async () => {
    const code = `${header}export function A() {
  const { t } = useTranslation();
  return (
    <main className="shell main-area" id="contenu" data-testid="shell" role="main">
      <h1 title={t('shell.title')} aria-label={t('shell.title')}>{t('shell.title')}</h1>
      <p>
        {t('status.online')} · {42} …
      </p>
      <input type="email" autoComplete="username" placeholder={t('assistant.emailPlaceholder')} />
      <img alt="" src="logo.svg" />
    </main>
  );
}
`;
    expect(await textProblems(code)).toEqual([]);
  });

  it('does not apply to the core (no JSX there) nor to tests', async () => {
    expect(await textProblems(`export const x = 'Bonjour';\n`, 'src/mail/example.ts')).toEqual([]);
  });
});
