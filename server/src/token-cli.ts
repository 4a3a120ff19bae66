/**
 * Mint a join token (for IT tests or an organisation tool):
 *   OSTAL_VISIO_TOKEN_SECRET=… npm run -s token --prefix server -- --sub "Agent" --role organiser [--room <id>|*] [--hours 8]
 * Prints the token on stdout.
 */
import { signJoinToken } from './token.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const secret = process.env.OSTAL_VISIO_TOKEN_SECRET;
const sub = option('sub');
const role = option('role') ?? 'participant';
const hours = Number(option('hours') ?? '8');
if (!secret || !sub || (role !== 'organiser' && role !== 'participant') || !(hours > 0)) {
  process.stderr.write(
    'Usage : OSTAL_VISIO_TOKEN_SECRET=… token --sub <nom> --role organiser|participant [--room <identifiant>|*] [--hours 8]\n',
  );
  process.exit(2);
}
const now = Math.floor(Date.now() / 1000);
process.stdout.write(
  `${signJoinToken({ sub, role, room: option('room') ?? '*', iat: now, exp: now + Math.round(hours * 3600) }, secret)}\n`,
);
