/** An untrusted certificate, shown in full, with a deliberate choice to trust it (never automatic). */
import { useTranslation } from 'react-i18next';
import type { CertificateInfo } from '../../../src/shared/contract';
import { formatLongDate } from '../../../src/shared/time';

/** Read the certificate from the details of a `tls_untrusted` error (flat, or under `certificate`). */
export function certificateFromDetails(details: Record<string, unknown> | undefined): CertificateInfo | null {
  if (!details) return null;
  const source = (typeof details.certificate === 'object' && details.certificate !== null ? details.certificate : details) as Record<
    string,
    unknown
  >;
  const text = (key: string) => (typeof source[key] === 'string' ? (source[key] as string) : '');
  if (!text('pem') || !text('fingerprint256')) return null;
  return {
    subject: text('subject'),
    issuer: text('issuer'),
    validFrom: text('validFrom') || text('valid_from'),
    validTo: text('validTo') || text('valid_to'),
    fingerprint256: text('fingerprint256'),
    pem: text('pem'),
  };
}

export function CertificateTrust({ certificate, onTrust, busy }: { certificate: CertificateInfo; onTrust(): void; busy: boolean }) {
  const { t } = useTranslation();
  return (
    <section className="certificate" data-testid="certificate-details" aria-labelledby="certificate-title">
      <h3 id="certificate-title">{t('certificate.title')}</h3>
      <p>{t('certificate.explain')}</p>
      <dl className="details-list">
        <dt>{t('certificate.fingerprint')}</dt>
        <dd className="fingerprint" data-testid="certificate-fingerprint">
          {certificate.fingerprint256}
        </dd>
        <dt>{t('certificate.subject')}</dt>
        <dd>{certificate.subject}</dd>
        <dt>{t('certificate.issuer')}</dt>
        <dd>{certificate.issuer}</dd>
        <dt>{t('certificate.validity')}</dt>
        <dd>
          {t('certificate.validityValue', {
            from: formatLongDate(certificate.validFrom) || certificate.validFrom,
            to: formatLongDate(certificate.validTo) || certificate.validTo,
          })}
        </dd>
      </dl>
      <p className="warning-text">{t('certificate.warning')}</p>
      <button type="button" className="button" data-testid="trust-certificate" disabled={busy} onClick={onTrust}>
        {t('certificate.trust')}
      </button>
    </section>
  );
}
