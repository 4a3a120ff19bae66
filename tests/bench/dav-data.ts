/**
 * Deterministic French calendar and address book for `npm run bench -- dav`: N events over two years (one in ten
 * weekly recurring, with TZID=Europe/Paris as real clients write them; some all-day), M contacts with accents.
 */
import { prng, type SeedContact, type SeedEvent } from '../fixtures/seed/data.js';

const TITLES: Array<[string, string | undefined]> = [
  ['Réunion de service', 'Salle des mariages'],
  ['Point budget avec la trésorerie', 'Trésorerie'],
  ['Permanence état civil', 'Guichet n° 2'],
  ['Commission urbanisme', 'Salle du conseil'],
  ['Visite du chantier de l’école', 'École Jean-Jaurès'],
  ['Entretien annuel', undefined],
  ['Conseil municipal', 'Salle du conseil'],
  ['Formation « marchés publics »', 'Centre de gestion'],
  ['Accueil des nouveaux agents', 'Hall de la mairie'],
  ['Comité de pilotage numérique', 'Visioconférence'],
  ['Rendez-vous avec l’architecte des bâtiments de France', 'Préfecture'],
  ['Déjeuner des élus', 'Restaurant « Le Cèdre »'],
];
const GIVEN = [
  'Camille',
  'Dominique',
  'Élodie',
  'Jérôme',
  'Bénédicte',
  'François',
  'Anaïs',
  'Noël',
  'Hélène',
  'Loïc',
  'Maëlle',
  'Thérèse',
  'Gaëtan',
  'Zoé',
  'Célestin',
  'Inès',
];
const FAMILY = [
  'Martin',
  'Bernard',
  'Garnier',
  'Lambert',
  'Roux',
  'Lefèvre',
  'Dupré',
  'Faure',
  'Chevalier',
  'Mercier',
  'Gauthier',
  'Perrin',
  'Morel',
  'Fournier',
  'Girard',
  'Bonnet',
  'Lemaître',
  'Noël',
];
const ORGS = [
  'Mairie de Figeac',
  'Préfecture du Lot',
  'Conseil départemental',
  'Communauté de communes',
  'Trésorerie de Cahors',
  'Syndicat des eaux',
];
const JOBS = [
  'Secrétaire de mairie',
  'Directrice générale des services',
  'Chargé de mission',
  'Agent d’accueil',
  'Responsable des services techniques',
];

const pad = (n: number) => String(n).padStart(2, '0');
const day = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Every event starts between FIRST_DAY and FIRST_DAY + 730 days; recurring ones end within 12 weeks after. */
export const FIRST_DAY = '2026-01-05';
export const LIST_WINDOW = { from: '2025-12-01', to: '2028-06-30' };

export function benchEvents(n: number, recurringEvery = 10): SeedEvent[] {
  const rand = prng(20261201);
  const first = Date.parse(`${FIRST_DAY}T00:00:00Z`);
  return Array.from({ length: n }, (_, i): SeedEvent => {
    const [summary, location] = TITLES[i % TITLES.length];
    const d = new Date(first + Math.floor(rand() * 730) * 86_400_000);
    const uid = `bench-evt-${String(i).padStart(5, '0')}@ostal.test`;
    const description = i % 3 === 0 ? `Ordre du jour n° ${i} : points divers, questions des agents.` : undefined;
    if (i % 20 === 7) {
      const end = new Date(d.getTime() + 86_400_000);
      return { uid, summary: `${summary} (journée)`, location, description, start: day(d), end: day(end) };
    }
    const hour = 8 + Math.floor(rand() * 9);
    const minutes = rand() < 0.5 ? '00' : '30';
    const start = `${day(d)}T${pad(hour)}:${minutes}`;
    const end = `${day(d)}T${pad(hour + 1)}:${minutes}`;
    if (i % recurringEvery === 0)
      return { uid, summary: `${summary} (hebdomadaire)`, location, description, start, end, rrule: 'FREQ=WEEKLY;COUNT=12' };
    return { uid, summary, location, description, start, end };
  });
}

export function benchContacts(n: number): SeedContact[] {
  const rand = prng(20261202);
  return Array.from({ length: n }, (_, i): SeedContact => {
    const given = GIVEN[Math.floor(rand() * GIVEN.length)];
    const family = FAMILY[Math.floor(rand() * FAMILY.length)];
    const ascii = `${given}.${family}`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    return {
      uid: `bench-contact-${String(i).padStart(5, '0')}@ostal.test`,
      given,
      family,
      org: i % 2 === 0 ? ORGS[i % ORGS.length] : undefined,
      title: i % 4 === 0 ? JOBS[i % JOBS.length] : undefined,
      email: `${ascii}.${i}@collectivite.test`,
      phone: i % 3 === 0 ? undefined : `+33 5 65 ${pad(i % 100)} ${pad((i * 7) % 100)} ${pad((i * 13) % 100)}`,
    };
  });
}
