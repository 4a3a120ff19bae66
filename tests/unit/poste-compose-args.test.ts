/** Ostal as the mail program (issue 18): mailto URLs, Thunderbird's -compose syntax and the second-instance hand-over. */
import { describe, expect, it } from 'vitest';
import {
  composeRequestFromSearch,
  localPathFromAttachment,
  parseComposeArgument,
  parseMailto,
  percentDecode,
  splitAddresses,
} from '../../src/shared/compose-args.js';
import { launchRequestFromArgv, secondInstanceArgs } from '../../src/host/launch-request.js';
import { sendToShortcut } from '../../src/host/desktop-integration.js';

describe('mailto: (RFC 6068)', () => {
  it('reads the addresses of the path, cc, bcc, subject and body, percent-encoded UTF-8', () => {
    const r = parseMailto(
      'mailto:joel.lefevre@mairie.fr,agnes%40mairie.fr?cc=secretariat@mairie.fr&BCC=archives@mairie.fr&subject=D%C3%A9lib%C3%A9ration%20n%C2%B012&body=Bonjour%2C%0D%0A%0D%0AVoici+le+compte-rendu.',
    );
    expect(r).toEqual({
      to: ['joel.lefevre@mairie.fr', 'agnes@mairie.fr'],
      cc: ['secretariat@mairie.fr'],
      bcc: ['archives@mairie.fr'],
      subject: 'Délibération n°12',
      body: 'Bonjour,\n\nVoici+le+compte-rendu.',
      attachments: [],
    });
  });

  it('adds repeated to/cc fields, keeps the first subject, ignores unknown fields and any attachment', () => {
    const r = parseMailto(
      'MAILTO:?to=a@b.fr&to=c@d.fr&cc=e@f.fr&cc=g@h.fr&subject=un&subject=deux&attach=file:///etc/passwd&attachment=/etc/shadow&from=x@y.fr',
    );
    expect(r?.to).toEqual(['a@b.fr', 'c@d.fr']);
    expect(r?.cc).toEqual(['e@f.fr', 'g@h.fr']);
    expect(r?.subject).toBe('un');
    expect(r?.attachments).toEqual([]);
  });

  it('keeps a name with a comma in quotes, and leaves a broken escape as written', () => {
    expect(parseMailto('mailto:%22Lef%C3%A8vre,%20Jo%C3%ABl%22%20%3Cjoel@mairie.fr%3E')?.to).toEqual(['"Lefèvre, Joël" <joel@mairie.fr>']);
    expect(percentDecode('100%25 s%FBr %C3%A9t%E9')).toBe('100% s%FBr ét%E9');
    expect(parseMailto('https://exemple.fr')).toBeNull();
    expect(splitAddresses(' a@b.fr ; c@d.fr ,, ')).toEqual(['a@b.fr', 'c@d.fr']);
  });

  it('puts a subject on one line', () => {
    expect(parseMailto('mailto:a@b.fr?subject=ligne%0D%0Asuite')?.subject).toBe('ligne suite');
  });
});

describe("Thunderbird's -compose syntax", () => {
  it('reads quoted lists with commas, several attachments and file:// URLs with non-ASCII names', () => {
    const r = parseComposeArgument(
      "to='joel@mairie.fr,agnes@mairie.fr',cc='secretariat@mairie.fr',subject='Réunion, jeudi',body='Bonjour,\nci-joint.',attachment='file:///home/agent/Documents/D%C3%A9lib%C3%A9ration%2012.pdf,file:///tmp/Ordre du jour é.odt'",
      'posix',
    );
    expect(r).toEqual({
      to: ['joel@mairie.fr', 'agnes@mairie.fr'],
      cc: ['secretariat@mairie.fr'],
      bcc: [],
      subject: 'Réunion, jeudi',
      body: 'Bonjour,\nci-joint.',
      attachments: ['/home/agent/Documents/Délibération 12.pdf', '/tmp/Ordre du jour é.odt'],
    });
  });

  it('percent-decodes unquoted values as xdg-email passes them, and the first occurrence wins', () => {
    const r = parseComposeArgument(
      "to='a@b.fr,',subject=Ordre%20du%20jour,body=Bonjour%0Atous,subject=autre,attachment='file:///tmp/a.pdf'",
      'posix',
    );
    expect(r.to).toEqual(['a@b.fr']);
    expect(r.subject).toBe('Ordre du jour');
    expect(r.body).toBe('Bonjour\ntous');
    expect(r.attachments).toEqual(['/tmp/a.pdf']);
  });

  it("reads LibreOffice's double-quoted attachment and Windows paths and URLs", () => {
    const r = parseComposeArgument(
      'subject="Courrier",attachment="file:///C:/Users/agent/Documents/Budget%202027%20%C3%A9t%C3%A9.xlsx,C:\\Users\\agent\\Bureau\\Note, version 2.docx"',
      'win32',
    );
    expect(r.subject).toBe('Courrier');
    expect(r.attachments).toEqual(['C:\\Users\\agent\\Documents\\Budget 2027 été.xlsx', 'C:\\Users\\agent\\Bureau\\Note, version 2.docx']);
  });

  it('accepts a mailto URL as the value', () => {
    expect(parseComposeArgument('mailto:a@b.fr?subject=Bonjour', 'posix')).toMatchObject({ to: ['a@b.fr'], subject: 'Bonjour' });
  });
});

describe('file:// URLs and paths', () => {
  it('turns them into absolute local paths, and refuses other machines, other schemes and relative paths', () => {
    expect(localPathFromAttachment('file:///home/agent/%C3%A9t%C3%A9.pdf', 'posix')).toBe('/home/agent/été.pdf');
    expect(localPathFromAttachment('file://localhost/tmp/a.pdf', 'posix')).toBe('/tmp/a.pdf');
    expect(localPathFromAttachment('file://serveur/partage/a.pdf', 'posix')).toBeNull();
    expect(localPathFromAttachment('file://serveur/partage/a.pdf', 'win32')).toBe('\\\\serveur\\partage\\a.pdf');
    expect(localPathFromAttachment('file:///c:/Temp/a%20b.pdf', 'win32')).toBe('C:\\Temp\\a b.pdf');
    expect(localPathFromAttachment('file:///tmp/a%00.pdf', 'posix')).toBeNull();
    expect(localPathFromAttachment('https://exemple.fr/a.pdf', 'posix')).toBeNull();
    expect(localPathFromAttachment('Documents/a.pdf', 'posix')).toBeNull();
    expect(localPathFromAttachment('a.pdf', 'win32')).toBeNull();
  });
});

describe('page address (browser mode)', () => {
  it('reads ?mailto= and ?compose=, never attaching a local file from an address', () => {
    expect(composeRequestFromSearch('?mailto=' + encodeURIComponent('mailto:a@b.fr?subject=R%C3%A9union'))).toMatchObject({
      to: ['a@b.fr'],
      subject: 'Réunion',
    });
    const compose = composeRequestFromSearch('?compose=' + encodeURIComponent("to='a@b.fr',attachment='file:///etc/passwd'"));
    expect(compose?.to).toEqual(['a@b.fr']);
    expect(compose?.attachments).toEqual([]);
    expect(composeRequestFromSearch('?autre=1')).toBeNull();
  });
});

describe('second-instance hand-over', () => {
  it('a mailto argument, with Chromium switches around it, asks for a new message', () => {
    const argv = ['C:\\Program Files\\Ostal\\Ostal.exe', '--allow-file-access-from-files', 'mailto:joel@mairie.fr?subject=Bonjour'];
    expect(launchRequestFromArgv(secondInstanceArgs(argv, true), 'win32')).toEqual({
      kind: 'compose',
      request: { to: ['joel@mairie.fr'], cc: [], bcc: [], subject: 'Bonjour', body: '', attachments: [] },
    });
  });

  it('--compose and -compose, even when Chromium moved the value after other switches', () => {
    const value = "to='a@b.fr',attachment='file:///tmp/%C3%A9t%C3%A9.pdf'";
    for (const argv of [
      ['--compose', value],
      ['-compose', value],
      [`--compose=${value}`],
      ['--compose', '--original-process-start-time=1234', value],
    ]) {
      expect(launchRequestFromArgv(argv, 'posix'), argv.join(' ')).toEqual({
        kind: 'compose',
        request: { to: ['a@b.fr'], cc: [], bcc: [], subject: '', body: '', attachments: ['/tmp/été.pdf'] },
      });
    }
  });

  it('« Envoyer vers » attaches every file given, once', () => {
    const r = launchRequestFromArgv(
      ['--send-to', 'C:\\Users\\agent\\Budget été.xlsx', 'C:\\Users\\agent\\Note.docx', 'C:\\Users\\agent\\Note.docx'],
      'win32',
    );
    expect(r).toEqual({
      kind: 'compose',
      request: {
        to: [],
        cc: [],
        bcc: [],
        subject: '',
        body: '',
        attachments: ['C:\\Users\\agent\\Budget été.xlsx', 'C:\\Users\\agent\\Note.docx'],
      },
    });
  });

  it('a plain launch, or a profile named like a mailto, only shows the window', () => {
    expect(launchRequestFromArgv([], 'posix')).toEqual({ kind: 'show' });
    expect(launchRequestFromArgv(['--profile', 'mailto:x', '--no-sync'], 'posix')).toEqual({ kind: 'show' });
    expect(secondInstanceArgs(['/usr/bin/electron', '.', '--compose', 'x'], false)).toEqual(['--compose', 'x']);
  });
});

describe('« Envoyer vers » shortcut (Windows)', () => {
  it('is written for the installed app on Windows only, starting Ostal with --send-to', () => {
    const spec = sendToShortcut({
      platform: 'win32',
      packaged: true,
      appData: 'C:\\Users\\agent\\AppData\\Roaming',
      execPath: 'C:\\Program Files\\Ostal\\Ostal.exe',
      description: 'Écrire un message',
    });
    expect(spec?.path).toBe('C:\\Users\\agent\\AppData\\Roaming\\Microsoft\\Windows\\SendTo\\Ostal (courriel).lnk');
    expect(spec?.options).toMatchObject({ target: 'C:\\Program Files\\Ostal\\Ostal.exe', args: '--send-to' });
    // What the Explorer then starts: Ostal.exe --send-to FILE… → a new message with the files.
    expect(launchRequestFromArgv([spec!.options.args, 'C:\\Users\\agent\\Budget.xlsx'], 'win32')).toMatchObject({
      kind: 'compose',
      request: { attachments: ['C:\\Users\\agent\\Budget.xlsx'] },
    });
    expect(
      sendToShortcut({ platform: 'linux', packaged: true, appData: '/home/a', execPath: '/opt/Ostal/ostal', description: '' }),
    ).toBeNull();
    expect(sendToShortcut({ platform: 'win32', packaged: false, appData: 'C:\\x', execPath: 'electron.exe', description: '' })).toBeNull();
  });
});
