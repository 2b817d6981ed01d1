// tests/e2e/scenario.test.js — the browser scenario, as a user would do it:
// log in with the first-run password, change it, log out and back in, add a
// VPN user through the form, see it listed, trigger validation errors and
// see the field messages, delete the user through the confirmation dialog.
// Screenshots of every main step go to test-output/e2e/.
//
// Run by tests/e2e/run.sh, which starts a fresh instance and sets
// IKEGW_URL, IKEGW_ADMIN_PASSWORD and IKEGW_VAR.  Steps run in order and
// share one browser page; after a failed step the rest are skipped (checks
// that only look, marked non-blocking, do not stop the others).
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { launch, helpers, failedStatus } = require('./browser');

const BASE = process.env.IKEGW_URL;
const FIRST_PASSWORD = process.env.IKEGW_ADMIN_PASSWORD;
const TOP = path.resolve(__dirname, '..', '..');
const OUT = process.env.IKEGW_E2E_OUT || path.join(TOP, 'test-output', 'e2e');

const NEW_PASSWORD = 'e2e-' + crypto.randomBytes(9).toString('base64url');
const VPN_USER = { name: 'alice.e2e', fullName: 'Alice Example', vpnPassword: 'vpn-secret-1234' };
const BAD_USER = { name: 'bad name!', fullName: 'Bob Typo', vpnPassword: 'vpn-one-12345', vpnConfirm: 'vpn-two-12345' };

const USERNAME_MSG = 'Use letters, digits and . _ @ - (starting with a letter or digit).';
const MISMATCH_MSG = 'The two entries do not match.';

let browser;
let page;
const { where, submit } = helpers(() => page);
let shotNo = 0;
let failed = null;
// Chromium logs "Failed to load resource: ... status of N" for every 4xx page,
// the ones the scenario provokes on purpose too (401 wrong password, 422 form
// errors).  Those, and only those, are expected: "status url" strings.
const expectedStatus = new Set();
const foreignRequests = []; // anything not sent to 127.0.0.1
const badStatic = [];       // /static/ responses that were not 200 or 304 (a cache revalidation)

async function shot(name) {
	shotNo++;
	const file = path.join(OUT, `${String(shotNo).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

// One step of the scenario: skipped once an earlier step failed, and a
// failure leaves a screenshot of the page as it was.  A step that only
// looks (opts.blocking false) does not stop the ones after it.
function step(name, fn, opts = { blocking: true }) {
	it(name, async (t) => {
		if (failed) {
			t.skip(`an earlier step failed: ${failed}`);
			return;
		}
		try {
			await fn();
		} catch (err) {
			if (opts.blocking)
				failed = name;
			if (page) {
				const slug = name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
				await page.screenshot({ path: path.join(OUT, `FAIL-${slug}.png`), fullPage: true })
					.catch(() => {});
				const seen = await page.locator('main').innerText({ timeout: 2_000 }).catch(() => '');
				t.diagnostic(`page: ${page.url()}`);
				t.diagnostic(`shows: ${seen.replace(/\s+/g, ' ').slice(0, 300)}`);
			}
			throw err;
		}
	});
}

// Path + query of the current page.
async function expectHeading(text) {
	await page.locator('main h1').waitFor();
	assert.equal((await page.locator('main h1').textContent()).trim(), text);
	assert.equal(await page.title(), `${text} · ikegw`);
}

async function expectFlash(text) {
	const flash = page.locator('main .flash[role=status]');
	await flash.first().waitFor();
	assert.equal(await flash.count(), 1, 'one notice on the page');
	assert.equal((await flash.textContent()).trim(), text);
}

async function login(user, password) {
	await page.getByLabel('User name', { exact: true }).fill(user);
	await page.getByLabel('Password', { exact: true }).fill(password);
	await submit(page.getByRole('button', { name: 'Log in' }));
}

// The user names in the users table, in order.
async function listedUsers() {
	return (await page.locator('#users tbody tr td:first-child a').allTextContents()).map((s) => s.trim());
}

function userRow(name) {
	return page.locator('#users tbody tr').filter({
		has: page.getByRole('link', { name, exact: true }),
	});
}

// The .field-error shown for the input with this id: inside the same form
// row, right after the input, visible, and laid out under it.
async function fieldError(id) {
	const input = page.locator(`#${id}`);
	const row = page.locator('form.grid .row').filter({ has: input });
	const errs = row.locator('.field-error');
	assert.equal(await errs.count(), 1, `one .field-error in the row of #${id}`);
	assert.ok(await errs.isVisible(), `the error of #${id} is visible`);
	const next = await input.evaluate((el) => el.nextElementSibling && el.nextElementSibling.className);
	assert.equal(next, 'field-error', `the element right after #${id} is its .field-error`);
	const ib = await input.boundingBox();
	const eb = await errs.boundingBox();
	assert.ok(eb.y >= ib.y + ib.height - 1 && eb.y - (ib.y + ib.height) < 40,
		`the error of #${id} sits just under the input (input ${JSON.stringify(ib)}, error ${JSON.stringify(eb)})`);
	assert.ok(eb.x < ib.x + ib.width && eb.x + eb.width > ib.x,
		`the error of #${id} is in the input's column`);
	return (await errs.textContent()).trim();
}

async function openMenuByClick(section) {
	const btn = page.locator('.menu-title', { hasText: section });
	await btn.click();
	// app.js opens the section on click (a CSP violation would stop it).
	await page.locator('.menu-section.open', { has: btn }).waitFor();
	assert.equal(await btn.getAttribute('aria-expanded'), 'true');
}

describe('ikegw in Chromium', { timeout: 90_000 }, () => {
	before(async () => {
		assert.ok(BASE, 'IKEGW_URL is set (run through tests/e2e/run.sh)');
		assert.ok(FIRST_PASSWORD, 'IKEGW_ADMIN_PASSWORD is set');
		assert.match(new URL(BASE).hostname, /^127\.0\.0\.1$/);
		fs.mkdirSync(OUT, { recursive: true });
		browser = await launch('chromium', { downloads: false,
			viewport: { width: 1280, height: 800 }, navigationTimeout: 15_000,
			ignore: // statuses the test provokes on purpose (expectedStatus)
				(msg) => expectedStatus.has(`${failedStatus(msg)} ${msg.location().url}`) });
		page = browser.page;
		browser.context.on('request', (req) => {
			const u = new URL(req.url());
			if (u.protocol !== 'data:' && u.protocol !== 'about:' && u.hostname !== '127.0.0.1')
				foreignRequests.push(req.url());
		});
		page.on('response', (res) => {
			if (new URL(res.url()).pathname.startsWith('/static/') && res.status() !== 200 && res.status() !== 304)
				badStatic.push(`${res.status()} ${res.url()}`);
		});
	});

	after(async () => {
		if (browser) await browser.close(path.join(OUT, 'console-errors.txt'));
	});

	step('the login page loads with its stylesheet and script', async () => {
		const res = await page.goto(BASE + '/');
		assert.equal(res.status(), 200);
		assert.equal(where(), '/login', 'an anonymous visit to / ends on /login');
		const csp = res.headers()['content-security-policy'] || '';
		assert.match(csp, /script-src 'self'/, 'the page carries the CSP');
		await expectHeading('Log in');
		// The stylesheet applied: the top bar is dark, not the default transparent.
		const bar = await page.locator('header.topbar').evaluate((el) => {
			const cs = getComputedStyle(el);
			return { bg: cs.backgroundColor, display: cs.display };
		});
		assert.equal(bar.bg, 'rgb(31, 45, 61)', 'top bar background from style.css');
		assert.equal(bar.display, 'flex');
		assert.equal(await page.locator('.panel.login').evaluate((el) => getComputedStyle(el).backgroundColor),
			'rgb(255, 255, 255)');
		// No menu before logging in.
		assert.equal(await page.locator('nav.menu').count(), 0);
		await shot('login');
	});

	step('log in with the first-run password and land on the dashboard', async () => {
		await login('admin', FIRST_PASSWORD);
		assert.equal(where(), '/status/dashboard');
		await expectHeading('Status / Dashboard');
		await page.getByRole('heading', { name: 'System information' }).waitFor();
		assert.equal((await page.locator('.whoami span').textContent()).trim(), 'admin');
		// Menu items are hidden until a section is opened.
		assert.equal(await page.getByRole('link', { name: 'Change Password' }).isVisible(), false);
		await shot('dashboard');
	});

	step('System > Change Password through the menu (hover)', async () => {
		const system = page.locator('.menu-section', { has: page.locator('.menu-title', { hasText: 'System' }) });
		await system.locator('.menu-title').hover();
		const link = system.getByRole('link', { name: 'Change Password' });
		await link.waitFor({ state: 'visible' });
		await shot('menu-system-open');
		await Promise.all([page.waitForNavigation(), link.click()]);
		assert.equal(where(), '/system/password');
		await expectHeading('System / Change Password');
		assert.equal(await page.locator('.menu-section.active .menu-title').textContent(), 'System');
	});

	step('change the password and see "Password changed."', async () => {
		await page.getByLabel('Current password').fill(FIRST_PASSWORD);
		await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
		await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
		await submit(page.getByRole('button', { name: 'Change password' }));
		assert.equal(where(), '/system/password?msg=password-changed');
		await expectFlash('Password changed.');
		assert.equal(await page.locator('.field-error').count(), 0);
		await shot('password-changed');
	});

	step('log out', async () => {
		await submit(page.getByRole('button', { name: 'Log out' }));
		assert.equal(where(), '/login?msg=logged-out');
		await expectHeading('Log in');
		assert.equal((await page.locator('main .flash[role=status]').textContent()).trim(), 'You have been logged out.');
		await shot('logged-out');
	});

	step('the logged-out notice is shown once', async () => {
		assert.deepEqual((await page.locator('main .flash').allTextContents()).map((s) => s.trim()),
			['You have been logged out.']);
	}, { blocking: false });

	step('the old password is refused', async () => {
		expectedStatus.add(`401 ${BASE}/login`);
		await login('admin', FIRST_PASSWORD);
		assert.equal(where(), '/login');
		const alert = page.locator('.login .alert[role=alert]');
		await alert.waitFor();
		assert.equal((await alert.textContent()).trim(), 'Wrong user name or password.');
		assert.equal(await page.getByLabel('User name', { exact: true }).inputValue(), 'admin',
			'the user name is kept');
		assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '',
			'the password is not echoed back');
		await shot('login-old-password-refused');
	});

	step('log in with the new password', async () => {
		await login('admin', NEW_PASSWORD);
		assert.equal(where(), '/status/dashboard');
		await expectHeading('Status / Dashboard');
	});

	let initialUsers;

	step('System > User Manager through the menu (click)', async () => {
		await openMenuByClick('System');
		await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'User Manager' }).click()]);
		assert.equal(where(), '/system/users');
		await expectHeading('System / User Manager / Users');
		initialUsers = await listedUsers();
		assert.deepEqual(initialUsers, ['admin']);
		await shot('users');
	});

	step('add a VPN user through the form', async () => {
		await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Add user' }).click()]);
		assert.equal(where(), '/system/users/new');
		await expectHeading('System / User Manager / Add user');
		await page.getByLabel('User name').fill(VPN_USER.name);
		await page.getByLabel('Full name').fill(VPN_USER.fullName);
		await page.getByLabel('Role').selectOption({ label: 'VPN user' });
		await page.getByLabel('VPN password', { exact: true }).fill(VPN_USER.vpnPassword);
		await page.getByLabel('Confirm VPN password').fill(VPN_USER.vpnPassword);
		await shot('user-new-filled');
		await submit(page.getByRole('button', { name: 'Save' }));
		assert.equal(where(), '/system/users?msg=user-created');
		await expectFlash('User created.');
		await expectHeading('System / User Manager / Users');
	});

	step('the new user is listed', async () => {
		assert.deepEqual((await listedUsers()).sort(), [...initialUsers, VPN_USER.name].sort());
		const cells = (await userRow(VPN_USER.name).locator('td').allTextContents()).map((s) => s.trim());
		assert.equal(cells[0], VPN_USER.name);
		assert.equal(cells[1], VPN_USER.fullName);
		assert.match(cells[2], /^(vpn|VPN user)$/i);
		assert.equal(cells[4], 'active');
		assert.equal(cells[5], 'set', 'the VPN password column says it is set');
		await shot('user-created');
	});

	step('an invalid name and mismatched VPN passwords show field messages', async () => {
		expectedStatus.add(`422 ${BASE}/system/users/new`);
		await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Add user' }).click()]);
		await page.getByLabel('User name').fill(BAD_USER.name);
		await page.getByLabel('Full name').fill(BAD_USER.fullName);
		await page.getByLabel('Role').selectOption({ label: 'VPN user' });
		await page.getByLabel('VPN password', { exact: true }).fill(BAD_USER.vpnPassword);
		await page.getByLabel('Confirm VPN password').fill(BAD_USER.vpnConfirm);
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.getByRole('button', { name: 'Save' }).click(),
		]);
		await page.waitForLoadState('load');
		assert.equal(res.status(), 422);
		assert.equal(where(), '/system/users/new', 'the form is shown again, no redirect');
		const alert = page.locator('main .alert[role=alert]');
		await alert.waitFor();
		assert.equal((await alert.textContent()).trim(),
			'Please correct the fields marked below. Nothing was saved.');
		assert.equal(await fieldError('name'), USERNAME_MSG);
		assert.equal(await fieldError('vpn_password_confirm'), MISMATCH_MSG);
		assert.equal(await page.locator('.field-error').count(), 2, 'no other field is marked');
		// What was typed is kept, except the passwords.
		assert.equal(await page.getByLabel('User name').inputValue(), BAD_USER.name);
		assert.equal(await page.getByLabel('Full name').inputValue(), BAD_USER.fullName);
		assert.equal(await page.getByLabel('Role').inputValue(), 'vpn');
		assert.equal(await page.getByLabel('VPN password', { exact: true }).inputValue(), '');
		assert.equal(await page.getByLabel('Confirm VPN password').inputValue(), '');
		await shot('user-invalid');
	});

	step('the form with errors keeps the page heading', async () => {
		await expectHeading('System / User Manager / Add user');
	}, { blocking: false });

	step('no user was created by the invalid form', async () => {
		await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Cancel' }).click()]);
		assert.equal(where(), '/system/users');
		assert.deepEqual((await listedUsers()).sort(), [...initialUsers, VPN_USER.name].sort());
		assert.equal(await page.locator('#users tbody tr').count(), initialUsers.length + 1);
	});

	step('delete asks first; dismissing keeps the user', async () => {
		await Promise.all([page.waitForNavigation(), userRow(VPN_USER.name).getByRole('link', { name: 'Edit' }).click()]);
		assert.match(where(), /^\/system\/users\/\d+$/);
		await expectHeading('System / User Manager / Edit user');
		assert.equal(await page.getByLabel('User name').inputValue(), VPN_USER.name);
		await shot('user-edit');
		const editUrl = page.url();
		let requests = 0;
		const count = (req) => { if (req.method() === 'POST') requests++; };
		page.on('request', count);
		// The click stalls while the dialog is open: handle it, then await it.
		const dialogSeen = page.waitForEvent('dialog');
		const clicked = page.getByRole('button', { name: 'Delete user' }).click();
		const dialog = await dialogSeen;
		const message = dialog.message();
		const type = dialog.type();
		await dialog.dismiss();
		await clicked;
		assert.equal(type, 'confirm');
		assert.equal(message, `Delete user ${VPN_USER.name}? This cannot be undone.`);
		// Nothing was sent: still on the edit page, the user still listed.
		await page.waitForLoadState('load');
		page.off('request', count);
		assert.equal(requests, 0, 'no POST after dismissing the dialog');
		assert.equal(page.url(), editUrl);
		await page.goto(BASE + '/system/users');
		assert.ok((await listedUsers()).includes(VPN_USER.name));
	});

	step('delete after accepting the dialog removes the user', async () => {
		await Promise.all([page.waitForNavigation(), userRow(VPN_USER.name).getByRole('link', { name: VPN_USER.name }).click()]);
		page.once('dialog', (d) => d.accept());
		await submit(page.getByRole('button', { name: 'Delete user' }));
		assert.equal(where(), '/system/users?msg=user-deleted');
		await expectFlash('User deleted.');
		assert.deepEqual(await listedUsers(), initialUsers);
		await shot('user-deleted');
	});

	const isFavicon = (e) => e.includes(`${BASE}/favicon.ico`);

	step('no console errors and no uncaught page errors (CSP violations show here)', async () => {
		assert.deepEqual(browser.errors.filter((e) => !isFavicon(e)), []);
	}, { blocking: false });

	step('the browser finds a favicon (no 404 logged for /favicon.ico)', async () => {
		assert.deepEqual(browser.errors.filter(isFavicon), []);
	}, { blocking: false });

	step('every /static/ file loaded, nothing requested off 127.0.0.1', async () => {
		assert.deepEqual(badStatic, []);
		assert.deepEqual(foreignRequests, []);
	}, { blocking: false });
});
