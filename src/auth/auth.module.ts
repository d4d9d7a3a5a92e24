import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { LinksModule } from '../links/links.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PeopleModule } from '../people/people.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { SessionsService } from './sessions/sessions.service.js';
import { SignInService } from './sessions/signin.service.js';

@Module({
  imports: [PeopleModule, LinksModule, MailModule],
  controllers: [ApiKeysController],
  providers: [
    ApiKeysService,
    ApiKeysRepository,
    SessionsService,
    SessionsRepository,
    SignInService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [ApiKeysService, SessionsService, SignInService],
})
export class AuthModule {}
