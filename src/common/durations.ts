/** The longest wait anything records or claims: a mailbox answered after two weeks is still a wait. */
export const MAX_WAIT_SECONDS = 14 * 86_400;

/** Seconds as people read a wait: m:ss below an hour, h:mm:ss above (1:35, 1:02:05); negative with a minus sign. */
export function formatDuration(seconds: number): string {
  if (seconds < 0) return `−${formatDuration(-seconds)}`;
  const total = Math.round(seconds);
  const ss = String(total % 60).padStart(2, '0');
  const mm = String(Math.floor(total / 60) % 60).padStart(2, '0');
  return total < 3600 ? `${Math.floor(total / 60)}:${ss}` : `${Math.floor(total / 3600)}:${mm}:${ss}`;
}

/**
 * A wait as a form shows it back, in a shape {@link parseDurationText} reads: h:mm:ss within a day, days and hours
 * beyond (1d 3h, or 1d 3:05:10 when minutes or seconds remain).
 */
export function formatDurationInput(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const days = Math.floor(total / 86_400);
  if (days === 0) return formatDuration(total);
  const rest = total % 86_400;
  if (rest % 3600 === 0) return rest ? `${days}d ${rest / 3600}h` : `${days}d`;
  const hh = Math.floor(rest / 3600);
  const mm = String(Math.floor(rest / 60) % 60).padStart(2, '0');
  return `${days}d ${hh}:${mm}:${String(rest % 60).padStart(2, '0')}`; // always h:mm:ss after days: never read as m:ss
}

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 };
/** "1d 3h", "2 days 4 hours", "45 min", "30s": each part a number and a unit word (its first letter says which). */
const UNIT_PART = /^(\d{1,4})\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)$/i;
/** "4:30" (m:ss), "1:04:30" (h:mm:ss, hours may pass 24), "270" (seconds). */
const CLOCK = /^(?:(\d{1,3}):)?(\d{1,4}):([0-5]\d)$|^(\d{1,7})$/;

/**
 * A wait as a person types it, in seconds: h:mm:ss or m:ss or plain seconds, optionally after a number of days
 * ("1d 3:00:00"), or in words with units ("1d 3h", "2 hours 30 min"). Null when it cannot be read.
 */
export function parseDurationText(text: string): number | null {
  const v = text.trim().replace(/\s+/g, ' ');
  if (v === '') return null;
  const clock = (part: string): number | null => {
    const m = CLOCK.exec(part);
    if (!m) return null;
    if (m[4] !== undefined) return Number(m[4]);
    if (m[1] === undefined) return Number(m[2]) * 60 + Number(m[3]);
    if (Number(m[2]) > 59) return null; // h:mm:ss: the minutes stay below 60
    return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  };
  const whole = clock(v);
  if (whole !== null) return whole;
  // words: "1d 3h", "1 day 3 hours"; the last part may be a clock ("1d 3:00:00")
  const tokens = v.match(/\d+\s*[a-z]+|\d[\d:]*/gi);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== v.replace(/\s/g, '')) return null;
  let total = 0;
  const seen = new Set<string>();
  for (const [i, token] of tokens.entries()) {
    const unit = UNIT_PART.exec(token.trim());
    if (unit) {
      const key = unit[2][0].toLowerCase();
      if (seen.has(key)) return null;
      seen.add(key);
      total += Number(unit[1]) * UNIT_SECONDS[key];
      continue;
    }
    const last = i === tokens.length - 1 && token.includes(':') ? clock(token) : null;
    if (last === null || seen.has('h') || seen.has('m') || seen.has('s')) return null;
    total += last;
  }
  return total;
}
