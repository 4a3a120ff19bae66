/**
 * A message asked by another program (issue 18).
 *  - Browser mode, from the page address: `?mailto=<mailto URL>` or `?compose=<Thunderbird syntax>` (parsed by
 *    src/shared/compose-args.ts; an address never attaches a local file). The parameter is removed once read, so a
 *    reload does not open the message again.
 *  - A launch of Ostal (Electron: mailto link, `--compose`, « Envoyer vers », handed over by a second launch; browser
 *    mode: the same arguments given to browser-mode.ts): the core keeps the request with its files read, says
 *    `mail.launchCompose`, and the page takes it with mail.launch.take (also once at start, for the first launch).
 */
import { useEffect } from 'react';
import { composeRequestFromSearch } from '../../../src/shared/compose-args';
import type { LaunchCompose } from '../../../src/shared/contract';
import { useApiEvent, useClient } from '../api/react';
import type { ComposeRequest } from '../views/courrier/compose-request';

/** The request in the page address, removed from it; null when there is none. */
export function takeComposeFromAddress(win: Window = window): ComposeRequest | null {
  const args = composeRequestFromSearch(win.location.search);
  if (args === null) return null;
  const url = new URL(win.location.href);
  url.searchParams.delete('mailto');
  url.searchParams.delete('compose');
  win.history.replaceState(win.history.state, '', url);
  return {
    mode: 'new',
    to: args.to.join(', '),
    cc: args.cc.join(', '),
    bcc: args.bcc.join(', '),
    subject: args.subject,
    text: args.body,
  };
}

export function fromLaunch(launch: LaunchCompose): ComposeRequest {
  return {
    mode: 'new',
    to: launch.to.join(', '),
    cc: launch.cc.join(', '),
    bcc: launch.bcc.join(', '),
    subject: launch.subject,
    text: launch.body,
    attachments: launch.attachments,
    problems: launch.problems,
  };
}

/** Calls back for each message asked by a launch: those waiting when the page starts, then each new one. */
export function useLaunchedCompose(onRequest: (request: ComposeRequest) => void, enabled: boolean): void {
  const client = useClient();
  const take = () => {
    void client.call('mail.launch.take', {}).then(
      (list) => list.forEach((launch) => onRequest(fromLaunch(launch))),
      () => undefined,
    );
  };
  useEffect(() => {
    if (enabled) take();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled]);
  useApiEvent('mail.launchCompose', () => {
    if (enabled) take();
  });
}
