import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './roles.js';

export const PUBLIC_KEY = 'groundtruth:public';
export const ROLES_KEY = 'groundtruth:roles';

/** Who is calling: resolved from the bearer key by the global guard. */
export interface Principal {
  personId: string;
  organizationId: string;
  roles: Role[];
  keyId: string;
}

/** No key needed (health, signed tester links). Everything else needs a key and a role. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** `self` lets a person act on their own record (the handler checks that the id is theirs). */
export type RoleRule = Role | 'self';
export const Roles = (...roles: RoleRule[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return req.principal;
});

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((r) => principal.roles.includes(r));
}
