import { defineFeature } from '../feature.js';
import { MailCatcher } from './mail-catcher.js';
import mailPlugin from './plugin.js';

/**
 * The mail catcher: SMTP on 127.0.0.1 (Kratos' courier, the workflows' welcome mail, any app of the developer's) and
 * /api/mail to read it (admin scope: no tenant reads mail). Kept in the home, so in snapshots too.
 */
export const mailFeature = defineFeature({
  name: 'mail',
  create({ core, log }) {
    const mail = new MailCatcher(core, (message) => log.warn(message));
    return {
      mail,
      start: () => mail.start(),
      routes: { scope: 'admin', register: (app) => app.register(mailPlugin, { mail }) },
      afterRestore: async () => {
        await mail.store?.load();
      },
      stop: () => mail.stop(),
    };
  },
});
