import { ApiKey } from '../auth/api-key.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Person } from '../people/person.entity.js';
import { Scenario } from '../scenarios/scenario.entity.js';
import { Touchpoint } from '../touchpoints/touchpoint.entity.js';

export const entities = [Organization, Person, ApiKey, Touchpoint, Scenario];
