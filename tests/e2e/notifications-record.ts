/**
 * The browser notifications a page shows, recorded by wrapping window.Notification in an init script (the Notification
 * API is what browser mode uses, as Electron's renderer does), and the start shared by the notification specs: Ostal on
 * a profile, notifications allowed, Agenda on screen.
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { startOstal, type RunningOstal } from './ostal.js';

export interface Shown {
  title: string;
  body: string;
  tag: string;
}

/** Record every notification the page shows; `__clickNotification(i)` plays a click on the i-th. */
export async function recordNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shown: { title: string; body: string; tag: string }[] = [];
    const instances: Notification[] = [];
    const w = window as unknown as { __notifications: typeof shown; __clickNotification(i: number): void };
    w.__notifications = shown;
    w.__clickNotification = (i) => instances[i]?.onclick?.call(instances[i], new Event('click'));
    const Native = window.Notification;
    class Recorded extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
        instances.push(this);
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Native.permission });
    window.Notification = Recorded as unknown as typeof Notification;
  });
}

/** The notifications shown so far. */
export const notifications = (page: Page): Promise<Shown[]> =>
  page.evaluate(() => (window as unknown as { __notifications: Shown[] }).__notifications);

/** Ostal started on `profileDir`, notifications allowed and recorded, connected, Agenda on screen. */
export async function startOnAgenda(page: Page, context: BrowserContext, profileDir: string): Promise<RunningOstal> {
  const ostal = await startOstal({ profileDir });
  await context.grantPermissions(['notifications'], { origin: new URL(ostal.url).origin });
  await recordNotifications(page);
  await page.goto(ostal.url);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', /^(online|syncing)$/, { timeout: 30_000 });
  await page.getByTestId('nav-agenda').click();
  await expect(page.getByTestId('nav-agenda')).toHaveAttribute('aria-current', 'page');
  return ostal;
}
