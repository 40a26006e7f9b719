// Measures the big screens' first meaningful paint (docs/benchmarks.md): for each run a
// new headless Chromium with a fresh profile and the cache disabled, signed in through
// GraphQL, the screen opened cold; the time is `performance.now()` (ms since navigation)
// when the condition tests/screens/ waits for first holds — every panel drawn (or showing
// its error) and each map holding its districts — polled every 20 ms.
//
//   npm ci && node scripts/first-paint.mjs http://127.0.0.1:8080 demo '<password>' 5
//
// Needs Debian's chromium (or CHROMIUM=/path); puppeteer-core is a dev dependency.
import puppeteer from 'puppeteer-core';

const [base = 'http://127.0.0.1:8080', username = 'demo', password, runs = '5'] = process.argv.slice(2);
const SCREENS = ['decision_support', 'business_handling', 'situation_analysis'];
/** The drawn condition, and the page's clock when it held (null until it does). */
function drawnAt() {
  const g = document.querySelector('.screen-grid');
  const p = [...document.querySelectorAll('.panel')];
  const drawn = g && g.dataset.loaded && p.length > 0 && p.every((x) => x.dataset.state)
    && [...document.querySelectorAll('.widget-map .body')].every((b) => b.dataset.districts);
  return drawn ? performance.now() : null;
}

async function token() {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: username, p: password } }),
  });
  const body = await response.json();
  if (!body.data) throw new Error(`sign-in failed: ${JSON.stringify(body.errors)}`);
  return body.data.login.token;
}

async function once(code) {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--window-size=1920,1080'],
    defaultViewport: { width: 1920, height: 1080 },
  });
  try {
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    const session = await token();
    // The token goes in before the app starts, as a signed-in tab has it.
    await page.evaluateOnNewDocument((t) => sessionStorage.setItem('jiuye.token', t), session);
    // The clock is the page's own (from navigation start); the screen cannot be drawn
    // before its document is parsed, so polling may start then.
    await page.goto(`${base}/?visit=${Date.now()}#/screen/${code}`, { waitUntil: 'domcontentloaded' });
    // Polled by hand: puppeteer's waitForFunction builds a function from text, which the
    // app's CSP (script-src 'self') refuses.
    const started = Date.now();
    for (;;) {
      const at = await page.evaluate(drawnAt);
      if (at !== null) return at;
      if (Date.now() - started > 60_000) throw new Error(`${code} not drawn in 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await browser.close();
  }
}

for (const code of SCREENS) {
  const times = [];
  for (let i = 0; i < Number(runs); i += 1) times.push(await once(code));
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`${code}: median ${median.toFixed(0)} ms (${sorted.map((t) => t.toFixed(0)).join(', ')})`);
}
