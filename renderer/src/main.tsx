/** Entry point of the renderer: French resources, the API client over the right transport, the app shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { OstalClient } from './api/client';
import { ApiProvider } from './api/react';
import { detectTransport } from './api/transports';
import { App } from './App';
import { MessageWindow, messageFromAddress } from './desktop/message-window';
import { initI18n } from './i18n';
import './styles.css';

/** When the page was opened without the address printed at start-up (no token, no Electron bridge). */
function NoConnection() {
  const { t } = useTranslation();
  return (
    <main id="main" className="no-connection">
      <h1>{t('app.name')}</h1>
      <div className="alert alert-error" role="alert">
        <p>{t('connection.noToken')}</p>
      </div>
    </main>
  );
}

async function start(): Promise<void> {
  const i18n = await initI18n();
  const root = createRoot(document.getElementById('root')!);
  const connect = detectTransport();
  if (!connect) {
    root.render(
      <I18nextProvider i18n={i18n}>
        <NoConnection />
      </I18nextProvider>,
    );
    return;
  }
  const client = new OstalClient({
    connect,
    messages: { connectionLost: i18n.t('connection.lostCall'), invalidResponse: i18n.t('errors.unexpected') },
  });
  void client.start();
  const standalone = messageFromAddress(window.location.search);
  root.render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <ApiProvider client={client}>{standalone ? <MessageWindow target={standalone} /> : <App />}</ApiProvider>
      </I18nextProvider>
    </StrictMode>,
  );
}

void start();
