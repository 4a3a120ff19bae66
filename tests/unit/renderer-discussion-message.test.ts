/**
 * A message of a space's Discussion (renderer/src/views/espaces/DiscussionMessage.tsx) rendered to HTML: a message
 * waiting for the server's confirmation carries the very actions it will have once confirmed, invisible and out of
 * reach, so that its row keeps its height when the server confirms it (the rows above, in a list kept at its newest
 * message, would otherwise move under the pointer).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/shared/contract.js';
import { ApiProvider } from '../../renderer/src/api/react';
import type { OstalClient } from '../../renderer/src/api/client';
import { initI18n } from '../../renderer/src/i18n';
import { DiscussionMessage } from '../../renderer/src/views/espaces/DiscussionMessage';
import { PeopleFrom } from '../../renderer/src/people';

const me = 'agent1@ostal.test';

function message(over: Partial<ChatMessage>): ChatMessage {
  return {
    id: 'm1',
    workspaceId: 'w1',
    from: me,
    text: 'Jeudi 14 à 18 h, salle du conseil.',
    sentAt: '2026-12-07T09:00:00.000Z',
    pending: false,
    mentionsMe: false,
    replyTo: null,
    editedAt: null,
    retracted: false,
    file: null,
    ...over,
  };
}

function render(m: ChatMessage): Element {
  const client = {} as OstalClient; // never called while rendering
  const html = renderToStaticMarkup(
    createElement(ApiProvider, {
      client,
      children: createElement(DiscussionMessage, { message: m, me, onReply: () => undefined, onChanged: () => undefined }),
    }),
  );
  const row = DomUtils.findOne((e) => e.name === 'li', parseDocument(html).children);
  if (!row) throw new Error(`no message row in ${html}`);
  return row;
}

/** The actions of a row: the test ids of its buttons, in order, and the attributes of their box. */
function actions(row: Element): { ids: string[]; box: Record<string, string> | null } {
  const box = DomUtils.findOne((e) => e.attribs['data-testid'] === 'message-actions', row.children);
  const buttons = box ? DomUtils.findAll((e) => e.name === 'button', box.children) : [];
  return { ids: buttons.map((b) => b.attribs['data-testid'] ?? ''), box: box ? box.attribs : null };
}

describe('Discussion message', () => {
  beforeAll(async () => {
    // i18next sets the page's language: a bare document is enough here.
    (globalThis as { document?: unknown }).document ??= { documentElement: {} };
    await initI18n();
  });

  it('keeps the place of its actions while waiting for the server, invisible and out of reach', () => {
    const sent = actions(render(message({})));
    const waiting = actions(render(message({ pending: true })));
    expect(sent.ids).toEqual(['message-reply', 'message-edit', 'message-delete']);
    expect(waiting.ids).toEqual(sent.ids);
    expect(sent.box?.class).toBe('discussion-actions');
    expect(sent.box).not.toHaveProperty('inert');
    expect(sent.box).not.toHaveProperty('aria-hidden');
    expect(waiting.box?.class).toBe('discussion-actions discussion-actions-waiting');
    expect(waiting.box).toHaveProperty('inert');
    expect(waiting.box?.['aria-hidden']).toBe('true');
  });

  it('says « en attente » on the line of the sender and time, before the text', () => {
    const row = render(message({ pending: true }));
    const order = DomUtils.findAll(
      (e) => ['discussion-from', 'discussion-time', 'discussion-state', 'discussion-text'].includes(e.attribs.class ?? ''),
      row.children,
    ).map((e) => e.attribs.class);
    expect(order).toEqual(['discussion-from', 'discussion-time', 'discussion-state', 'discussion-text']);
    expect(DomUtils.textContent(DomUtils.findOne((e) => e.attribs['data-testid'] === 'message-pending', row.children)!)).toBe('en attente');
  });

  it('hides the waiting actions in the style sheet, without taking their place away', async () => {
    const fs = await import('node:fs');
    const css = fs.readFileSync(new URL('../../renderer/src/styles.css', import.meta.url), 'utf8');
    const rule = /\.discussion-actions-waiting\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
    expect(rule).toMatch(/visibility:\s*hidden/);
    expect(rule).not.toMatch(/display:\s*none/);
  });

  it('gives « Modifier » and « Supprimer » to the agent’s own messages only, and no actions to a deleted one', () => {
    expect(actions(render(message({ from: 'agent2@ostal.test' }))).ids).toEqual(['message-reply']);
    expect(actions(render(message({ from: 'agent2@ostal.test', pending: true }))).ids).toEqual(['message-reply']);
    expect(actions(render(message({ retracted: true, text: '' }))).box).toBeNull();
  });
});

describe('Discussion message: its sender by name', () => {
  beforeAll(async () => {
    (globalThis as { document?: unknown }).document ??= { documentElement: {} };
    await initI18n();
  });

  const contacts = [
    {
      uid: 'c1',
      fn: 'Dominique Bernard',
      emails: ['Agent2@ostal.test'],
      phones: [],
      organization: '',
      title: '',
      note: '',
      address: '',
      birthday: '',
      addressBook: 'Contacts',
    },
  ];
  function renderNamed(m: ChatMessage): Element {
    const html = renderToStaticMarkup(
      createElement(ApiProvider, {
        client: {} as OstalClient,
        children: createElement(PeopleFrom, {
          contacts,
          accounts: [{ email: me, name: 'Camille Martin' }],
          children: createElement(DiscussionMessage, { message: m, me, onReply: () => undefined, onChanged: () => undefined }),
        }),
      }),
    );
    return DomUtils.findOne((e) => e.name === 'li', parseDocument(html).children)!;
  }
  const part = (row: Element, cls: string) => DomUtils.findOne((e) => e.attribs.class === cls, row.children)!;

  it('shows the name the agent’s contacts give the sender’s address, the address as its tooltip', () => {
    const from = part(renderNamed(message({ from: 'agent2@ostal.test' })), 'discussion-from');
    expect(DomUtils.textContent(from)).toBe('Dominique Bernard');
    expect(from.attribs.title).toBe('agent2@ostal.test');
    expect(from.attribs['data-address']).toBe('agent2@ostal.test');
    const reply = DomUtils.findOne(
      (e) => e.attribs['data-testid'] === 'message-reply',
      renderNamed(message({ from: 'agent2@ostal.test' })).children,
    )!;
    expect(reply.attribs['aria-label']).toBe('Répondre au message de Dominique Bernard');
  });

  it('shows the agent’s own name on its messages, and the bare address of someone no contact names', () => {
    expect(DomUtils.textContent(part(renderNamed(message({})), 'discussion-from'))).toBe('Camille Martin');
    const stranger = part(renderNamed(message({ from: 'agent9@ostal.test' })), 'discussion-from');
    expect(DomUtils.textContent(stranger)).toBe('agent9@ostal.test');
    expect(stranger.attribs.title).toBeUndefined();
  });

  it('names a quoted message by its sender’s address as this computer stored it, never by what the text says', () => {
    const row = renderNamed(
      message({
        from: 'agent9@ostal.test',
        text: 'Dominique Bernard : validé',
        replyTo: { id: 'q1', from: 'agent2@ostal.test', text: 'Camille Martin a dit oui', retracted: false },
      }),
    );
    expect(DomUtils.textContent(part(row, 'discussion-from'))).toBe('agent9@ostal.test');
    const quoted = part(row, 'discussion-quote-from');
    expect(DomUtils.textContent(quoted)).toBe('Dominique Bernard');
    expect(quoted.attribs.title).toBe('agent2@ostal.test');
  });
});
