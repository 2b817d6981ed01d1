// browser.js — what every browser test does around Chromium: launch it as
// these machines need (headless, fresh profile, nothing but 127.0.0.1
// reachable), collect console errors and page errors, and close it again;
// plus the page helpers the tests share.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.IKEGW_CHROMIUM || '/usr/bin/chromium';

// The HTTP status of a Chromium "Failed to load resource" console message, or 0.
function failedStatus(msg) {
	const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
	return m ? Number(m[1]) : 0;
}

// Launches Chromium with a fresh profile under a temporary directory.
// tag names it; ignore(msg) says which console errors the test provokes on
// purpose.  Returns { context, page, errors, close(file) }: close writes the
// errors (if any) to file and removes the profile.
async function launch(tag, opts = {}) {
	const { ignore = () => false, viewport = { width: 1280, height: 900 },
		navigationTimeout = 30_000, downloads = false } = opts;
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ikegw-e2e-${tag}-`));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		acceptDownloads: downloads,
		args: [
			'--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync',
			'--disable-dev-shm-usage', '--no-proxy-server',
			// Nothing but the instance under test is reachable.
			'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
		],
		viewport,
		timeout: 30_000,
	});
	context.setDefaultTimeout(10_000);
	context.setDefaultNavigationTimeout(navigationTimeout);
	const page = context.pages()[0] || await context.newPage();
	const errors = [];
	page.on('console', (msg) => {
		if (msg.type() !== 'error' || ignore(msg))
			return;
		errors.push(`console: ${msg.text()} (${msg.location().url || page.url()})`);
	});
	page.on('pageerror', (err) => errors.push(`pageerror: ${err.message} (${page.url()})`));
	return {
		context, page, errors,
		async close(file) {
			if (errors.length && file)
				fs.writeFileSync(file, errors.join('\n') + '\n');
			await context.close().catch(() => {});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

// Page helpers over whatever page() returns when they are called.
function helpers(page) {
	return {
		// path and query of the page shown
		where() {
			const u = new URL(page().url());
			return u.pathname + u.search;
		},
		// clicks a submit button and waits for the page that answers
		async submit(button, timeout) {
			await Promise.all([page().waitForNavigation({ waitUntil: 'load', timeout }), button.click()]);
		},
		async follow(link) {
			await Promise.all([page().waitForNavigation(), link.click()]);
		},
		// opens a menu section and follows one of its links
		async menu(section, item) {
			const p = page();
			const sec = p.locator('.menu-section', { has: p.locator('.menu-title', { hasText: section }) });
			await sec.locator('.menu-title').click();
			await Promise.all([p.waitForNavigation(), sec.getByRole('link', { name: item, exact: true }).click()]);
		},
	};
}

module.exports = { launch, helpers, failedStatus, CHROMIUM };
