/**
 * The browser client end to end (issue 6): the BUILT server as a child process,
 * Debian's Chromium through playwright-core, every element found by its
 * accessible name as SPEC §6 names it. The browser reaches the server through
 * a TCP proxy the test can cut.
 */
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, startServer, type RunningServer } from '../helpers/server.js';
import { CHROMIUM, launchChromium, openPage, screenshot, type WatchedPage } from './support/browser.js';
import { CuttableProxy } from './support/proxy.js';

/** Entry under dist/ (SPEC §1 `node dist/server.js`); overridable to point the suite at another build. */
const ENTRY = process.env['SL_E2E_ENTRY'] ?? 'server.js';
const SERVER = path.join(ROOT, 'dist', ENTRY);
const PASSWORD = 'correct horse battery';
/** Generous: two cores are shared with other builds, and scrypt takes a while per login. */
const UI_TIMEOUT = 15_000;

let browser: Browser;
let server: RunningServer;
let proxy: CuttableProxy;
const contexts: BrowserContext[] = [];
const watched: WatchedPage[] = [];

/** A server behind its own cuttable proxy. */
async function startStack(env: Record<string, string> = {}): Promise<{ server: RunningServer; proxy: CuttableProxy }> {
  const proxy = await CuttableProxy.listen();
  // The page's origin is the proxy's; allow it explicitly in case the server compares Origin with its own address.
  const server = await startServer({
    entry: ENTRY,
    env: { CORS_ORIGINS: proxy.origin, NODE_OPTIONS: process.env['SL_E2E_NODE_OPTIONS'], ...env },
  });
  proxy.target(server.port);
  return { server, proxy };
}

before(async () => {
  // No silent skip: `npm test` builds first and `.ci/run` installs Chromium.
  assert.ok(existsSync(SERVER), `${SERVER} is not built: run npm run build`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  ({ server, proxy } = await startStack());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.stop();
});

afterEach(async () => {
  // SPEC §7 rule 23: no uncaught exception and no console.error from the client, in any test.
  const problems = watched.flatMap((w) => w.problems);
  for (const context of contexts.splice(0)) await context.close();
  watched.length = 0;
  assert.deepEqual(problems, []);
});

let counter = 0;
function uniqueName(prefix: string): string {
  return `${prefix}${process.pid % 1000}_${++counter}`;
}

async function newPage(viewport = { width: 1200, height: 800 }, origin = proxy.origin): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const w = await openPage(context, `${origin}/`);
  watched.push(w);
  return w.page;
}

async function fillCredentials(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
}

/** Register then (the client does it itself, rule 19) log in; done when the socket says Connected. */
async function register(page: Page, username: string): Promise<void> {
  await fillCredentials(page, username);
  await page.getByRole('button', { name: 'Register' }).click();
  await connected(page);
}

async function logIn(page: Page, username: string): Promise<void> {
  await fillCredentials(page, username);
  await page.getByRole('button', { name: 'Log in' }).click();
  await connected(page);
}

async function connected(page: Page): Promise<void> {
  await page.getByRole('status').getByText('Connected', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
}

async function createRoom(page: Page, room: string): Promise<void> {
  await page.getByLabel('New room').fill(room);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('list', { name: 'Rooms' }).getByRole('button', { name: room, exact: true }).waitFor({ timeout: UI_TIMEOUT });
}

async function openRoom(page: Page, room: string): Promise<void> {
  const button = page.getByRole('list', { name: 'Rooms' }).getByRole('button', { name: room, exact: true });
  await button.click({ timeout: UI_TIMEOUT });
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
}

/** A newly registered user's page in a room it created, with its first message shown. */
async function pageInRoom(username: string, room: string, first: string): Promise<Page> {
  const page = await newPage();
  await register(page, username);
  await createRoom(page, room);
  await send(page, first);
  await seeMessage(page, first);
  return page;
}

/** The entries of the message log whose text is exactly `text`. */
function logEntries(page: Page, text: string) {
  return page.getByRole('log').locator('.message').filter({ has: page.getByText(text, { exact: true }) });
}

async function seeMessage(page: Page, text: string): Promise<void> {
  await logEntries(page, text).first().waitFor({ timeout: UI_TIMEOUT });
}

/** A user's own HTTP client, bypassing the browser, to post while the browser is cut off. */
async function apiCall(base: string, path: string, body: unknown, expectedStatus: number, token?: string): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.equal(response.status, expectedStatus, `${path} answered ${response.status}`);
  return response.json();
}

async function apiRegister(username: string, base = server.url): Promise<void> {
  await apiCall(base, '/api/auth/register', { username, password: PASSWORD }, 201);
}

async function apiLogin(username: string, base = server.url): Promise<string> {
  return ((await apiCall(base, '/api/auth/login', { username, password: PASSWORD }, 200)) as { accessToken: string }).accessToken;
}

async function apiPost(token: string, room: string, text: string, base = server.url): Promise<void> {
  await apiCall(base, `/api/rooms/${room}/messages`, { text }, 201, token);
}

test('SPEC §6: two users register by accessible names, share a room, and see each other online, typing and writing', { timeout: 90_000 }, async () => {
  const alice = uniqueName('alice');
  const bob = uniqueName('bob');
  const room = uniqueName('room').toLowerCase();
  const a = await newPage();
  const b = await newPage();
  await screenshot(a, '1-sign-in');
  await register(a, alice);
  await register(b, bob);

  // Online: each sees the other (a list whose accessible name is `Online`, rule 23).
  await a.getByRole('list', { name: 'Online' }).getByText(bob, { exact: true }).waitFor({ timeout: UI_TIMEOUT });
  await b.getByRole('list', { name: 'Online' }).getByText(alice, { exact: true }).waitFor({ timeout: UI_TIMEOUT });

  // Alice creates the room; Bob sees it appear in his Rooms list and joins it.
  await createRoom(a, room);
  await openRoom(b, room);
  // Both joined: a message from Alice proves Bob's join took effect before we test typing.
  await send(a, 'hello from alice');
  await seeMessage(b, 'hello from alice');

  // Typing: Bob types, Alice sees `NAME is typing…`; Bob sends, the line goes with his message.
  await b.getByLabel('Message').pressSequentially('hi al', { delay: 30 });
  const typingLine = a.getByText(new RegExp(`^${bob} is typing(…|\\.\\.\\.)$`));
  await typingLine.waitFor({ timeout: UI_TIMEOUT });
  await screenshot(a, '2-typing');
  await b.getByLabel('Message').pressSequentially('ice', { delay: 30 });
  await b.getByLabel('Message').press('Enter');
  await seeMessage(a, 'hi alice');
  await typingLine.waitFor({ state: 'detached', timeout: UI_TIMEOUT });

  // The log shows sender, a time and the text.
  const entry = logEntries(a, 'hi alice');
  assert.equal(await entry.locator('.sender').textContent(), bob);
  assert.match((await entry.locator('time').textContent()) ?? '', /\d/);
  assert.equal(await b.getByLabel('Message').inputValue(), '', 'Enter sent and emptied the field');
  await screenshot(a, '3-chat');
});

test('issue 6 point 4: a message carrying HTML renders as text and creates no element', { timeout: 90_000 }, async () => {
  const room = uniqueName('xss').toLowerCase();
  const a = await newPage();
  const b = await newPage();
  await register(a, uniqueName('mallory'));
  await register(b, uniqueName('victim'));
  let dialogs = 0;
  b.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  await createRoom(a, room);
  await openRoom(b, room);
  await send(a, 'warm-up');
  await seeMessage(b, 'warm-up');
  const payload = '<img src=x onerror=alert(1)>';
  await send(a, payload);
  await seeMessage(b, payload);
  assert.equal(await b.getByRole('log').locator('img').count(), 0);
  assert.equal(await logEntries(b, payload).locator('.text').textContent(), payload);
  assert.equal(dialogs, 0);
  await screenshot(b, '4-html-as-text');
});

test('issue 6 point 5: cutting the connection shows Reconnecting…, then every message sent meanwhile, each once', { timeout: 120_000 }, async () => {
  const reader = uniqueName('reader');
  const writer = uniqueName('writer');
  const room = uniqueName('cut').toLowerCase();
  const a = await pageInRoom(reader, room, 'before the cut');

  // The writer posts over HTTP straight to the server, so the cut does not reach it.
  await apiRegister(writer);
  const token = await apiLogin(writer);

  proxy.cut();
  await a.getByRole('status').getByText('Reconnecting…', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
  await screenshot(a, '5-reconnecting');
  const missed = ['missed one', 'missed two', 'missed three'];
  for (const text of missed) await apiPost(token, room, text);
  // Typed while cut off: kept and sent after the rejoin.
  await send(a, 'typed while offline');
  proxy.restore();

  await connected(a);
  for (const text of missed) await seeMessage(a, text);
  await seeMessage(a, 'typed while offline');
  // A message after the catch-up, so duplicates from a late replay would have arrived by now.
  await apiPost(token, room, 'after the catch-up');
  await seeMessage(a, 'after the catch-up');
  for (const text of ['before the cut', ...missed, 'typed while offline', 'after the catch-up']) {
    assert.equal(await logEntries(a, text).count(), 1, `"${text}" shown once`);
  }
  // In order: seq order is log order.
  const texts = await a.getByRole('log').locator('.message .text').allTextContents();
  assert.deepEqual(texts, ['before the cut', ...missed, 'typed while offline', 'after the catch-up']);
  await screenshot(a, '6-after-reconnect');
});

test('issue 6 point 5: when the browser goes offline the status says Reconnecting… at once; back online, what was typed is sent', { timeout: 90_000 }, async () => {
  const user = uniqueName('roamer');
  const room = uniqueName('train').toLowerCase();
  const page = await pageInRoom(user, room, 'before the tunnel');

  // Emulated offline leaves the open socket working: only the `offline` event says the link is gone.
  await page.context().setOffline(true);
  await page.getByRole('status').getByText('Reconnecting…', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
  await send(page, 'typed in the tunnel');
  await page.context().setOffline(false);

  await connected(page);
  await seeMessage(page, 'typed in the tunnel');
  assert.equal(await logEntries(page, 'typed in the tunnel').count(), 1);
});

test('SPEC §4 history: a room with 60 messages shows the latest 50, and Older messages pages back to the first', { timeout: 90_000 }, async () => {
  const user = uniqueName('iris');
  const room = uniqueName('long').toLowerCase();
  const page = await newPage();
  await register(page, user);
  await createRoom(page, room);
  const token = await apiLogin(user);
  for (let i = 1; i <= 60; i++) await apiPost(token, room, `line ${i}`);
  await seeMessage(page, 'line 60');
  // A fresh page joins without `since`: the last 50 (SPEC §4 join_room).
  await page.reload();
  await connected(page);
  await openRoom(page, room);
  await seeMessage(page, 'line 60');
  assert.equal(await page.getByRole('log').locator('.message').count(), 50);
  assert.equal(await logEntries(page, 'line 10').count(), 0);
  await page.getByRole('button', { name: 'Older messages' }).click();
  await seeMessage(page, 'line 1');
  const texts = await page.getByRole('log').locator('.message .text').allTextContents();
  assert.deepEqual(texts, Array.from({ length: 60 }, (_, i) => `line ${i + 1}`));
  await page.getByRole('button', { name: 'Older messages' }).waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
});

test('issue 6 point 3: Sign out of another device in the Devices panel ends that browser\'s session', { timeout: 90_000 }, async () => {
  const user = uniqueName('carol');
  const laptop = await newPage();
  const phone = await newPage({ width: 375, height: 740 });
  await register(laptop, user);
  const devices = laptop.getByRole('list', { name: 'Devices' });
  await devices.getByRole('listitem').first().waitFor({ timeout: UI_TIMEOUT });
  // The phone signs in after the laptop's list was loaded: the laptop learns of it unasked.
  await logIn(phone, user);
  await devices.getByRole('listitem').nth(1).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await devices.getByRole('listitem').count(), 2);
  assert.equal(await devices.getByText('(this device)').count(), 1, 'this device is marked');
  // One Sign out button: for the other device, not this one.
  assert.equal(await devices.getByRole('button', { name: 'Sign out' }).count(), 1);
  await screenshot(laptop, '7-devices');
  await devices.getByRole('button', { name: 'Sign out' }).click();

  // The phone's socket closes 4001, its refresh is refused: back to the sign-in form.
  await phone.getByRole('button', { name: 'Log in' }).waitFor({ timeout: UI_TIMEOUT });
  assert.notEqual((await phone.getByRole('alert').textContent())?.trim(), '');
  await phone.reload();
  await phone.getByRole('button', { name: 'Log in' }).waitFor({ timeout: UI_TIMEOUT });
  await screenshot(phone, '8-signed-out-device');
  // The laptop carries on.
  await connected(laptop);
  await devices.getByRole('listitem').nth(1).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
});

test('SPEC §6: a wrong password is reported in role="alert" and the form stays', { timeout: 60_000 }, async () => {
  const user = uniqueName('dave');
  const page = await newPage();
  await register(page, user);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  const alert = page.getByRole('alert');
  await alert.filter({ hasText: /\S/ }).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await page.getByRole('button', { name: 'Log out' }).isVisible(), false);
  await screenshot(page, '9-login-error');
});

test('SPEC §6: Log out returns to the sign-in form and a reload stays signed out; a reload while signed in resumes', { timeout: 60_000 }, async () => {
  const user = uniqueName('erin');
  const page = await newPage();
  await register(page, user);
  await page.reload();
  await connected(page); // resumed through the refresh cookie
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: UI_TIMEOUT });
  await page.reload();
  await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await page.getByRole('button', { name: 'Log out' }).isVisible(), false);
});

test('issue 6 point 7: usable from the keyboard alone, and no sideways scrolling on a narrow window', { timeout: 60_000 }, async () => {
  const user = uniqueName('frank');
  const room = uniqueName('keys').toLowerCase();
  const page = await newPage({ width: 360, height: 720 });
  // Sign in with Tab and Enter only.
  await page.getByLabel('Username').focus();
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement?.id'), 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Register');
  await page.keyboard.press('Enter');
  await connected(page);
  // Create a room from the keyboard, then the message field takes Enter.
  await page.getByLabel('New room').focus();
  await page.keyboard.type(room);
  await page.keyboard.press('Enter');
  // The Message field is enabled once a room is open.
  await page.getByRole('textbox', { name: 'Message' }).and(page.locator(':enabled')).waitFor({ timeout: UI_TIMEOUT });
  await page.getByLabel('Message').focus();
  await page.keyboard.type('typed, not clicked');
  await page.keyboard.press('Enter');
  await seeMessage(page, 'typed, not clicked');
  // Focus is visible: a focused button draws an outline.
  await page.getByLabel('Message').focus();
  await page.keyboard.type('x');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Send');
  const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
  assert.notEqual(outline, 'none');
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px at 360px`);
  await screenshot(page, '10-narrow');
});

test('issue 6 point 5: with 4 s access tokens the client renews in-band, and after a cut longer than a token\'s life it refreshes before reconnecting', { timeout: 120_000 }, async () => {
  const TTL_SECONDS = 4;
  const stack = await startStack({ ACCESS_TOKEN_TTL: String(TTL_SECONDS) });
  try {
    const user = uniqueName('gina');
    const writer = uniqueName('hank');
    const room = uniqueName('ttl').toLowerCase();
    const page = await newPage(undefined, stack.proxy.origin);
    /** What the browser did, in order: successful refreshes and socket openings. */
    const events: string[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/api/auth/refresh') events.push(`refresh ${response.status()}`);
    });
    page.on('websocket', () => events.push('socket'));
    const refreshed = () => page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/refresh' && r.status() === 200, { timeout: UI_TIMEOUT });

    await register(page, user);
    await createRoom(page, room);
    // SPEC §7 rule 14: under 60 s left, so `token_expiring` comes at once; the client renews (refresh + `auth`).
    await refreshed();
    await refreshed();
    // Two renewals span more than the first token's life, and the first socket still carries messages.
    await send(page, 'still here');
    await seeMessage(page, 'still here');
    assert.equal(events.filter((e) => e === 'socket').length, 1, 'renewed in-band, no reconnect');

    // Cut for longer than a token lives: the client must refresh before it opens a socket again.
    await apiRegister(writer, stack.server.url);
    const token = await apiLogin(writer, stack.server.url);
    stack.proxy.cut();
    await page.getByRole('status').getByText('Reconnecting…', { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    const cutAt = events.length;
    // The client notices its token expired and tries to refresh (through the cut proxy: it fails).
    await page.waitForRequest((r) => new URL(r.url()).pathname === '/api/auth/refresh', { timeout: UI_TIMEOUT });
    await apiPost(token, room, 'sent during the long cut', stack.server.url);
    stack.proxy.restore();
    await connected(page);
    await seeMessage(page, 'sent during the long cut');
    const after = events.slice(cutAt);
    const firstSocket = after.indexOf('socket');
    assert.ok(firstSocket > 0 && after.slice(0, firstSocket).includes('refresh 200'), `refresh before reconnect: ${after.join(', ')}`);
    assert.equal(await logEntries(page, 'sent during the long cut').count(), 1);
  } finally {
    for (const context of contexts.splice(0)) await context.close();
    await stack.proxy.close();
    await stack.server.stop();
  }
});
