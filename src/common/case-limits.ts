/** A case has at most this many contacts, its first included (the bound of the per-case counts' test). */
export const MAX_CASE_CONTACTS = 20;
