import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

import { ApiRoles } from '../common/api-docs.decorators.js';
import type { ApiActor } from './actor.js';
import type { Role } from './roles.js';

export const PUBLIC_KEY = 'groundtruth:public';
export const ROLES_KEY = 'groundtruth:roles';

/** No key needed (health, signed tester links). Everything else needs a key and a role. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** `self` lets a person act on their own record (the handler checks that the id is theirs). */
export type RoleRule = Role | 'self';
/** The roles a route allows: enforced by the guard and stated in the API document from the same list. */
export const Roles = (...roles: RoleRule[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), ApiRoles(roles));

/** Who is calling: the actor the global guard resolved from the bearer key. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): ApiActor => {
  const req = ctx.switchToHttp().getRequest<{ actor?: ApiActor }>();
  if (!req.actor) throw new Error('CurrentActor used on a route without authentication');
  return req.actor;
});
