// tests/e2e/firewall.test.js — the firewall pages in Chromium, on a gateway
// with real interfaces: the VPN (Mobile Clients, a PSK Phase 1, a Phase 2
// for the LAN) set up through the API, then through the pages: the notice
// that the firewall is not active, WAN and LAN assigned (Firewall >
// Settings), the automatic IPsec rules at the top of WAN, a WAN rule, the
// field message for "ports with protocol any", IPsec rules for the LAN host
// (pass TCP 443, block TCP 22, pass ICMP), reordered by drag and drop and
// by the arrow buttons, Apply.
//
// It needs the namespaces of tests/integration/t_firewall_e2e.sh, which runs
// the whole stack and this browser inside the gateway's namespace (so the
// pages see wan0 and lan0), then checks the kernel's ruleset and sends a
// strongSwan client's traffic through it.  Run by tests/e2e/run.sh on its
// own it skips itself.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { launch, helpers } = require('./browser');

const BASE = process.env.IKEGW_URL;
const PASSWORD = process.env.IKEGW_ADMIN_PASSWORD;
const TOP = path.resolve(__dirname, '..', '..');
const OUT = process.env.IKEGW_E2E_OUT || path.join(TOP, 'test-output', 'e2e');
const ENABLED = process.env.IKEGW_FW_E2E === '1';
const LAN_HOST = '10.1.0.10';

let browser;
let page;
const { where, submit, follow, menu } = helpers(() => page);
let shotNo = 0;
let failed = null;

async function shot(name) {
	shotNo++;
	await page.screenshot({ path: path.join(OUT, `firewall-${String(shotNo).padStart(2, '0')}-${name}.png`),
		fullPage: true });
}

function step(name, fn) {
	it(name, { skip: ENABLED ? false : 'run by tests/integration/t_firewall_e2e.sh (needs namespaces)' },
		async (t) => {
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
					await page.screenshot({ path: path.join(OUT, `FAIL-firewall-${slug}.png`), fullPage: true })
						.catch(() => {});
					const seen = await page.locator('main').innerText({ timeout: 2_000 }).catch(() => '');
					t.diagnostic(`page: ${page.url()}`);
					t.diagnostic(`shows: ${seen.replace(/\s+/g, ' ').slice(0, 600)}`);
				}
				throw err;
			}
		});
}

async function expectFlash(text) {
	const flash = page.locator('main .flash[role=status]');
	await flash.waitFor();
	assert.equal((await flash.textContent()).trim(), text);
}

// The API with the browser's session (cookie and CSRF header).
async function api(method, url, data) {
	const s = await page.request.get(BASE + '/api/v1/session');
	const { csrf } = await s.json();
	const r = await page.request.fetch(BASE + url, { method, data, headers: { 'X-CSRF-Token': csrf } });
	const body = await r.text();
	assert.ok(r.status() < 300, `${method} ${url}: ${r.status()} ${body}`);
	return JSON.parse(body);
}

// The descriptions of the listed rules, top to bottom.
async function order() {
	return page.locator('#fw-rules tbody tr[data-id] td:nth-child(10)').allInnerTexts();
}

async function row(description) {
	return page.locator('#fw-rules tbody tr[data-id]', {
		has: page.locator('td:nth-child(10)', { hasText: new RegExp(`^${description}$`) }),
	});
}

// Fills the rule form: { action, protocol, source, destination, port, log, description }.
async function fillRule(r) {
	if (r.action) await page.locator('#action').selectOption(r.action);
	await page.locator('#protocol').selectOption(r.protocol);
	if (r.source) await page.locator('#source_type').selectOption(r.source);
	if (r.destination) {
		const [type, value] = r.destination;
		await page.locator('#destination_type').selectOption(type);
		if (value !== undefined) await page.locator('#destination').fill(value);
	}
	if (r.port !== undefined) await page.locator('#destination_ports').fill(r.port);
	if (r.log) await page.locator('#log').check();
	if (r.description !== undefined) await page.locator('#description').fill(r.description);
}

async function addRule(tabLabel, r) {
	await follow(page.getByRole('link', { name: `Add rule to ${tabLabel}` }));
	await fillRule(r);
	await submit(page.getByRole('button', { name: 'Save' }));
	await expectFlash('Firewall rule saved.');
}

describe('Firewall pages on a gateway with WAN and LAN', { timeout: 100_000 }, () => {
	before(async () => {
		if (!ENABLED) return;
		assert.ok(BASE, 'IKEGW_URL is set');
		assert.ok(PASSWORD, 'IKEGW_ADMIN_PASSWORD is set');
		fs.mkdirSync(OUT, { recursive: true });
		browser = await launch('fw', { downloads: false,
			viewport: { width: 1400, height: 900 }, navigationTimeout: 30_000,
			ignore: // the refused rule form answers 422 on purpose
				(msg) => /^Failed to load resource: .* status of 422/.test(msg.text()) });
		page = browser.page;
		page.on('dialog', (d) => d.accept());
	});

	after(async () => {
		if (browser) await browser.close(path.join(OUT, 'firewall-console-errors.txt'));
	});

	step('log in', async () => {
		await page.goto(BASE + '/login');
		await page.getByLabel('User name', { exact: true }).fill('admin');
		await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
		await submit(page.getByRole('button', { name: 'Log in' }));
		assert.equal(where(), '/status/dashboard');
	});

	step('the VPN: mobile clients, a PSK Phase 1, a Phase 2 for the LAN (API)', async () => {
		await api('PUT', '/api/v1/vpn/mobile', { enabled: true, pool4: '10.10.10.0/24' });
		const p1 = await api('POST', '/api/v1/vpn/phase1', { auth: 'psk', my_id_type: 'fqdn',
			my_id: 'vpn.example.com', psk: 'firewall-e2e-psk-0123', description: 'mobile' });
		await api('POST', `/api/v1/vpn/phase1/${p1.id}/phase2`, { local_network: '10.1.0.0/24',
			description: 'LAN' });
	});

	step('Firewall > Rules says the firewall is not active yet', async () => {
		await menu('Firewall', 'Rules');
		assert.equal(where(), '/firewall/rules');
		await page.locator('#fw-inactive').waitFor();
		assert.match(await page.locator('#fw-inactive').innerText(), /not active/);
	});

	step('assign WAN and LAN (Firewall > Settings)', async () => {
		await menu('Firewall', 'Settings');
		await page.getByLabel('WAN', { exact: true }).selectOption('wan0');
		await page.getByLabel('LAN', { exact: true }).selectOption('lan0');
		assert.ok(await page.locator('#auto_ipsec').isChecked(), 'automatic IPsec rules are on by default');
		await submit(page.getByRole('button', { name: 'Save' }));
		await expectFlash('Firewall settings saved.');
		await shot('settings');
	});

	step('WAN: the automatic IPsec rules on top, default deny at the bottom; a WAN rule', async () => {
		await menu('Firewall', 'Rules');
		assert.equal(await page.locator('#fw-inactive').count(), 0);
		const auto = page.locator('#fw-rules tr.fw-auto');
		assert.equal(await auto.count(), 2);
		assert.match(await auto.nth(0).innerText(), /UDP.*500 \(IKE\), 4500 \(NAT-T\)/s);
		assert.match(await auto.nth(1).innerText(), /ESP/);
		assert.match(await page.locator('#fw-rules tr.fw-default').innerText(), /Default deny/);
		await addRule('WAN', { protocol: 'tcp', destination: ['wan_address'], port: '22',
			description: 'wan ssh' });
		assert.equal(where(), '/firewall/rules?tab=wan&msg=fw-rule-saved');
		assert.deepEqual(await order(), ['wan ssh']);
	});

	step('IPsec: ports with protocol Any are refused next to the field', async () => {
		await follow(page.getByRole('link', { name: 'IPsec', exact: true }));
		await follow(page.getByRole('link', { name: 'Add rule to IPsec' }));
		await fillRule({ protocol: 'any', source: 'vpn_pool', destination: ['address', LAN_HOST],
			port: '443', description: 'web' });
		await submit(page.getByRole('button', { name: 'Save' }));
		const err = page.locator('#destination_ports-error');
		await err.waitFor();
		assert.match(await err.innerText(), /Ports need protocol TCP, UDP or TCP\/UDP/);
		assert.match(await page.locator('main .alert').innerText(), /Nothing was saved/);
		assert.equal(await page.locator('#destination').inputValue(), LAN_HOST, 'what was entered stays');
		await shot('field-error');
		// Corrected: TCP.
		await page.locator('#protocol').selectOption('tcp');
		await submit(page.getByRole('button', { name: 'Save' }));
		await expectFlash('Firewall rule saved.');
	});

	step('IPsec: block TCP 22 and pass ICMP as well', async () => {
		await addRule('IPsec', { action: 'block', protocol: 'tcp', source: 'vpn_pool',
			destination: ['address', LAN_HOST], port: '22', log: true, description: 'ssh' });
		await addRule('IPsec', { protocol: 'icmp', source: 'vpn_pool', description: 'ping' });
		assert.deepEqual(await order(), ['web', 'ssh', 'ping']);
		assert.match(await page.locator('#fw-rules tr.fw-default').innerText(), /Default deny/);
	});

	step('reorder by drag and drop: ping onto web takes its place', async () => {
		const from = await row('ping');
		const to = await row('web');
		await Promise.all([page.waitForNavigation(), from.dragTo(to)]);
		assert.equal(where(), '/firewall/rules?tab=ipsec');
		assert.deepEqual(await order(), ['ping', 'web', 'ssh']);
	});

	step('reorder by the arrow buttons: ssh up', async () => {
		await submit(page.getByRole('button', { name: 'Move rule 3 up' }));
		assert.deepEqual(await order(), ['ping', 'ssh', 'web']);
		assert.ok(await page.getByRole('button', { name: 'Move rule 1 up' }).isDisabled());
		assert.ok(await page.getByRole('button', { name: 'Move rule 3 down' }).isDisabled());
		await shot('ipsec-rules');
	});

	step('Apply', async () => {
		const banner = page.locator('.apply-banner');
		await banner.waitFor();
		assert.match(await banner.innerText(), /Firewall IPsec rules reordered/);
		await submit(banner.getByRole('button', { name: 'Apply changes' }));
		await expectFlash('The changes were applied.');
		assert.equal(await page.locator('.apply-banner').count(), 0, 'the banner is gone');
		assert.equal(browser.errors.length, 0, browser.errors.join('\n'));
	});
});
