import { Global, Module } from '@nestjs/common';

import { TimeZoneCatalogue } from './time-zone-catalogue.js';

/** What every feature may need from the database beyond its own tables. */
@Global()
@Module({ providers: [TimeZoneCatalogue], exports: [TimeZoneCatalogue] })
export class DatabaseModule {}
