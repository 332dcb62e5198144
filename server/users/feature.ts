import { defineFeature } from '../feature.js';
import usersPlugin from './plugin.js';
import { UserAdmin } from './user-admin.js';

/** /api/users: the admin's view of every tenant's users, kept in step with Kratos, and acting as one of them. */
export const usersFeature = defineFeature({
  name: 'users',
  needs: ['postgres', 'kratos'],
  create({ db, kratos, access }) {
    const users = new UserAdmin(db, kratos, access);
    return {
      users,
      routes: { scope: 'admin', register: (app) => app.register(usersPlugin, { users }) },
    };
  },
});
