/**
 * The next whole UTC minute at least `leadMs` away, as `HH:MM` for `/plan digest daily HH:MM UTC`:
 * digests are scheduled to the minute, so tests that wait for a real one wait for this.
 */
export function nextScheduledMinute(leadMs = 12_000, now = Date.now()): { hhmm: string; at: Date } {
  const at = new Date(Math.ceil((now + leadMs) / 60_000) * 60_000);
  const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
  return { hhmm, at };
}
