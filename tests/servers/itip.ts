/**
 * An iMIP message (a text/calendar part) delivered through the run's submission server, as Ostal's peers — or a
 * forger — send it: authenticated as `login`, with any From header. Used by integration and end-to-end tests.
 */
import nodemailer from 'nodemailer';

export interface ItipDelivery {
  login: { email: string; username: string; password: string };
  /** The From header; default the login's address. */
  from?: string;
  to: string;
  subject: string;
  method: string;
  ics: string;
}

export async function deliverItip(run: { smtp: { port: number } }, options: ItipDelivery): Promise<void> {
  const { login, to, subject, method, ics } = options;
  const transport = nodemailer.createTransport({
    host: 'localhost',
    port: run.smtp.port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: login.username, pass: login.password },
  });
  try {
    await transport.sendMail({
      envelope: { from: login.email, to },
      from: options.from ?? login.email,
      to,
      subject,
      text: 'Voir l’invitation jointe.',
      attachments: [{ filename: 'invitation.ics', content: ics, contentType: `text/calendar; charset=utf-8; method=${method}` }],
    });
  } finally {
    transport.close();
  }
}
