/**
 * The generated account names the benchmarks share: a seeded random source and the word lists
 * names are drawn from (accents, apostrophes and `&` included), so every run sees the same data.
 */

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
