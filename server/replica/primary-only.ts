import { DomainError } from '../errors.js';

/** What a gateway that does not hold its services refuses: whoever runs them does it. */
export const primaryOnly = (what: string) =>
  new DomainError(
    'conflict',
    'appliance_only',
    `this gateway (apprun gateway) does not hold the services: ${what} is done where they run (the gateway of ` +
      '`apprun up`)',
  );
