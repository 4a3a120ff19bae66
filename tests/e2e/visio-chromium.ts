/**
 * Debian's Chromium as the visio specs launch it: fake camera and micro (no permission prompt), autoplay without a
 * gesture, nothing fetched in the background; `screenCapture` also picks the whole screen when a page shares it.
 */
import type { LaunchOptions } from '@playwright/test';

export function visioLaunchOptions(options: { screenCapture?: boolean } = {}): LaunchOptions {
  return {
    executablePath: process.env.OSTAL_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      ...(options.screenCapture ? ['--auto-select-desktop-capture-source=Entire screen'] : []),
      '--autoplay-policy=no-user-gesture-required',
    ],
  };
}
