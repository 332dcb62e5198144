import nodemailer from 'nodemailer';
import type { MailSender } from '../workflows/activities.js';

/** Sends through the mail catcher on 127.0.0.1 (nodemailer, plain SMTP: nothing leaves the machine). */
export function smtpSender(port: number): MailSender {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return {
    async send({ to, subject, text, messageId }) {
      await transport.sendMail({ from: 'apprun <no-reply@apprun.local>', to, subject, text, messageId });
    },
  };
}
