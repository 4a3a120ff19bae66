/**
 * Entry point of the guest page (renderer/salle.html), served by the meeting server at `/salle/<roomId>`: the
 * same French resources, styles and Visio components as Ostal, but no Ostal core, no account and no token.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { initI18n } from '../i18n';
import { GuestPage } from './GuestPage';
import '../styles.css';

async function start(): Promise<void> {
  const i18n = await initI18n();
  document.title = i18n.t('visio.guest.pageTitle');
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <GuestPage />
      </I18nextProvider>
    </StrictMode>,
  );
}

void start();
