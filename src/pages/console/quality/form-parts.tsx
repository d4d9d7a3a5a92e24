/** A typed number as the DTO wants it: a number when it reads as one, else the text (so the DTO names the rule). */
export function numberOrText(text: string | undefined): number | string | undefined {
  const t = (text ?? '').trim();
  if (t === '') return undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t;
}

/**
 * The distinct teams of some touchpoints, by name: a team picker's choices. A team already chosen stays among them
 * even when no listed touchpoint has it, so saving a form never drops it unasked.
 */
export function teamChoices(
  touchpoints: ReadonlyArray<{ team: string | null }>,
  current?: string | null,
): Array<{ value: string; label: string }> {
  const teams = new Set(touchpoints.map((t) => t.team).filter((t): t is string => !!t));
  if (current) teams.add(current);
  return [...teams].sort().map((t) => ({ value: t, label: t }));
}
