import { describe, expect, it } from 'vitest';
import type { ServerSettings } from '../../src/shared/contract.js';
import { emptyServerForm, formFromSettings, looksLikeEmail, settingsFromForm, switchSecurity } from '../../renderer/src/lib/server-fields';

const discovered: ServerSettings = {
  imap: 'imaps://imap.exemple.fr:993',
  smtp: 'smtp://smtp.exemple.fr:587',
  caldav: 'https://dav.exemple.fr/cal/',
  carddav: null,
  webdav: null,
  username: null,
};

describe('manual server form ⇄ API settings', () => {
  it('builds the settings from the fields', () => {
    const form = emptyServerForm();
    form.imap = { host: '127.0.0.1', port: '10143', security: 'starttls' };
    form.smtp = { host: '127.0.0.1', port: '10465', security: 'tls' };
    form.webdav = 'https://127.0.0.1:8443/agent1/';
    form.username = ' agent1 ';
    expect(settingsFromForm(form)).toEqual({
      settings: {
        imap: 'imap://127.0.0.1:10143',
        smtp: 'smtps://127.0.0.1:10465',
        caldav: null,
        carddav: null,
        webdav: 'https://127.0.0.1:8443/agent1/',
        username: 'agent1',
      },
      problems: {},
    });
  });

  it('reports every problem by field and gives no settings', () => {
    const form = emptyServerForm();
    form.smtp = { host: 'smtp.exemple.fr', port: '70000', security: 'starttls' };
    form.carddav = 'http://dav.exemple.fr/';
    const result = settingsFromForm(form);
    expect(result.settings).toBeNull();
    expect(result.problems).toEqual({ 'imap.host': 'host_missing', 'smtp.port': 'port_invalid', carddav: 'url_not_https' });
  });

  it('keeps the values fixed by IT policy, whatever the form says', () => {
    const form = formFromSettings(discovered);
    form.imap = { host: 'ailleurs.example', port: '143', security: 'starttls' };
    form.caldav = '';
    const { settings } = settingsFromForm(form, ['imap', 'caldav'], discovered);
    expect(settings?.imap).toBe('imaps://imap.exemple.fr:993');
    expect(settings?.caldav).toBe('https://dav.exemple.fr/cal/');
    expect(settings?.smtp).toBe('smtp://smtp.exemple.fr:587');
  });

  it('prefills the form from discovered settings', () => {
    const form = formFromSettings(discovered);
    expect(form.imap).toEqual({ host: 'imap.exemple.fr', port: '993', security: 'tls' });
    expect(form.smtp).toEqual({ host: 'smtp.exemple.fr', port: '587', security: 'starttls' });
    expect(form.caldav).toBe('https://dav.exemple.fr/cal/');
    expect(form.carddav).toBe('');
    expect(settingsFromForm(form).settings).toEqual({ ...discovered });
  });

  it('moves a default port along with the security, keeps a custom one', () => {
    expect(switchSecurity('imap', { host: 'h', port: '993', security: 'tls' }, 'starttls').port).toBe('143');
    expect(switchSecurity('smtp', { host: 'h', port: '587', security: 'starttls' }, 'tls').port).toBe('465');
    expect(switchSecurity('imap', { host: 'h', port: '10993', security: 'tls' }, 'starttls').port).toBe('10993');
  });

  it('checks the shape of an e-mail address', () => {
    expect(looksLikeEmail('agent1@ostal.test')).toBe(true);
    expect(looksLikeEmail(' agent1@ostal.test ')).toBe(true);
    expect(looksLikeEmail('agent1')).toBe(false);
    expect(looksLikeEmail('agent 1@ostal.test')).toBe(false);
  });
});
