/**
 * French formatting of numbers and sizes, following GLOSSAIRE.md: numbers « 1 234,5 », sizes « 12,4 Mo » — one
 * module for the core and the renderer (src/shared/format.ts).
 * Dates and times are formatted by src/shared/time.ts, shared with the core (the user's time zone).
 */
export { compareFrench, formatNumber, formatSize } from '../../../src/shared/format';
