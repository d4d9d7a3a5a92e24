import { Module } from '@nestjs/common';

import { SecretLinksRepository } from './secret-links.repository.js';
import { SecretLinks } from './secret-links.service.js';

@Module({ providers: [SecretLinks, SecretLinksRepository], exports: [SecretLinks, SecretLinksRepository] })
export class LinksModule {}
