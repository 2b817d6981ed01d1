// tests/e2e/system.test.js — the System and Diagnostics pages in Chromium:
// Dashboard, Groups (and joining one from a user's page), API Tokens
// (shown once, then revoked), General Setup (a field error, then a saved
// value), Diagnostics > Audit Log (the changes above are listed), and the
// 404 page.  Run by tests/e2e/run.sh against a fresh instance.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { launch } = require('./browser');

const BASE = process.env.IKEGW_URL;
const PASSWORD = process.env.IKEGW_ADMIN_PASSWORD;
const TOP = path.resolve(__dirname, '..', '..');
const OUT = process.env.IKEGW_E2E_OUT || path.join(TOP, 'test-output', 'e2e');

let browser, page;

async function shot(name) {
	await page.screenshot({ path: path.join(OUT, `system-${name}.png`), fullPage: true });
}

// Submits a form by clicking and waits for the page that answers.
async function submit(locator) {
	await Promise.all([page.waitForLoadState('domcontentloaded'), page.waitForEvent('framenavigated'),
		locator.click()]);
}

async function flash() {
	return (await page.locator('main .flash[role=status]').first().textContent()).trim();
}

describe('System and Diagnostics pages in Chromium', { timeout: 90_000 }, () => {
	before(async () => {
		fs.mkdirSync(OUT, { recursive: true });
		// 4xx pages the test provokes on purpose are logged by Chromium too.
		browser = await launch('system', { ignore: (m) => /status of (404|422)/.test(m.text()) });
		page = browser.page;
		await page.goto(`${BASE}/login`);
		await page.fill('#username', 'admin');
		await page.fill('#password', PASSWORD);
		await submit(page.getByRole('button', { name: 'Log in' }));
		assert.equal(new URL(page.url()).pathname, '/status/dashboard');
	});

	after(async () => {
		if (browser) await browser.close(path.join(OUT, 'system-console-errors.txt'));
	});

	it('dashboard shows the accounts', async () => {
		await page.goto(`${BASE}/status/dashboard`);
		assert.match(await page.locator('h1').textContent(), /Dashboard/);
		const text = await page.locator('main').innerText();
		assert.match(text, /Administrators\s+1/);
		await shot('dashboard');
	});

	it('creates a group and puts a user in it', async () => {
		await page.goto(`${BASE}/system/groups/new`);
		await page.fill('#name', 'staff');
		await page.fill('#description', 'Office staff');
		await submit(page.getByRole('button', { name: 'Save' }));
		assert.equal(await flash(), 'Group created.');
		assert.match(await page.locator('#groups').innerText(), /staff\s+Office staff\s+0/);
		// A VPN user in that group, through the user form's checkbox.
		await page.goto(`${BASE}/system/users/new`);
		await page.fill('#name', 'grace');
		await page.fill('#vpn_password', 'grace-vpn-pass-1');
		await page.fill('#vpn_password_confirm', 'grace-vpn-pass-1');
		await page.getByLabel('staff').check();
		await submit(page.getByRole('button', { name: 'Save' }));
		assert.equal(await flash(), 'User created.');
		assert.match(await page.locator('#users').innerText(), /grace.*staff/s);
		await page.goto(`${BASE}/system/groups`);
		assert.match(await page.locator('#groups').innerText(), /staff\s+Office staff\s+1/);
		await shot('groups');
	});

	it('an API token is shown once, works, and can be revoked', async () => {
		await page.goto(`${BASE}/system/tokens`);
		await page.fill('#name', 'monitoring');
		await submit(page.getByRole('button', { name: 'Create token' }));
		const token = (await page.locator('#new-token').textContent()).trim();
		assert.match(token, /^ikegw_[0-9a-f]{64}$/);
		await shot('token-created');
		// It opens the API (a request without the browser's cookies).
		const res = await fetch(`${BASE}/api/v1/users`, { headers: { Authorization: `Bearer ${token}` } });
		assert.equal(res.status, 200);
		assert.match(await res.text(), /"grace"/);
		// Reloading never shows it again.
		await page.goto(`${BASE}/system/tokens`);
		assert.equal(await page.locator('#new-token').count(), 0);
		assert.doesNotMatch(await page.content(), new RegExp(token));
		// Revoke (the confirmation dialog is accepted).
		page.once('dialog', (d) => d.accept());
		await submit(page.locator('#tokens').getByRole('button', { name: 'Revoke' }));
		assert.equal(await flash(), 'API token revoked.');
		assert.match(await page.locator('#tokens').innerText(), /monitoring.*revoked/s);
		const after = await fetch(`${BASE}/api/v1/users`, { headers: { Authorization: `Bearer ${token}` } });
		assert.equal(after.status, 401);
		await shot('token-revoked');
	});

	it('general setup: a bad value gets a field message, a good one is saved', async () => {
		await page.goto(`${BASE}/system/general`);
		await page.fill('#session_timeout', '2');
		await submit(page.getByRole('button', { name: 'Save' }));
		const err = page.locator('#session_timeout ~ .field-error');
		assert.match(await err.textContent(), /between 5 and 1440/);
		assert.equal(await page.inputValue('#session_timeout'), '2');
		await shot('general-error');
		await page.fill('#session_timeout', '60');
		await submit(page.getByRole('button', { name: 'Save' }));
		assert.equal(await flash(), 'Settings saved.');
		assert.equal(await page.inputValue('#session_timeout'), '60');
	});

	it('the audit log lists what was done', async () => {
		await page.goto(`${BASE}/diagnostics/audit`);
		const log = await page.locator('#audit').innerText();
		for (const action of ['login.success', 'group.create', 'user.create', 'token.create',
			'token.revoke', 'settings.update'])
			assert.match(log, new RegExp(action), `${action} is in the audit log`);
		await shot('audit');
	});

	it('an unknown page says so without echoing the address', async () => {
		const res = await page.goto(`${BASE}/no/such/page-xq9`);
		assert.equal(res.status(), 404);
		assert.doesNotMatch(await page.content(), /xq9/);
	});

	it('no console errors', () => {
		assert.deepEqual(browser.errors, []);
	});
});
