import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium } from '#tests/support/browser.ts'

/**
 * Every page type under the Content-Security-Policy in Chromium: a page
 * whose own script, style or connection the policy blocks is a broken page,
 * so any `securitypolicyviolation` event, console error or uncaught
 * exception fails the test. The policy itself is asserted in
 * tests/integration/security-headers.test.ts.
 */

const unavailable = browserTestsUnavailable()
const seminar = demoGroups.seminar.id
const documentId = demoDocuments[0].id

/** Installed before any page script: records every CSP violation of every page in the context. */
const recordViolations = () => {
	const seen: string[] = []
	;(window as unknown as { __cspViolations: string[] }).__cspViolations = seen
	document.addEventListener('securitypolicyviolation', (event) => {
		seen.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber}) "${event.sample}"`)
	})
}

describe.skipIf(unavailable)('every page type under the Content-Security-Policy', () => {
	let app: TestApp
	let browser: Browser
	let visitor: BrowserContext
	let member: BrowserContext
	const problems: string[] = []

	async function pageIn(context: BrowserContext): Promise<Page> {
		problems.length = 0
		const page = await context.newPage()
		const errors = collectPageErrors(page)
		// Chromium logs the 404 page's own status as a console error; that answer is the point of the visit.
		page.on('close', () => problems.push(...errors.filter((error) => !/\/no-such-page: Failed to load resource: .* status of 404/.test(error))))
		return page
	}

	/** Loads `path`, waits until its scripts have run (when it has any), and returns its violations. */
	async function visit(page: Page, path: string, expectedStatus = 200): Promise<string[]> {
		const response = await page.goto(path)
		expect(response?.status(), path).toBe(expectedStatus)
		const hydrates = await page.locator('script[type=module]').count()
		// Remix sets window.__remixRouter once the page has hydrated.
		if (hydrates > 0) await page.waitForFunction(() => '__remixRouter' in window)
		return violationsOf(page)
	}

	const violationsOf = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations.splice(0))

	beforeAll(async () => {
		app = await startTestApp()
		await seedDemo(app.database.db, { published: true })
		browser = await launchChromium()
		visitor = await browser.newContext({ baseURL: app.url })
		member = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		await visitor.addInitScript(recordViolations)
		await member.addInitScript(recordViolations)
	})

	afterAll(async () => {
		await visitor?.close()
		await member?.close()
		await browser?.close()
		await app?.close()
	})

	test('a visitor without an account: landing, login, sign-up, the reader, print, permalink, read search, 404', async () => {
		const page = await pageIn(visitor)
		const violations: Record<string, string[]> = {}
		for (const path of ['/', '/login', '/signup', `/read/${documentId}`, `/read/${documentId}/e/1`, `/read/${documentId}/e/1/print`, '/read/search?q=Stalin']) {
			violations[path] = await visit(page, path)
		}
		// The second visit of an edition comes from the anonymous page cache.
		violations['reader, cached'] = await visit(page, `/read/${documentId}`)
		const permalink = await page.locator('a[href^="/a/"]').first().getAttribute('href')
		expect(permalink).toMatch(/^\/a\//)
		violations[permalink!] = await visit(page, permalink!)
		violations['/no-such-page'] = await visit(page, '/no-such-page', 404)

		await page.close()
		expect(violations).toEqual(Object.fromEntries(Object.keys(violations).map((key) => [key, []])))
		expect(problems).toEqual([])
	})

	test('the policy holds: a script that got into a page anyway (markup, a javascript: link) does not run, and is reported', async () => {
		const page = await visitor.newPage()
		await visit(page, '/login')
		await page.evaluate(() => {
			const script = document.createElement('script')
			script.textContent = 'window.__injectedRan = true'
			document.body.append(script)
			const link = document.createElement('a')
			link.href = 'javascript:window.__linkRan = true'
			document.body.append(link)
			link.click()
		})
		// Both are refused before they would run: the two reports are the moment to look.
		await page.waitForFunction(() => (window as unknown as { __cspViolations: string[] }).__cspViolations.length >= 2)
		expect(await page.evaluate(() => ({ script: '__injectedRan' in window, link: '__linkRan' in window }))).toEqual({ script: false, link: false })
		expect(await violationsOf(page)).toEqual([expect.stringMatching(/^script-src-elem blocked inline/), expect.stringMatching(/^script-src-elem blocked inline/)])
		await page.close()
	})

	test('a signed-in owner: groups, the live editor, moderation, search, inbox, dashboards, exports, imports, history', async () => {
		const page = await pageIn(member)
		await page.goto(`/login`)
		await page.getByLabel('Email').fill('owner@scholion.test')
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.waitForURL((url) => url.pathname !== '/login')

		const violations: Record<string, string[]> = {}
		for (const path of [
			'/',
			`/groups/${seminar}`,
			`/groups/${seminar}/members`,
			'/groups/new',
			`/groups/${seminar}/moderation`,
			`/groups/${seminar}/dashboard`,
			`/documents/${documentId}/dashboard`,
			`/groups/${seminar}/import`,
			`/documents/${documentId}/import-annotations`,
			`/search?q=Stalin`,
			'/inbox',
			'/settings/notifications',
			`/groups/${seminar}/export`,
		]) {
			violations[path] = await visit(page, path)
		}

		// An export: the form posts, and its progress page (polling) follows.
		await page.getByRole('button', { name: 'Export' }).click()
		await page.waitForURL(/\/exports\//)
		await page.getByRole('link', { name: /Download/ }).waitFor()
		violations['export progress'] = await violationsOf(page)

		// The live editor: its WebSocket (connect-src), its styles (carets) and typing.
		violations['document'] = await visit(page, `/documents/${documentId}`)
		await page.getByText('Connected', { exact: true }).waitFor()
		const editor = page.getByRole('textbox', { name: 'Document text' })
		await editor.click()
		await page.keyboard.press('Control+End')
		await page.keyboard.type(' Typed under the policy.')
		await page.getByText('All changes saved').waitFor()
		violations['document, edited'] = await violationsOf(page)

		const history = await page.evaluate(() => document.querySelector('[data-thread-id]')?.getAttribute('data-thread-id') ?? null)
		if (history) violations['history'] = await visit(page, `/annotations/${history}/history`)
		await page.close()
		expect(violations).toEqual(Object.fromEntries(Object.keys(violations).map((key) => [key, []])))
		expect(problems).toEqual([])
	})
})
