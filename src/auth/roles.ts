export const ROLES = ['admin', 'quality', 'tester', 'owner'] as const;
export type Role = (typeof ROLES)[number];
