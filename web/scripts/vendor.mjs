// Copies the third-party files the screens use from node_modules into public/vendor/,
// where the binary embeds them (the intranet has no CDN). Run after changing a version
// in package.json: `npm ci && npm run vendor`; commit public/vendor/ with the change.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = join(web, 'public', 'vendor');
mkdirSync(vendor, { recursive: true });

const version = (pkg) => JSON.parse(readFileSync(join(web, 'node_modules', pkg, 'package.json'), 'utf8')).version;

copyFileSync(join(web, 'node_modules/echarts/dist/echarts.min.js'), join(vendor, 'echarts.min.js'));
copyFileSync(join(web, 'node_modules/echarts/LICENSE'), join(vendor, 'LICENSE-echarts.txt'));

// Shanghai's 16 districts, from the map data ECharts shipped until 5.0 (Apache-2.0).
// Its 崇明区 feature lacks an id; give it its GB/T 2260 code like the other fifteen.
const map = JSON.parse(readFileSync(join(web, 'node_modules/echarts-4-map-data/map/json/province/shanghai.json'), 'utf8'));
for (const feature of map.features) {
  if (!feature.id && feature.properties.name === '崇明区') feature.id = '310151';
}
if (map.features.length !== 16 || map.features.some((f) => !/^3101\d\d$/.test(f.id))) {
  throw new Error('expected the 16 districts of Shanghai, each with its code');
}
writeFileSync(join(vendor, 'shanghai.json'), JSON.stringify(map));

writeFileSync(
  join(vendor, 'LICENSES.md'),
  `# Third-party files in this folder

Written by \`npm run vendor\` (web/scripts/vendor.mjs) from the npm registry.

| file | package | version | licence |
|---|---|---|---|
| echarts.min.js | echarts (dist/echarts.min.js) | ${version('echarts')} | Apache-2.0 (LICENSE-echarts.txt) |
| shanghai.json | echarts (map/json/province/shanghai.json; 崇明区 given its id 310151) | ${version('echarts-4-map-data')} | Apache-2.0 (LICENSE-echarts.txt) |
| LICENSE-echarts.txt | echarts (LICENSE) | ${version('echarts')} | — |

The district boundaries come from the map data ECharts published (drawn from AMap,
GCJ-02 coordinates). They are for statistical display only: a map shown to the public
needs an approved base map (审图号), which a bureau supplies by replacing shanghai.json.
`,
);
console.log('public/vendor/ updated');
