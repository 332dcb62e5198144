import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NoContent, NoQuery, responses } from '../api/schemas/common.js';
import {
  ActAsSchema,
  CreateUserSchema,
  UpdateUserSchema,
  UserIdParamsSchema,
  UsersQuerySchema,
  UsersViewSchema,
  UserViewSchema,
} from '../api/schemas/users.js';
import type { UserAdmin } from './user-admin.js';

/** /api/users: every tenant's users for the admin (in the admin scope). */
const usersPlugin: FastifyPluginAsyncTypebox<{ users: UserAdmin }> = async (app, { users }) => {
  const small = 16 * 1024;
  app.get(
    '/api/users',
    { schema: { querystring: UsersQuerySchema, response: responses({ 200: UsersViewSchema }) } },
    async (request) => ({ users: await users.list(request.query.tenant), tenants: await users.tenants() }),
  );
  app.post(
    '/api/users',
    {
      bodyLimit: small,
      schema: { querystring: NoQuery, body: CreateUserSchema, response: responses({ 201: UserViewSchema }) },
    },
    async (request, reply) => reply.code(201).send(await users.create(request.body)),
  );
  app.patch(
    '/api/users/:id',
    {
      bodyLimit: small,
      schema: {
        querystring: NoQuery,
        params: UserIdParamsSchema,
        body: UpdateUserSchema,
        response: responses({ 200: UserViewSchema }),
      },
    },
    (request) => users.update(request.params.id, request.body),
  );
  app.delete(
    '/api/users/:id',
    { schema: { querystring: NoQuery, params: UserIdParamsSchema, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await users.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/users/:id/act-as',
    { schema: { querystring: NoQuery, params: UserIdParamsSchema, response: responses({ 200: ActAsSchema }) } },
    (request) => users.actAs(request.params.id),
  );
};

export default usersPlugin;
