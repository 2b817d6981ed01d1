// tests/e2e/certs.test.js — System > Cert. Manager in Chromium, the way the
// pfSense IKEv2 guide walks an administrator through it: the CA (RSA 4096,
// SHA-256, 3650 days), the server certificate (RSA 2048, 825 days, CN
// vpn.example.com with its FQDN as SAN) and a user certificate (user-smith,
// 365 days); then the downloads a device needs — the CA as DER .crt and the
// user's .p12 — saved with Playwright's download API into
// test-output/e2e/downloads/ and checked with openssl.  Also: the busy notice
// while the RSA 4096 key is generated, the method switch of the forms, and a
// refused import (a server certificate offered as a CA).
//
// Run by tests/e2e/run.sh, which starts a fresh instance for this file and
// sets IKEGW_URL and IKEGW_ADMIN_PASSWORD.  Steps run in order and share one
// page; after a failed step the rest are skipped.  Screenshots of every
// page go to test-output/e2e/certs-NN-*.png.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { launch, helpers, failedStatus } = require('./browser');

const BASE = process.env.IKEGW_URL;
const PASSWORD = process.env.IKEGW_ADMIN_PASSWORD;
const TOP = path.resolve(__dirname, '..', '..');
const OUT = process.env.IKEGW_E2E_OUT || path.join(TOP, 'test-output', 'e2e');
const DOWNLOADS = path.join(OUT, 'downloads');

// The guide's tables.
const CA = { name: 'VPN CA', key: 'rsa4096', digest: 'sha256', days: '3650', cn: 'VPN CA',
	c: 'US', st: 'Texas', l: 'Austin', o: 'Example Co' };
const SERVER = { name: 'vpn.example.com', type: 'server', key: 'rsa2048', digest: 'sha256',
	days: '825', cn: 'vpn.example.com', san: 'vpn.example.com' };
const USER = { name: 'user-smith', type: 'user', key: 'rsa2048', digest: 'sha256', days: '365',
	cn: 'user-smith' };
const P12_PASSWORD = 'Smith-p12-2024';

let browser;
let page;
const { where, submit, follow } = helpers(() => page);
let shotNo = 0;
let failed = null;
const expectedStatus = new Set();

async function shot(name) {
	shotNo++;
	await page.screenshot({ path: path.join(OUT, `certs-${String(shotNo).padStart(2, '0')}-${name}.png`),
		fullPage: true });
}

function step(name, fn) {
	it(name, async (t) => {
		if (failed) {
			t.skip(`an earlier step failed: ${failed}`);
			return;
		}
		try {
			await fn();
		} catch (err) {
			failed = name;
			if (page) {
				const slug = name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
				await page.screenshot({ path: path.join(OUT, `FAIL-certs-${slug}.png`), fullPage: true })
					.catch(() => {});
				const seen = await page.locator('main').innerText({ timeout: 2_000 }).catch(() => '');
				t.diagnostic(`page: ${page.url()}`);
				t.diagnostic(`shows: ${seen.replace(/\s+/g, ' ').slice(0, 400)}`);
			}
			throw err;
		}
	});
}

async function expectHeading(text) {
	await page.locator('main h1').waitFor();
	assert.equal((await page.locator('main h1').textContent()).trim(), text);
}

async function expectFlash(text) {
	const flash = page.locator('main .flash[role=status]');
	await flash.waitFor();
	assert.equal((await flash.textContent()).trim(), text);
}

// Clicks what starts a download and saves the file; returns its path.
async function download(trigger, expectName) {
	const [dl] = await Promise.all([page.waitForEvent('download'), trigger.click()]);
	assert.equal(dl.suggestedFilename(), expectName);
	const file = path.join(DOWNLOADS, expectName);
	await dl.saveAs(file);
	return file;
}

function openssl(...args) {
	return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function fillSubject(s) {
	await page.getByLabel('Common Name').fill(s.cn);
	if (s.c) await page.getByLabel('Country').fill(s.c);
	if (s.st) await page.getByLabel('State or province').fill(s.st);
	if (s.l) await page.getByLabel('City').fill(s.l);
	if (s.o) await page.getByLabel('Organization', { exact: true }).fill(s.o);
}

async function addCertificate(cert) {
	await follow(page.getByRole('link', { name: 'Certificates', exact: true }));
	await follow(page.getByRole('link', { name: 'Add or sign certificate' }));
	await expectHeading('System / Certificate Manager / Certificates / Add');
	assert.equal(await page.getByLabel('Method').inputValue(), 'internal');
	// Parts of other methods are hidden (and not sent).
	assert.equal(await page.getByLabel('Certificate or PKCS#12').isVisible(), false);
	await page.getByLabel('Descriptive name').fill(cert.name);
	await page.getByLabel('Certificate authority').selectOption({ label: CA.name });
	await page.getByLabel('Certificate type').selectOption(cert.type);
	await page.getByLabel('Key type').selectOption(cert.key);
	await page.getByLabel('Digest').selectOption(cert.digest);
	await page.getByLabel('Lifetime (days)').fill(cert.days);
	await fillSubject(cert);
	if (cert.san) await page.getByLabel('Alternative names (SAN)').fill(cert.san);
	await shot(`${cert.name}-filled`);
	await submit(page.getByRole('button', { name: 'Save' }), 30_000);
	assert.match(where(), /^\/system\/certmanager\/certs\/\d+\?msg=cert-created$/);
	await expectFlash('Certificate created.');
	await expectHeading('System / Certificate Manager / Certificates / Details');
}

describe('Cert. Manager in Chromium (the IKEv2 guide)', { timeout: 100_000 }, () => {
	before(async () => {
		assert.ok(BASE, 'IKEGW_URL is set (run through tests/e2e/run.sh)');
		assert.ok(PASSWORD, 'IKEGW_ADMIN_PASSWORD is set');
		fs.mkdirSync(DOWNLOADS, { recursive: true });
		browser = await launch('certs', { downloads: true,
			viewport: { width: 1280, height: 900 }, navigationTimeout: 15_000,
			ignore: // statuses the test provokes on purpose (expectedStatus)
				(msg) => expectedStatus.has(`${failedStatus(msg)} ${msg.location().url}`) });
		page = browser.page;
	});

	after(async () => {
		if (browser) await browser.close(path.join(OUT, 'certs-console-errors.txt'));
	});

	step('log in and open System > Cert. Manager from the menu', async () => {
		await page.goto(BASE + '/login');
		await page.getByLabel('User name', { exact: true }).fill('admin');
		await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
		await submit(page.getByRole('button', { name: 'Log in' }));
		assert.equal(where(), '/status/dashboard');
		const system = page.locator('.menu-section', { has: page.locator('.menu-title', { hasText: 'System' }) });
		await system.locator('.menu-title').click();
		await follow(system.getByRole('link', { name: 'Cert. Manager' }));
		await expectHeading('System / Certificate Manager / CAs');
		assert.equal(await page.locator('.menu-section.active .menu-title').textContent(), 'System');
		assert.equal((await page.locator('nav.tabs a[aria-current=page]').textContent()).trim(), 'CAs');
		await shot('cas-empty');
	});

	step('create the CA (RSA 4096, SHA-256, 3650 days); the page says it is working', async () => {
		await follow(page.getByRole('link', { name: 'Add CA' }));
		await expectHeading('System / Certificate Manager / CAs / Add');
		assert.equal(await page.getByLabel('Method').inputValue(), 'internal');
		assert.equal(await page.getByLabel('CA certificate').isVisible(), false, 'import fields hidden');
		await page.getByLabel('Descriptive name').fill(CA.name);
		await page.getByLabel('Key type').selectOption(CA.key);
		await page.getByLabel('Digest').selectOption(CA.digest);
		await page.getByLabel('Lifetime (days)').fill(CA.days);
		await fillSubject(CA);
		await shot('ca-filled');
		// While the key is generated: the button is disabled and says so.  A
		// listener added after app.js's notes what the page shows right after
		// the submit (sessionStorage survives the navigation that follows).
		await page.evaluate(() => {
			sessionStorage.removeItem('busy');
			document.querySelector('form[data-busy]').addEventListener('submit', () => {
				const b = document.querySelector('form[data-busy] button[type=submit]');
				const s = document.querySelector('.busy-status');
				sessionStorage.setItem('busy', JSON.stringify({ disabled: b.disabled,
					text: b.textContent, status: s.hidden ? '' : s.textContent }));
			});
		});
		// A picture of the page while the request is out (best effort;
		// straight through CDP, which does not wait for the navigation).
		let pictured = false;
		const cdp = await browser.context.newCDPSession(page);
		await page.route('**/system/certmanager/ca/new', async (route) => {
			if (route.request().method() === 'POST' && !pictured) {
				pictured = true;
				const shotData = await cdp.send('Page.captureScreenshot', { format: 'png' }).catch(() => null);
				if (shotData)
					fs.writeFileSync(path.join(OUT, 'certs-ca-generating.png'), Buffer.from(shotData.data, 'base64'));
			}
			await route.continue();
		});
		const started = Date.now();
		await submit(page.getByRole('button', { name: 'Save' }), 60_000);
		const took = Date.now() - started;
		await page.unroute('**/system/certmanager/ca/new');
		await cdp.detach().catch(() => {});
		const busy = JSON.parse(await page.evaluate(() => sessionStorage.getItem('busy')) || 'null');
		assert.ok(busy && !busy.error, `busy state read: ${JSON.stringify(busy)}`);
		assert.equal(busy.disabled, true);
		assert.match(busy.text, /^Generating the key…/);
		assert.match(busy.status, /Other pages keep working meanwhile/);
		fs.writeFileSync(path.join(OUT, 'certs-ca-rsa4096-ms.txt'), `${took}\n`);
		assert.match(where(), /^\/system\/certmanager\/ca\/\d+\?msg=ca-created$/);
		await expectFlash('Certificate authority created.');
		const details = await page.locator('#ca-details').innerText();
		assert.match(details, /RSA 4096/);
		assert.match(details, /CN=VPN CA,O=Example Co,L=Austin,ST=Texas,C=US/);
		assert.match(details, /self-signed/);
		assert.match(details, /SHA-256 fingerprint/);
		await shot('ca-created');
	});

	step('the CA is listed', async () => {
		await follow(page.getByRole('link', { name: 'CAs', exact: true }));
		const row = page.locator('#cas tbody tr').filter({ has: page.getByRole('link', { name: CA.name, exact: true }) });
		assert.equal(await row.count(), 1);
		assert.match(await row.innerText(), /Internal root CA/);
		assert.match(await row.innerText(), /RSA 4096/);
		await shot('cas');
	});

	step('create the server certificate (RSA 2048, 825 days, FQDN SAN)', async () => {
		await addCertificate(SERVER);
		const details = await page.locator('#cert-details').innerText();
		assert.match(details, /Server certificate/);
		assert.match(details, /dns: vpn\.example\.com/);
		assert.match(details, /serverAuth/);
		assert.equal(await page.locator('.warning').count(), 0, 'no warning for 825 days');
		await shot('server-created');
	});

	step('create the user certificate user-smith (365 days)', async () => {
		await addCertificate(USER);
		const details = await page.locator('#cert-details').innerText();
		assert.match(details, /User certificate/);
		assert.match(details, /clientAuth/);
		await shot('user-created');
	});

	step('the certificate list shows both, and no key material', async () => {
		await follow(page.getByRole('link', { name: 'Certificates', exact: true }));
		await expectHeading('System / Certificate Manager / Certificates');
		const names = (await page.locator('#certs tbody tr td:first-child a').allTextContents()).map((s) => s.trim());
		assert.deepEqual(names.sort(), [SERVER.name, USER.name].sort());
		const html = await page.content();
		assert.ok(!html.includes('PRIVATE KEY'), 'no key on the list page');
		await shot('certs');
	});

	step('download the CA as DER .crt and check it with openssl', async () => {
		await follow(page.getByRole('link', { name: 'CAs', exact: true }));
		await follow(page.getByRole('link', { name: CA.name, exact: true }));
		const file = await download(page.getByRole('link', { name: 'CA certificate (.crt)' }), 'VPN_CA.crt');
		const der = fs.readFileSync(file);
		assert.equal(der[0], 0x30, 'DER, not PEM');
		const subject = openssl('x509', '-inform', 'DER', '-noout', '-subject', '-in', file);
		assert.match(subject, /CN = VPN CA/);
		await shot('ca-details');
	});

	step("export the user's .p12 (modern and legacy) and check both with openssl", async () => {
		await follow(page.getByRole('link', { name: 'Certificates', exact: true }));
		await follow(page.getByRole('link', { name: USER.name, exact: true }));
		// The page says which kind to pick for which device.
		const help = await page.locator('#export-p12').innerText();
		assert.match(help, /Modern.*Windows 10/s);
		assert.match(help, /Legacy.*older macOS and iOS/s);
		await page.getByLabel('Password', { exact: true }).fill(P12_PASSWORD);
		await page.getByLabel('Confirm password', { exact: true }).fill(P12_PASSWORD);
		await shot('user-export');
		const modern = await download(page.getByRole('button', { name: 'Export PKCS#12' }), 'user-smith.p12');
		let info = openssl('pkcs12', '-info', '-nokeys', '-passin', `pass:${P12_PASSWORD}`, '-in', modern);
		assert.match(info, /subject=CN = user-smith/);
		assert.match(info, /subject=C = US, ST = Texas, L = Austin, O = Example Co, CN = VPN CA/);
		fs.renameSync(modern, path.join(DOWNLOADS, 'user-smith-modern.p12'));
		await page.getByLabel('Password', { exact: true }).fill(P12_PASSWORD);
		await page.getByLabel('Confirm password', { exact: true }).fill(P12_PASSWORD);
		await page.getByLabel('Legacy (3DES, SHA-1 MAC)').check();
		const legacy = await download(page.getByRole('button', { name: 'Export PKCS#12' }), 'user-smith.p12');
		info = execFileSync('openssl', ['pkcs12', '-info', '-nokeys', '-legacy', '-passin', `pass:${P12_PASSWORD}`,
			'-in', legacy], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		assert.match(info, /subject=CN = user-smith/);
		fs.renameSync(legacy, path.join(DOWNLOADS, 'user-smith-legacy.p12'));
		// Still on the details page: a download does not navigate.
		assert.match(where(), /^\/system\/certmanager\/certs\/\d+$/);
	});

	step('the revocation page of the CA', async () => {
		await follow(page.getByRole('link', { name: 'Revocation', exact: true }));
		await expectHeading('System / Certificate Manager / Revocation');
		await shot('revocation');
		await follow(page.getByRole('link', { name: CA.name, exact: true }));
		const options = await page.getByLabel('Certificate', { exact: true }).locator('option').allTextContents();
		assert.ok(options.some((o) => o.startsWith(`${USER.name} (`)), 'user-smith can be revoked');
		await shot('revocation-ca');
	});

	step('a server certificate offered as a CA is refused with a message, nothing stored', async () => {
		await follow(page.getByRole('link', { name: 'Certificates', exact: true }));
		await follow(page.getByRole('link', { name: SERVER.name, exact: true }));
		const pemFile = await download(page.getByRole('link', { name: 'Certificate (PEM)' }), 'vpn.example.com.pem');
		await follow(page.getByRole('link', { name: 'CAs', exact: true }));
		const before = await page.locator('#cas tbody tr').count();
		await follow(page.getByRole('link', { name: 'Add CA' }));
		await page.getByLabel('Descriptive name').fill('Not a CA');
		await page.getByLabel('Method').selectOption('import');
		assert.equal(await page.getByLabel('Common Name').isVisible(), false, 'subject hidden for import');
		await page.getByLabel('CA certificate').setInputFiles(pemFile);
		expectedStatus.add(`422 ${BASE}/system/certmanager/ca/new`);
		const [res] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.getByRole('button', { name: 'Save' }).click(),
		]);
		await page.waitForLoadState('load');
		assert.equal(res.status(), 422);
		assert.equal((await page.locator('main .alert[role=alert]').textContent()).trim(),
			'Please correct the fields marked below. Nothing was saved.');
		const err = page.locator('#cert + .field-error');
		assert.ok(await err.isVisible());
		assert.equal((await err.textContent()).trim(),
			'The certificate is not a CA (basicConstraints CA:TRUE is missing).');
		assert.equal(await page.getByLabel('Method').inputValue(), 'import', 'the chosen method is kept');
		await shot('import-refused');
		await follow(page.getByRole('link', { name: 'Cancel' }));
		assert.equal(await page.locator('#cas tbody tr').count(), before);
	});

	step('no console errors and no uncaught page errors (CSP violations show here)', async () => {
		assert.deepEqual(browser.errors.filter((e) => !e.includes('/favicon.ico')), []);
	});
});
