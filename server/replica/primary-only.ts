import { DomainError } from '../errors.js';

/** What a second gateway refuses: the appliance of its home holds the services and their data. */
export const primaryOnly = (what: string) =>
  new DomainError(
    'conflict',
    'appliance_only',
    `this is a second gateway (apprun gateway): ${what} is the appliance's to do; ask the gateway of \`apprun up\``,
  );
