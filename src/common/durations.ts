/** Seconds as people read a wait: m:ss below an hour, h:mm:ss above (1:35, 1:02:05); negative with a minus sign. */
export function formatDuration(seconds: number): string {
  if (seconds < 0) return `−${formatDuration(-seconds)}`;
  const total = Math.round(seconds);
  const ss = String(total % 60).padStart(2, '0');
  const mm = String(Math.floor(total / 60) % 60).padStart(2, '0');
  return total < 3600 ? `${Math.floor(total / 60)}:${ss}` : `${Math.floor(total / 3600)}:${mm}:${ss}`;
}
