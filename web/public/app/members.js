// The names of dimension members (districts, 户籍, industries …) for the codes answers
// carry: asked once per page for every dimension its panels break down by.

import { gql } from './api.js';

// Employers are too many to list whole: their names are asked by the codes shown
// (`namesOf`).
const UNLISTED = new Set(['employer']);

/** The dimensions `panels` break down by: columns that are neither the period, an
 * indicator nor an indicator's companion (`_yoy`, `_target` …). */
export function dimensionsOf(panels, indicatorCodes) {
  const codes = new Set(indicatorCodes);
  const out = new Set(['district']);
  for (const panel of panels) {
    for (const column of panel.columns) {
      const companion = [...codes].some((c) => column.startsWith(`${c}_`));
      if (column !== 'period' && !codes.has(column) && !companion && !UNLISTED.has(column)) out.add(column);
    }
  }
  return out;
}

/** Fills `cache` (dimension → Map code → name) for the dimensions it lacks. A failure
 * leaves codes without names; the panels still draw. */
export async function loadMembers(cache, dimensions) {
  const wanted = [...dimensions].filter((d) => !cache.has(d));
  if (!wanted.length) return cache;
  const query = `{ ${wanted.map((d, i) => `d${i}: dimensionMembers(dimension: ${JSON.stringify(d)}) { code name }`).join(' ')} }`;
  try {
    const answer = await gql(query);
    wanted.forEach((d, i) => cache.set(d, new Map(answer[`d${i}`].map((m) => [m.code, m.name]))));
  } catch (e) {
    console.warn('dimension members', e);
  }
  return cache;
}

/** Adds to `cache` the names of the `codes` of a dimension too large to list (employers). */
export async function namesOf(cache, dimension, codes) {
  const known = cache.get(dimension) || new Map();
  const wanted = [...new Set(codes)].filter((c) => c && !known.has(c)).slice(0, 1000);
  if (wanted.length) {
    try {
      const { dimensionMembers } = await gql('query($d: String!, $c: [String!]!) { dimensionMembers(dimension: $d, codes: $c, first: 1000) { code name } }', { d: dimension, c: wanted });
      for (const m of dimensionMembers) known.set(m.code, m.name);
    } catch (e) {
      console.warn('dimension members', e);
    }
  }
  cache.set(dimension, known);
  return cache;
}
