import type { PlanTier } from '../billing/plan.ts';

/**
 * One account's daily history as a few hundred bytes: what every index walk saw (subscriber count
 * and billing status) and what every plan read saw (the tiers), one point per UTC day, the day's
 * last. Pure functions over bytes; the store (historyStore.ts) keeps them.
 *
 * Format, version 2 (varints are unsigned LEB128, at most 53 bits; zig-zag maps 0, -1, 1, -2, … to
 * 0, 1, 2, 3, …):
 *
 *     u8      version (2; version 1 is read as well)
 *     varint  byte length of the plan section
 *     …       plan section
 *     …       walk section, to the end (nothing: no walk points)
 *
 * A series with no point at all is zero bytes (`emptySeries`).
 *
 * Walk section: `varint firstDay`, then tokens. The decoder starts from day = firstDay - 1, count
 * = 0 and status = null, and each token moves it on:
 *
 *     0xxxxxxx            one point the next day, same status, count + unzigzag(x) (-64…63)
 *     10rrrrrr            r + 2 points (2…65), each the next day, same status and count
 *     11000SNG            one point: [varint gap ≥ 1 if G, else gap 1]
 *                         [zig-zag varint count delta, unless N: count null, the running count kept]
 *                         [status if S, else unchanged]
 *
 * Counts are whole numbers within ±2^50 (others are kept as null), so every delta fits a varint.
 * A status is one byte: 0 none, 1 Open, 2 Trial, 3 Canceled, 4 Trial End, 5 Suspended, 255 any
 * other, followed by varint length and UTF-8 (written only on the point where it changes). A day
 * whose count moved by less than 64 costs one byte, a run of unchanged days one byte per 65 days.
 *
 * Plan section: points until its end, each `varint day gap` (the first: the day itself), the
 * billing day of month (one byte: 0 none, 1–31) and the plan type (0 none, 1 TRIAL, 2 GOOD, 3
 * BETTER, 4 BEST, 5 LITE, 6 BRONZE, 7 SILVER, 8 GOLD, 255 text as above) (version 1 has neither),
 * `varint tier count`, and per tier: `varint kinds` (2 bits per number, level, min, max, usage, price from
 * the lowest bits: 0 null, 1 integer as zig-zag varint, 2 hundredths as zig-zag varint, 3 float64
 * little-endian; −0 is read back as 0), the usage type (0 none, 1 CONTACTS, 2 EMAILS, 3
 * SMS_CREDITS, 255 text as above), the currency (0 none, 1 USD, 2 CAD, 3 EUR, 4 GBP, 5 AUD, 255
 * text), then the numbers present, in that order. Plan reads are rare next to walks: a tier takes
 * about 10 bytes, and no effort goes into fewer.
 *
 * The operations hand back the very array they were given when nothing changed, so a caller can
 * skip the write. They are synchronous, and reuse scratch buffers from one call to the next.
 */

/** One index walk's view of an account. `day`: days since 1970-01-01, UTC (see utcDay). */
export interface WalkPoint {
  day: number;
  subscriberCount: number | null;
  billingStatus: string | null;
}

/** One plan read's tiers. `day` as in WalkPoint. */
export interface PlanPoint {
  day: number;
  tiers: PlanTier[];
  /** 1–31, or null (trials, or a point written before the billing day was kept). */
  billingDay?: number | null;
  /** The plan code as Constant Contact sent it, or null. */
  planType?: string | null;
}

export interface DecodedSeries {
  /** Oldest first, one a day at most. */
  walk: WalkPoint[];
  /** Oldest first, one a day at most. */
  plans: PlanPoint[];
}

/** The bytes are not a series this code can read (another version, or damaged). */
export class SeriesFormatError extends Error {
  readonly code = 'series_unreadable';
  constructor(message: string) {
    super(message);
    this.name = 'SeriesFormatError';
  }
}

export const seriesVersion = 2;
/** Plan points without a billing day or plan type; still read. */
const firstVersion = 1;

/** The series with no point: zero bytes. */
export const emptySeries: Uint8Array = new Uint8Array(0);

const dayMs = 86_400_000;

/** The UTC day of an epoch-ms time, as days since 1970-01-01. */
export const utcDay = (ms: number): number => Math.floor(ms / dayMs);

const isoDays = new Map<number, string>();

/** `2025-03-07` for a day number (remembered: a radar over every account names the same few days). */
export function isoDay(day: number): string {
  let iso = isoDays.get(day);
  if (iso === undefined) {
    iso = new Date(day * dayMs).toISOString().slice(0, 10);
    if (isoDays.size >= 4_096) isoDays.clear();
    isoDays.set(day, iso);
  }
  return iso;
}

// ---------------------------------------------------------------------------------------------
// Bytes in and out

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);

/** A growing byte buffer; one is reused across calls (each call finishes before another starts). */
class Writer {
  buf = new Uint8Array(1024);
  len = 0;

  reset(): this {
    this.len = 0;
    return this;
  }

  reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  varint(value: number): void {
    this.reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  f64(v: number): void {
    float[0] = v;
    this.bytes(floatBytes);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const out = new Writer();
const section = new Writer();

class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(bytes: Uint8Array, pos: number, end: number) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  get more(): boolean {
    return this.pos < this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new SeriesFormatError('series ends in the middle of a value');
    return this.bytes[this.pos++] as number;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) break;
        return value;
      }
      scale *= 0x80;
    }
    throw new SeriesFormatError('a number in the series is too large');
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  f64(): number {
    for (let i = 0; i < 8; i++) floatBytes[i] = this.byte();
    return float[0] as number;
  }

  text(): string {
    const length = this.varint();
    if (this.pos + length > this.end) throw new SeriesFormatError('series ends in the middle of a text');
    try {
      return fromUtf8.decode(this.bytes.subarray(this.pos, (this.pos += length)));
    } catch {
      throw new SeriesFormatError('a text in the series is not UTF-8');
    }
  }
}

/** Well-known texts as one byte each; 0 is null, 255 a text that follows. */
const statusTable = ['Open', 'Trial', 'Canceled', 'Trial End', 'Suspended'];
const usageTypeTable = ['CONTACTS', 'EMAILS', 'SMS_CREDITS'];
const currencyTable = ['USD', 'CAD', 'EUR', 'GBP', 'AUD'];
const planTypeTable = ['TRIAL', 'GOOD', 'BETTER', 'BEST', 'LITE', 'BRONZE', 'SILVER', 'GOLD'];
const literal = 0xff;

function writeText(w: Writer, table: readonly string[], value: string | null): void {
  if (value === null) return w.byte(0);
  const code = table.indexOf(value);
  if (code >= 0) return w.byte(code + 1);
  w.byte(literal);
  const encoded = utf8.encode(value);
  w.varint(encoded.length);
  w.bytes(encoded);
}

function readText(r: Reader, table: readonly string[]): string | null {
  const code = r.byte();
  if (code === 0) return null;
  if (code === literal) return r.text();
  const known = table[code - 1];
  if (known === undefined) throw new SeriesFormatError(`unknown text code ${code}`);
  return known;
}

// ---------------------------------------------------------------------------------------------
// The layout: where each section lies

interface Layout {
  version: number;
  /** Start and end of the plan section; the walk section runs from planEnd to the end. */
  planStart: number;
  planEnd: number;
}

function layoutOf(series: Uint8Array): Layout {
  if (series.length === 0) return { version: seriesVersion, planStart: 0, planEnd: 0 };
  const version = series[0] as number;
  if (version !== seriesVersion && version !== firstVersion)
    throw new SeriesFormatError(`unknown series version ${version}`);
  const r = new Reader(series, 1, series.length);
  const planLength = r.varint();
  if (r.pos + planLength > series.length) throw new SeriesFormatError('the plan section runs past the end');
  return { version, planStart: r.pos, planEnd: r.pos + planLength };
}

/** The plan section as this version writes it: the bytes themselves, or a version 1 section re-encoded. */
function planSection(series: Uint8Array, layout: Layout): Uint8Array {
  if (layout.version === seriesVersion) return series.subarray(layout.planStart, layout.planEnd);
  return encodePlans(readPlans(series, layout));
}

/**
 * Version, plan section, walk section (bytes as they are, or points `from`… of columns, encoded
 * straight into the output: one allocation per operation); zero bytes when both are empty.
 */
function assemble(plan: Uint8Array, walk: Uint8Array | { cols: WalkColumns; from: number }): Uint8Array {
  const walkEmpty = walk instanceof Uint8Array ? walk.length === 0 : walk.from >= walk.cols.n;
  if (plan.length === 0 && walkEmpty) return emptySeries;
  const w = out.reset();
  w.byte(seriesVersion);
  w.varint(plan.length);
  w.bytes(plan);
  if (walk instanceof Uint8Array) w.bytes(walk);
  else writeWalk(w, walk.cols, walk.from);
  return w.finish();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Walk points, as columns (a year of points without an object each)

/**
 * Reused across calls (each call finishes before another starts), grown as needed. Counts are NaN
 * where null; statuses are indexes into `names`, whose 0 is null.
 */
interface WalkColumns {
  n: number;
  days: Int32Array;
  counts: Float64Array;
  statuses: Int32Array;
  names: Array<string | null>;
}

const columns: WalkColumns = {
  n: 0,
  days: new Int32Array(512),
  counts: new Float64Array(512),
  statuses: new Int32Array(512),
  names: [null],
};

function ensureCapacity(cols: WalkColumns, size: number): void {
  if (size <= cols.days.length) return;
  const capacity = Math.max(size, cols.days.length * 2);
  const days = new Int32Array(capacity);
  days.set(cols.days.subarray(0, cols.n));
  const counts = new Float64Array(capacity);
  counts.set(cols.counts.subarray(0, cols.n));
  const statuses = new Int32Array(capacity);
  statuses.set(cols.statuses.subarray(0, cols.n));
  cols.days = days;
  cols.counts = counts;
  cols.statuses = statuses;
}

/** The index of a status in `names`, added if new. */
function nameId(cols: WalkColumns, name: string | null): number {
  const at = cols.names.indexOf(name);
  if (at >= 0) return at;
  cols.names.push(name);
  return cols.names.length - 1;
}

function push(cols: WalkColumns, day: number, count: number, status: string | null): void {
  ensureCapacity(cols, cols.n + 1);
  cols.days[cols.n] = day;
  cols.counts[cols.n] = count;
  cols.statuses[cols.n] = nameId(cols, status);
  cols.n++;
}

function clear(cols: WalkColumns): WalkColumns {
  cols.n = 0;
  cols.names.length = 1;
  return cols;
}

const flagGap = 1;
const flagNull = 2;
const flagStatus = 4;
const maxRun = 65;
const maxDay = 2 ** 31 - 1;

function readWalk(series: Uint8Array, start: number, cols: WalkColumns): WalkColumns {
  clear(cols);
  const end = series.length;
  if (start >= end) return cols;
  const r = new Reader(series, start, end);
  let day = r.varint() - 1;
  let pos = r.pos;
  let known = 0;
  let status = 0;
  let n = 0;
  let { days, counts, statuses } = cols;
  while (pos < end) {
    if (n + maxRun > days.length) {
      cols.n = n;
      ensureCapacity(cols, n + maxRun);
      ({ days, counts, statuses } = cols);
    }
    const b = series[pos++] as number;
    if (b < 0x80) {
      day++;
      known += b & 1 ? -(b + 1) / 2 : b / 2;
      days[n] = day;
      counts[n] = known;
      statuses[n++] = status;
    } else if (b < 0xc0) {
      for (let k = (b & 0x3f) + 2; k > 0; k--) {
        day++;
        days[n] = day;
        counts[n] = known;
        statuses[n++] = status;
      }
    } else {
      if (b & 0x38) throw new SeriesFormatError(`unknown walk token ${b}`);
      r.pos = pos;
      const gap = b & flagGap ? r.varint() : 1;
      if (gap < 1) throw new SeriesFormatError('walk points out of order');
      day += gap;
      let count = Number.NaN;
      if (!(b & flagNull)) count = known += r.zigzag();
      if (b & flagStatus) status = nameId(cols, readText(r, statusTable));
      pos = r.pos;
      if (!Number.isSafeInteger(known)) throw new SeriesFormatError('walk count out of range');
      days[n] = day;
      counts[n] = count;
      statuses[n++] = status;
    }
    if (day > maxDay) throw new SeriesFormatError('walk day out of range');
  }
  cols.n = n;
  return cols;
}

/** Writes `v` as a varint at `p` (room checked by the caller); returns the position after it. */
function putVarint(buf: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    buf[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[p++] = v;
  return p;
}

/** Room for one point but a status text: token, gap (< 2^31), delta (< 2^53), status code. */
const pointRoom = 16;

/** Encodes points `from`… of `cols`; nothing at all when there are none. */
function writeWalk(w: Writer, cols: WalkColumns, from: number): void {
  const { n, days, counts, statuses, names } = cols;
  if (from >= n) return;
  w.varint(days[from] as number);
  w.reserve((n - from) * pointRoom);
  let buf = w.buf;
  let p = w.len;
  let day = (days[from] as number) - 1;
  let known = 0;
  let status = 0;
  let i = from;
  while (i < n) {
    const d = days[i] as number;
    const c = counts[i] as number;
    const s = statuses[i] as number;
    const plain = d === day + 1 && s === status && c === c;
    if (plain && c === known) {
      let run = 1;
      while (
        run < maxRun &&
        i + run < n &&
        days[i + run] === d + run &&
        counts[i + run] === c &&
        statuses[i + run] === status
      )
        run++;
      if (run >= 2) {
        buf[p++] = 0x80 | (run - 2);
        i += run;
        day = d + run - 1;
        continue;
      }
    }
    const delta = c - known;
    if (plain && delta >= -64 && delta <= 63) {
      buf[p++] = delta >= 0 ? delta * 2 : -delta * 2 - 1;
    } else {
      const gap = d - day;
      const flags = (gap !== 1 ? flagGap : 0) | (c !== c ? flagNull : 0) | (s !== status ? flagStatus : 0);
      buf[p++] = 0xc0 | flags;
      if (flags & flagGap) p = putVarint(buf, p, gap);
      if (!(flags & flagNull)) p = putVarint(buf, p, delta >= 0 ? delta * 2 : -delta * 2 - 1);
      if (flags & flagStatus) {
        const name = names[s] ?? null;
        if (name === null || statusTable.includes(name)) buf[p++] = name === null ? 0 : statusTable.indexOf(name) + 1;
        else {
          // A status of its own, as text: the writer may have to grow.
          w.len = p;
          writeText(w, statusTable, name);
          w.reserve((n - i) * pointRoom);
          buf = w.buf;
          p = w.len;
        }
      }
    }
    if (c === c) known = c;
    status = s;
    day = d;
    i++;
  }
  w.len = p;
}

function checkDay(day: number): void {
  if (!Number.isInteger(day) || day < 0 || day > maxDay) throw new RangeError(`not a day number: ${day}`);
}

/** Counts beyond this (either way) are kept as null: a move between two of them still fits a varint exactly. */
const maxCount = 2 ** 50;

/** A count that is not a whole number, or beyond ±2^50, is kept as null. */
const countOf = (count: number | null): number =>
  count !== null && Number.isInteger(count) && Math.abs(count) <= maxCount ? count : Number.NaN;

// ---------------------------------------------------------------------------------------------
// Plan points

const numberFields = ['level', 'min', 'max', 'usage', 'price'] as const;

/** Whole numbers (and hundredths) this small go as zig-zag varints; anything else as a float64. */
const maxVarintNumber = 2 ** 51;

function kindOf(v: number | null): number {
  if (v === null) return 0;
  if (Number.isInteger(v) && Math.abs(v) <= maxVarintNumber) return 1;
  const hundredths = Math.round(v * 100);
  return Math.abs(hundredths) <= maxVarintNumber && hundredths / 100 === v ? 2 : 3;
}

function writePlans(w: Writer, plans: readonly PlanPoint[]): void {
  let previous = 0;
  for (const point of plans) {
    w.varint(point.day - previous);
    previous = point.day;
    w.byte(billingDayByte(point.billingDay));
    writeText(w, planTypeTable, point.planType ?? null);
    w.varint(point.tiers.length);
    for (const tier of point.tiers) {
      let kinds = 0;
      numberFields.forEach((field, i) => (kinds |= kindOf(tier[field]) << (2 * i)));
      w.varint(kinds);
      writeText(w, usageTypeTable, tier.usageType);
      writeText(w, currencyTable, tier.currency);
      numberFields.forEach((field, i) => {
        const v = tier[field];
        const kind = (kinds >> (2 * i)) & 3;
        if (v === null || kind === 0) return;
        if (kind === 1) w.zigzag(v);
        else if (kind === 2) w.zigzag(Math.round(v * 100));
        else w.f64(v);
      });
    }
  }
}

/** Number `i` of a tier (see numberFields), by its kind in `kinds`. */
function readNumber(r: Reader, kinds: number, i: number): number | null {
  const kind = (kinds >> (2 * i)) & 3;
  if (kind === 0) return null;
  if (kind === 1) return r.zigzag();
  if (kind === 2) return r.zigzag() / 100;
  return r.f64();
}

/** 1–31 as itself; anything else (null, 0, 32, 1.5) is no billing day. */
const billingDayByte = (day: number | null | undefined) =>
  day !== null && day !== undefined && Number.isInteger(day) && day >= 1 && day <= 31 ? day : 0;

function readPlans(series: Uint8Array, layout: Layout): PlanPoint[] {
  const r = new Reader(series, layout.planStart, layout.planEnd);
  const withFacts = layout.version !== firstVersion;
  const plans: PlanPoint[] = [];
  let day = 0;
  while (r.more) {
    const gap = r.varint();
    if (plans.length > 0 && gap < 1) throw new SeriesFormatError('plan points out of order');
    day += gap;
    if (day > maxDay) throw new SeriesFormatError('plan point out of range');
    let billingDay: number | null = null;
    let planType: string | null = null;
    if (withFacts) {
      const b = r.byte();
      if (b > 31) throw new SeriesFormatError(`billing day out of range: ${b}`);
      billingDay = b === 0 ? null : b;
      planType = readText(r, planTypeTable);
    }
    const tiers: PlanTier[] = [];
    for (let t = r.varint(); t > 0; t--) {
      const kinds = r.varint();
      if (kinds >= 1 << 10) throw new SeriesFormatError('unknown tier number kinds');
      const usageType = readText(r, usageTypeTable);
      const currency = readText(r, currencyTable);
      const level = readNumber(r, kinds, 0);
      const min = readNumber(r, kinds, 1);
      const max = readNumber(r, kinds, 2);
      const usage = readNumber(r, kinds, 3);
      const price = readNumber(r, kinds, 4);
      tiers.push({ usageType, level, min, max, usage, price, currency });
    }
    // Absent rather than null, so a point written without them reads back as it was written.
    plans.push({
      day,
      tiers,
      ...(billingDay !== null ? { billingDay } : {}),
      ...(planType !== null ? { planType } : {}),
    });
  }
  return plans;
}

/** A view of a reused buffer: good until the next call (assemble copies it). */
function encodePlans(plans: readonly PlanPoint[]): Uint8Array {
  const w = section.reset();
  writePlans(w, plans);
  return w.buf.subarray(0, w.len);
}

/** The first plan point's day, or undefined when there is none (the section starts with it). */
function firstPlanDay(series: Uint8Array, layout: Layout): number | undefined {
  return layout.planEnd > layout.planStart ? new Reader(series, layout.planStart, layout.planEnd).varint() : undefined;
}

function firstWalkDay(series: Uint8Array, layout: Layout): number | undefined {
  return series.length > layout.planEnd ? new Reader(series, layout.planEnd, series.length).varint() : undefined;
}

const copyTier = (t: PlanTier): PlanTier => ({
  usageType: t.usageType,
  level: t.level,
  min: t.min,
  max: t.max,
  usage: t.usage,
  price: t.price,
  currency: t.currency,
});

// ---------------------------------------------------------------------------------------------
// The operations

/**
 * The series with `point` as its day's walk point (replacing one the same day: the day's last
 * wins). With `oldestDay`, it also drops the points before it, as `trim` does, in the same pass.
 * The same array back when nothing changed, so a caller can skip the write.
 */
export function upsertWalkPoint(series: Uint8Array, point: WalkPoint, oldestDay?: number): Uint8Array {
  checkDay(point.day);
  const layout = layoutOf(series);
  const cols = readWalk(series, layout.planEnd, columns);
  const count = countOf(point.subscriberCount);
  const status = nameId(cols, point.billingStatus);
  const planDay = oldestDay === undefined ? undefined : firstPlanDay(series, layout);
  const trimPlans = oldestDay !== undefined && planDay !== undefined && planDay < oldestDay;
  // Nearly always the last day or a new one: look from the end.
  let at = cols.n;
  while (at > 0 && (cols.days[at - 1] as number) >= point.day) at--;
  if (at < cols.n && cols.days[at] === point.day) {
    const old = cols.counts[at] as number;
    const same = (old === count || (old !== old && count !== count)) && cols.statuses[at] === status;
    const trimWalk = oldestDay !== undefined && (cols.days[0] as number) < oldestDay;
    if (same && !trimWalk && !trimPlans) return series;
  } else {
    ensureCapacity(cols, cols.n + 1);
    cols.days.copyWithin(at + 1, at, cols.n);
    cols.counts.copyWithin(at + 1, at, cols.n);
    cols.statuses.copyWithin(at + 1, at, cols.n);
    cols.n++;
  }
  cols.days[at] = point.day;
  cols.counts[at] = count;
  cols.statuses[at] = status;
  let from = 0;
  if (oldestDay !== undefined) while (from < cols.n && (cols.days[from] as number) < oldestDay) from++;
  const plan = trimPlans
    ? encodePlans(readPlans(series, layout).filter((p) => p.day >= oldestDay))
    : planSection(series, layout);
  return assemble(plan, { cols, from });
}

/** The series with `point` as its day's plan point (the day's last wins); the same array when nothing changed. */
export function upsertPlanPoint(series: Uint8Array, point: PlanPoint): Uint8Array {
  checkDay(point.day);
  const layout = layoutOf(series);
  const plans = readPlans(series, layout);
  const fresh: PlanPoint = {
    day: point.day,
    tiers: point.tiers.map(copyTier),
    billingDay: point.billingDay ?? null,
    planType: point.planType ?? null,
  };
  let at = plans.length;
  while (at > 0 && (plans[at - 1] as PlanPoint).day >= point.day) at--;
  plans.splice(at, plans[at]?.day === point.day ? 1 : 0, fresh);
  const plan = encodePlans(plans);
  if (sameBytes(plan, series.subarray(layout.planStart, layout.planEnd))) return series;
  return assemble(plan, series.subarray(layout.planEnd));
}

/** The series without the points before `oldestDay`; the same array when there are none. */
export function trim(series: Uint8Array, oldestDay: number): Uint8Array {
  const layout = layoutOf(series);
  const planDay = firstPlanDay(series, layout);
  const walkDay = firstWalkDay(series, layout);
  const trimPlans = planDay !== undefined && planDay < oldestDay;
  const trimWalk = walkDay !== undefined && walkDay < oldestDay;
  if (!trimPlans && !trimWalk) return series;
  let plan = planSection(series, layout);
  if (trimPlans) plan = encodePlans(readPlans(series, layout).filter((p) => p.day >= oldestDay));
  if (!trimWalk) return assemble(plan, series.subarray(layout.planEnd));
  const cols = readWalk(series, layout.planEnd, columns);
  let from = 0;
  while (from < cols.n && (cols.days[from] as number) < oldestDay) from++;
  return assemble(plan, { cols, from });
}

/** Every point of the series, oldest first. Throws SeriesFormatError on bytes it cannot read. */
export function decode(series: Uint8Array): DecodedSeries {
  const layout = layoutOf(series);
  const cols = readWalk(series, layout.planEnd, columns);
  const walk: WalkPoint[] = new Array<WalkPoint>(cols.n);
  for (let i = 0; i < cols.n; i++) {
    const count = cols.counts[i] as number;
    walk[i] = {
      day: cols.days[i] as number,
      subscriberCount: Number.isNaN(count) ? null : count,
      billingStatus: cols.names[cols.statuses[i] as number] ?? null,
    };
  }
  return { walk, plans: readPlans(series, layout) };
}

/**
 * A series holding these points (to build one in one go, as an import or the bench does). Points
 * may come in any order; of two on the same day the later in the list is kept.
 */
export function encode(points: { walk?: readonly WalkPoint[]; plans?: readonly PlanPoint[] }): Uint8Array {
  const walk = lastOfEachDay(points.walk ?? []);
  const plans = lastOfEachDay(points.plans ?? []);
  const cols = clear(columns);
  for (const p of walk) push(cols, p.day, countOf(p.subscriberCount), p.billingStatus);
  return assemble(encodePlans(plans), { cols, from: 0 });
}

/** Sorted by day, the last of each day kept; the same array when it already is. */
function lastOfEachDay<T extends { day: number }>(points: readonly T[]): readonly T[] {
  let sorted = true;
  for (let i = 0; i < points.length; i++) {
    checkDay((points[i] as T).day);
    if (i > 0 && (points[i] as T).day <= (points[i - 1] as T).day) sorted = false;
  }
  if (sorted) return points;
  const byDay = new Map<number, T>();
  for (const p of points) byDay.set(p.day, p);
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}
