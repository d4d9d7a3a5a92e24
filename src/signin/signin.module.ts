import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module.js';
import { LinksModule } from '../links/links.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PeopleModule } from '../people/people.module.js';
import { SignInService } from './signin.service.js';

/** Sign-in by email: links mailed through the outbox start console sessions (auth's). */
@Module({
  imports: [AuthModule, PeopleModule, LinksModule, MailModule],
  providers: [SignInService],
  exports: [SignInService],
})
export class SignInModule {}
