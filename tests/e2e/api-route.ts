import type { Page } from '@playwright/test';

/**
 * Routes the page's API socket through Playwright (`routeWebSocket`): every message passes as it is, except the core's
 * answers to `method`, which go to `answer` (the answer as the core sent it, and `send` to pass it, or another one, on
 * to the page — now or later). `observe` sees every other message of the core as it is passed to the page (events,
 * other answers).
 */
export async function routeApiAnswers(
  page: Page,
  method: string,
  answer: (reply: string, send: (message: string) => void) => void,
  observe?: (message: string) => void,
): Promise<void> {
  await page.routeWebSocket(/\/api\b/, (ws) => {
    const server = ws.connectToServer();
    const calls = new Set<number>();
    ws.onMessage((message) => {
      const request = JSON.parse(String(message)) as { id?: unknown; method?: unknown };
      if (request.method === method && typeof request.id === 'number') calls.add(request.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const reply = JSON.parse(String(message)) as { id?: unknown };
      if (typeof reply.id === 'number' && calls.has(reply.id)) answer(String(message), (m) => ws.send(m));
      else {
        observe?.(String(message));
        ws.send(message);
      }
    });
  });
}
