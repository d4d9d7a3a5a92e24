import type { Role } from '../../auth/roles.js';

/** A section of the console: its nav entry and home card, and the roles that may use it. */
export interface Section {
  label: string;
  href: string;
  roles: readonly Role[];
  /** One line on the home page's card. */
  summary: string;
}

/** Every section, in nav order. A feature page adds its section here; the nav and home follow. */
export const SECTIONS: readonly Section[] = [
  { label: 'People', href: '/people', roles: ['admin'], summary: 'Who tests, who owns, who reads: roles and hours.' },
  {
    label: 'Touchpoints',
    href: '/touchpoints',
    roles: ['admin'],
    summary: 'The channels tested, their opening hours.',
  },
  { label: 'Scenarios', href: '/scenarios', roles: ['admin'], summary: 'What a tester asks, and the questions after.' },
  { label: 'Campaigns', href: '/campaigns', roles: ['admin'], summary: 'Who tests what, how often, from when.' },
  { label: 'Settings', href: '/settings', roles: ['admin'], summary: "The organisation's verdict settings." },
  { label: 'Claims', href: '/claims', roles: ['quality'], summary: 'What meetings reported, beside the tests.' },
  { label: 'Digests', href: '/digests', roles: ['quality'], summary: 'Every digest sent, and who receives them.' },
  {
    label: 'Results',
    href: '/results',
    roles: ['admin', 'quality'],
    summary: 'Each touchpoint and team over the weeks.',
  },
  {
    label: 'Plan',
    href: '/plan',
    roles: ['admin', 'quality'],
    summary: 'The coming weeks, and the slots left unfilled.',
  },
  { label: 'My touchpoints', href: '/my/touchpoints', roles: ['owner'], summary: 'Completed results of yours.' },
  { label: 'My tests', href: '/my/tests', roles: ['tester'], summary: 'Your revealed tests, and what you recorded.' },
];

/** The sections a person with these roles may use, in nav order. */
export function sectionsFor(roles: readonly Role[]): Section[] {
  return SECTIONS.filter((s) => s.roles.some((r) => roles.includes(r)));
}

/** The section a path belongs to (for aria-current), if any. */
export function sectionOf(path: string): Section | undefined {
  return SECTIONS.find((s) => path === s.href || path.startsWith(`${s.href}/`));
}
