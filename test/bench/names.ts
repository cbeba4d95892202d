/**
 * The generated account names the benchmarks share: a seeded random source and the word lists
 * names are drawn from (accents, apostrophes and `&` included), so every run sees the same data;
 * the client accounts made of them, and what people type to find them.
 */
import type { AccountIndex } from '../../src/accounts/accountIndex.ts';
import { type AccountSearchResult, searchAccounts } from '../../src/accounts/search.ts';
import type { PartnerAccount } from '../../src/billing/account.ts';
import { partnerAccount } from '../helpers/fakeConstantContact.ts';

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const firstNames = (
  'Ana João Zoë Chloé Renée Søren Björn Siobhán Mary James Wei Priya Mohammed Fatima Lucas Emma Olivia Noah Liam Sofia ' +
  'Mateo Léa Hugo Aisha Kenji Yuki Carlos María José Elena David Sarah Michael Jennifer Robert Linda Daniel Grace Tomás ' +
  'Inés Nikolai Olga Pedro Camille François Zoltán Agnieszka Łukasz Gabriel Hannah Amara Dmitri Ingrid Raúl Nadia Omar Mei'
).split(' ');
export const lastNames = (
  "Lima Silva Smith Johnson Nguyen García Müller O'Brien Núñez Kowalski Dubois Rossi Kim Patel Chen Brown Martin Lefèvre " +
  'Fernández Andersson Jensen Murphy MacLeod Okafor Haddad Tanaka Schmidt Novák Horváth Costa Santos Pereira Moreau ' +
  'Bianchi Russo Wilson Taylor Anderson Thomas Jackson White Harris Clark Lewis Walker Hall Young King Wright Scott Green ' +
  'Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Evans Turner Torres Parker Collins Stewart Flores Morris ' +
  'Sánchez Rivera Cook Rogers Morgan Cooper Reed Bailey Bell Gómez Kelly Howard Ward Díaz Wood Watson Brooks Bennett Gray ' +
  'Reyes Cruz Hughes Price Foster Ross Morales Sullivan Ortiz Gutiérrez Fisher Hamilton Graham González Ramos Wallace ' +
  'Chávez Ellis Murray Ford Marshall McDonald Ruiz Kennedy Álvarez Mendoza Castillo Olson Vásquez Jiménez Romero Holmes ' +
  "Stone Meyer Fox Herrera Medina Ryan Tran Hansen Castro Hoffman Knight D'Angelo Østergaard Weiß Çelik Yılmaz Nowak"
).split(' ');
export const adjectives = (
  'Blue Red Green Golden Silver Northern Southern Coastal Urban Little Big Happy Bright Quiet Wild Old New True Lucky ' +
  'Sunny Maple Cedar Evergreen Crimson Royal Prairie Summit Pacific Atlantic Midtown Riverside Copper Iron Crystal ' +
  'Velvet Hidden Rustic Modern Noble Humble Brave Gentle Misty Frosty Amber Ivory Scarlet Emerald'
).split(' ');
export const nouns = (
  'River Mountain Valley Lake Harbor Bridge Meadow Forest Stone Fox Bear Owl Hawk Oak Pine Creek Ridge Bay Island ' +
  'Garden Orchard Lantern Anchor Compass Arrow Feather Sparrow Wolf Moon Sun Star Cloud Field Canyon Coast Spruce ' +
  'Birch Willow Heron Otter Falcon Thistle Clover Juniper Aspen Harvest Beacon Tide Ember'
).split(' ');

export const fold = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

// ---------------------------------------------------------------------------------------------
// Client accounts: organizations and owners drawn from the lists above (accents, `&`, apostrophes,
// legal forms), as the partner API's account list hands them out. The account index, typeahead and
// scale benchmarks all search these.

const trades = (
  'Outfitters|Bakery|Café|Coffee Roasters|Brewing|Dental|Yoga Studio|Fitness|Florist|Books|Hardware|Auto Repair|' +
  'Landscaping|Plumbing|Realty|Insurance|Law Group|Accounting|Consulting|Design|Photography|Pet Supply|' +
  'Veterinary Clinic|Salon|Spa|Boutique|Catering|Bistro|Pizzeria|Taqueria|Brasserie|Pâtisserie|Crêperie|Chocolatier|' +
  'Winery|Distillery|Music School|Dance Academy|Community Church|Animal Rescue|Foundation|Marketing|Travel|Tours|' +
  'Cleaning|Roofing|Electric|Printing|Framing|Jewelers|Optometry|Pediatrics|Chiropractic|Physiotherapy|Tutoring|' +
  'Daycare|Kennels|Garden Center|Market|Deli|Butchery|Cycles|Surf Shop|Ski Shop|Golf Club|Tennis Club|Marina|Inn|B&B|Lodge'
).split('|');
const legalForms = ['Inc.', 'LLC', 'Ltd', 'Co.', 'GmbH', 'S.A.', '& Co.', 'Corp.', 'Limited', 'PLC'];
/** Names as shops abroad write them: `Brûlerie du Parc`, `Panadería San José`. */
const foreignFirst =
  'Brûlerie Café Pâtisserie Crêperie Librería Panadería Boulangerie Fromagerie Konditorei Trattoria Épicerie Ferretería'.split(
    ' ',
  );
const foreignSecond = (
  'du Parc|Élysée|San José|El Faro|de la Gare|Saint-Rémy|Bretonne|Zürich|Málaga|Montréal|São Paulo|del Río|' +
  'Côte d’Azur|am See'
).split('|');

/** `a07e1lxtnhz0`-like: `a`, a digit, ten more letters and digits; distinct. */
function constantContactIds(count: number): string[] {
  const rnd = prng(90210);
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const ids = new Set<string>();
  while (ids.size < count) {
    let id = `a${Math.floor(rnd() * 10)}`;
    for (let k = 0; k < 10; k++) id += chars[Math.floor(rnd() * chars.length)];
    ids.add(id);
  }
  return [...ids];
}

/** Open 75%, Trial 10%, Trial End 5%, Canceled 10%. */
const withTrialEnd = (draw: number) =>
  draw < 0.75 ? 'Open' : draw < 0.85 ? 'Trial' : draw < 0.9 ? 'Trial End' : 'Canceled';

/**
 * `count` entries of the account list (`site_owner_list`), the same for the same count every run.
 * `ids`: `constant-contact` (shaped like the real ones, the default) or `numbered` (`a00000000001`);
 * `status` turns a uniform draw into a billing status.
 */
export function makePartnerAccounts(
  count: number,
  o: { ids?: 'constant-contact' | 'numbered'; status?: (draw: number) => string } = {},
): Record<string, unknown>[] {
  const rnd = prng(20260515);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const ids = o.ids === 'numbered' ? undefined : constantContactIds(count);
  const status = o.status ?? withTrialEnd;
  const accounts: Record<string, unknown>[] = [];
  for (let i = 1; i <= count; i++) {
    const first = pick(firstNames);
    const last = pick(lastNames);
    const r = rnd();
    let org: string;
    if (r < 0.3) org = `${pick(adjectives)} ${pick(nouns)} ${pick(trades)}`;
    else if (r < 0.4) org = `${pick(nouns)} & ${pick(nouns)} ${pick(trades)}`;
    else if (r < 0.5) org = `${pick(lastNames)}'s ${pick(trades)}`;
    else if (r < 0.58) org = `${pick(lastNames)} & ${pick(lastNames)} ${pick(trades)}`;
    else if (r < 0.68) org = `${pick(foreignFirst)} ${rnd() < 0.5 ? pick(foreignSecond) : pick(lastNames)}`;
    else if (r < 0.76) org = `The ${pick(nouns)} ${pick(trades)}`;
    else if (r < 0.86) org = `${pick(adjectives)} ${pick(trades)}`;
    else if (r < 0.94) org = `${pick(firstNames)} ${pick(lastNames)} ${pick(trades)}`;
    else org = `${pick(nouns)}${pick(['works', 'line', 'field', 'gate', 'point'])} ${pick(trades)}`;
    if (rnd() < 0.3) {
      const legal = pick(legalForms);
      org = `${org}${legal.startsWith('&') || rnd() < 0.5 ? ' ' : ', '}${legal}`;
    }
    const statusDraw = rnd();
    accounts.push(
      partnerAccount(i, {
        ...(ids ? { encoded_account_id: ids[i - 1] } : {}),
        // A few accounts never named their organization.
        organization_name: rnd() < 0.01 ? null : org,
        site_owner_name: `${first} ${last}`,
        billing_status: status(statusDraw),
        subscriber_count: Math.floor(rnd() * 25_000),
        last_login_date: new Date(Date.UTC(2025, 0, 1) + Math.floor(rnd() * 500) * 86_400_000).toISOString(),
      }),
    );
  }
  return accounts;
}

// ---------------------------------------------------------------------------------------------
// What people type into the lookup modal's account field, drawn from the same accounts.

export const queryKinds = ['prefix', 'word', 'two words', 'owner', 'typo', 'id', 'nomatch'] as const;
export type QueryKind = (typeof queryKinds)[number];
export interface Query {
  kind: QueryKind;
  text: string;
  /** The account the words were drawn from (none for `nomatch`). */
  source?: string;
}

/** Words of a name that say which company it is (not `The`, `Inc.`, `&`). */
const nameWords = (name: string) =>
  name
    .split(/\s+/)
    // `Montréal, Inc.`: nobody types the comma.
    .map((w) => w.replace(/,$/, ''))
    .filter((w) => /\p{L}{2,}/u.test(w) && !/^(the|inc\.?|llc|ltd|co\.?|corp\.?|gmbh|plc|limited|s\.a\.)$/i.test(w));

/**
 * `count` queries drawn from `accounts`; words meant to match nothing (nonsense, companies that are
 * not clients) are kept only when `matchesNothing` agrees, as typo tolerance finds a lot.
 */
export function makeTypeaheadQueries(
  accounts: PartnerAccount[],
  count: number,
  matchesNothing: (words: string) => boolean,
): Query[] {
  const rnd = prng(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const maybeFold = (s: string) => (rnd() < 0.6 ? fold(s) : s);
  const named = accounts.filter((a) => a.organizationName);
  const syllables = 'zor blat quin vex trum plo skev gnar wub fip drox yal krim thul'.split(' ');
  const nonsense = () => Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => pick(syllables)).join('');
  const strangers = (
    'Initech|Globex|Vandelay Industries|Dunder Mifflin|Wonka Industries|Stark Industries|Umbrella Corporation|' +
    'Cyberdyne Systems|Soylent|Tyrell Corporation|Wayne Enterprises|Oscorp|Hooli|Pied Piper|Prestige Worldwide'
  ).split('|');
  const out: Query[] = [];
  while (out.length < count) {
    const a = pick(named);
    const words = nameWords(a.organizationName as string);
    if (words.length === 0) continue;
    const r = rnd();
    const source = a.id;
    if (r < 0.3) {
      // The first keystrokes: `bl`, `blu`, `blue` (Slack asks from the 2nd character).
      const word = fold(rnd() < 0.8 ? (words[0] as string) : pick(words)).replace(/[^\p{L}]/gu, '');
      if (word.length < 2) continue;
      out.push({ kind: 'prefix', text: word.slice(0, 2 + Math.floor(rnd() * 3)), source });
    } else if (r < 0.45) out.push({ kind: 'word', text: maybeFold(pick(words)), source });
    else if (r < 0.6) {
      if (words.length < 2) continue;
      const at = Math.floor(rnd() * (words.length - 1));
      out.push({ kind: 'two words', text: maybeFold(`${words[at]} ${words[at + 1]}`), source });
    } else if (r < 0.72) {
      // `maría gar`, `søren`: a first name, and perhaps the beginning of the surname.
      const [first, last = ''] = (a.siteOwnerName as string).split(' ');
      const text = rnd() < 0.7 ? `${first} ${last.slice(0, 2 + Math.floor(rnd() * 3))}` : (first as string);
      out.push({ kind: 'owner', text: maybeFold(text), source });
    } else if (r < 0.82) {
      // One letter wrong in a word of five letters or more.
      const long = words.filter((w) => /^\p{L}{5,}$/u.test(w));
      if (long.length === 0) continue;
      const word = pick(long);
      const at = 1 + Math.floor(rnd() * (word.length - 2));
      const typo = `${word.slice(0, at)}${'aeiourstln'[Math.floor(rnd() * 10)]}${word.slice(at + 1)}`;
      if (fold(typo) === fold(word)) continue;
      out.push({ kind: 'typo', text: maybeFold(typo), source });
    } else if (r < 0.9) out.push({ kind: 'id', text: a.id, source });
    else {
      const draw = rnd();
      const text = draw < 0.3 ? maybeFold(pick(strangers)) : draw < 0.65 ? nonsense() : `${nonsense()} ${nonsense()}`;
      if (matchesNothing(text)) out.push({ kind: 'nomatch', text });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What people type after /plan to find an account by name, and its search in this process.

export type NameQueryKind = 'exact' | 'folded' | 'prefix' | 'typo' | 'owner' | 'surname' | 'nomatch';
export interface NameQuery {
  kind: NameQueryKind;
  text: string;
}

const lettersOnly = (w: string) => /^\p{L}+$/u.test(w);

/** `count` `/plan <words>` queries drawn from `accounts` (each kind a share of them). */
export function makeNameQueries(accounts: PartnerAccount[], count: number): NameQuery[] {
  const rnd = prng(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const named = accounts.filter((a) => a.organizationName);
  const syllables = [
    'zor',
    'blat',
    'quin',
    'vex',
    'trum',
    'plo',
    'skev',
    'gnar',
    'wub',
    'fip',
    'drox',
    'yal',
    'krim',
    'thul',
  ];
  const nonsense = () => Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => pick(syllables)).join('');
  const out: NameQuery[] = [];
  while (out.length < count) {
    const a = pick(named);
    const org = a.organizationName as string;
    const words = org.split(' ');
    const r = rnd();
    if (r < 0.2) out.push({ kind: 'exact', text: org });
    else if (r < 0.35) out.push({ kind: 'folded', text: fold(org) });
    else if (r < 0.5) {
      // `blue riv`, `pâtiss`: whole words, then the beginning of the next.
      const n = Math.floor(rnd() * Math.min(words.length, 2));
      const next = words[n] ?? '';
      const cut = next.slice(0, Math.max(3, Math.ceil(next.length / 2)));
      out.push({ kind: 'prefix', text: [...words.slice(0, n), cut].join(' ') });
    } else if (r < 0.65) {
      // One letter wrong in the longest word of five letters or more.
      const longest = words.filter(lettersOnly).sort((x, y) => y.length - x.length)[0];
      if (!longest || longest.length < 5) continue;
      const at = 1 + Math.floor(rnd() * (longest.length - 2));
      const typo = `${longest.slice(0, at)}${'aeiourstln'[Math.floor(rnd() * 10)]}${longest.slice(at + 1)}`;
      out.push({ kind: 'typo', text: words.map((w) => (w === longest ? typo : w)).join(' ') });
    } else if (r < 0.8)
      out.push({ kind: 'owner', text: rnd() < 0.5 ? (a.siteOwnerName as string) : fold(a.siteOwnerName as string) });
    else if (r < 0.85) out.push({ kind: 'surname', text: (a.siteOwnerName as string).split(' ').at(-1) as string });
    else out.push({ kind: 'nomatch', text: `${nonsense()} ${nonsense()}` });
  }
  return out;
}

export interface InProcess {
  coldMs: number;
  /** A new index object of the same accounts, JIT warm: what a rebuilt index costs its first search. */
  reprepareMs: number;
  times: Float64Array;
  kinds: Map<NameQueryKind, { times: number[]; results: Record<AccountSearchResult['kind'], number> }>;
}

/**
 * `searchAccounts` over `queries`: the first call (which prepares the search structure) apart as
 * `coldMs`, then each query timed, and (unless `reprepare` is false; NaN then) a new index object of
 * the same accounts prepared again, JIT warm.
 */
export function searchInProcess(
  accounts: PartnerAccount[],
  queries: NameQuery[],
  o: { reprepare?: boolean } = {},
): InProcess {
  const index: AccountIndex = { builtAt: Date.now(), accounts };
  const first = queries[0] as NameQuery;
  let t0 = performance.now();
  searchAccounts(index, first.text);
  const coldMs = performance.now() - t0;
  const times = new Float64Array(queries.length);
  const kinds: InProcess['kinds'] = new Map();
  for (let i = 0; i < queries.length; i++) {
    const q = queries[i] as NameQuery;
    t0 = performance.now();
    const result = searchAccounts(index, q.text);
    const ms = performance.now() - t0;
    times[i] = ms;
    let k = kinds.get(q.kind);
    if (!k) kinds.set(q.kind, (k = { times: [], results: { id: 0, one: 0, several: 0, none: 0 } }));
    k.times.push(ms);
    k.results[result.kind]++;
  }
  if (o.reprepare === false) return { coldMs, reprepareMs: Number.NaN, times, kinds };
  const again: AccountIndex = { builtAt: index.builtAt + 1, accounts: [...accounts] };
  t0 = performance.now();
  searchAccounts(again, first.text);
  return { coldMs, reprepareMs: performance.now() - t0, times, kinds };
}
