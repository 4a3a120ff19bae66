// Write the Group Policy templates made from the policy schema (src/policy/admx.ts):
//   build/policies/ostal.admx and build/policies/fr-FR/ostal.adml.
// Run after changing a policy key or its French text: `npm run policies:admx` (a unit test fails until then).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePolicyTemplates } from '../src/policy/admx.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'build', 'policies');
const { admx, adml } = generatePolicyTemplates();
fs.mkdirSync(path.join(dir, 'fr-FR'), { recursive: true });
fs.writeFileSync(path.join(dir, 'ostal.admx'), admx);
fs.writeFileSync(path.join(dir, 'fr-FR', 'ostal.adml'), adml);
console.log(`Modèles de stratégie écrits dans ${path.relative(root, dir)} (ostal.admx, fr-FR/ostal.adml).`);
