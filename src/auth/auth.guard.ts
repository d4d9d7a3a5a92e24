import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';

import type { ApiActor } from './actor.js';
import { ApiKeysService } from './api-keys.service.js';
import { PUBLIC_KEY, RoleRule, ROLES_KEY } from './auth.decorators.js';
import { CONSOLE_KEY } from './console.guard.js';

const BEARER = /^Bearer +([A-Za-z0-9_-]{10,200})$/;

/** Denies by default: a route is open only if marked @Public, else it needs a live key and one of its @Roles. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    // the console's routes have a door of their own (ConsoleGuard: a session, never a key)
    if (this.reflector.getAllAndOverride<unknown>(CONSOLE_KEY, targets) !== undefined) return true;

    const req = context.switchToHttp().getRequest<Request & { actor?: ApiActor }>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException('An API key is required: send the header "Authorization: Bearer <key>"');
    }
    const actor = await this.apiKeys.authenticate(match[1]);
    if (!actor) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new UnauthorizedException('The API key is unknown or has been revoked');
    }
    req.actor = actor;

    const rules = this.reflector.getAllAndOverride<RoleRule[] | undefined>(ROLES_KEY, targets);
    if (!rules || rules.length === 0) throw new ForbiddenException('This route is not open to any role');
    if (rules.includes('self') || rules.some((r) => actor.roles.includes(r as never))) return true;
    throw new ForbiddenException(
      `This route requires one of the roles: ${rules.filter((r) => r !== 'self').join(', ')}`,
    );
  }
}
