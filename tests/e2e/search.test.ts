import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, screenshot, seriousAxeViolations } from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()

if (unavailable && process.env.CI === 'true' && process.env.SCHOLION_E2E !== '0') {
	test('Chromium is installed for the browser tests', () => {
		throw new Error(`Browser tests cannot run under CI: ${unavailable}`)
	})
}

describe.skipIf(unavailable)('searching by keyboard and landing on the annotation', () => {
	let app: TestApp
	let browser: Browser
	let annotationId = ''
	const documentId = demoDocuments[0].id

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 20 })
		await seedDemo(app.database.db, { published: true })
		const reviewer = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
		const anchor = await app.server.collab.withDocument(documentId, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			return anchorFor(copy, 'Orphans disappeared')
		})
		const created = await app.server.annotations.create(reviewer, documentId, {
			motivation: 'questioning',
			body: 'Where are the orphanage registers? A *palimpsest* of claims.',
			tags: ['sources'],
			status: 'submitted',
			anchor,
		})
		annotationId = created.id
		browser = await launchChromium()
	})

	afterAll(async () => {
		await browser?.close()
		await app?.close()
	})

	test('a reader searches, opens the result with the keyboard and the thread is focused', async () => {
		const context = await browser.newContext({ baseURL: app.url })
		const page: Page = await context.newPage()
		const errors = collectPageErrors(page)
		await page.goto('/login')
		await page.getByLabel('Email').fill('reader@scholion.test')
		await page.getByLabel('Password').fill('scholion-demo')
		await page.getByLabel('Password').press('Enter')
		await page.waitForURL((url) => url.pathname === '/')

		await page.goto('/search')
		expect(await seriousAxeViolations(page)).toEqual([])
		// Type the words and submit from the keyboard alone.
		await page.getByLabel('Words').focus()
		await page.keyboard.type('palimpsest')
		await page.keyboard.press('Enter')
		await page.waitForURL((url) => url.searchParams.get('q') === 'palimpsest')
		const result = page.getByRole('link', { name: /Question by Priya Raman/ })
		await result.waitFor()
		await expect.poll(() => page.locator('.search-hit mark').first().textContent()).toBe('palimpsest')
		expect(await seriousAxeViolations(page)).toEqual([])
		await screenshot(page, 'search-results')

		// Tab from the search box to the first result, and open it with Enter.
		await page.getByLabel('Words').focus()
		for (let i = 0; i < 40; i++) {
			await page.keyboard.press('Tab')
			if (await result.evaluate((el) => el === document.activeElement)) break
		}
		expect(await result.evaluate((el) => el === document.activeElement)).toBe(true)
		await page.keyboard.press('Enter')
		await page.waitForURL((url) => url.pathname === `/documents/${documentId}` && url.hash === `#annotation-${annotationId}`)

		const thread = page.locator(`[data-thread-id="${annotationId}"]`)
		await expect.poll(() => thread.getAttribute('class'), { timeout: 15_000 }).toContain('is-focused')
		await expect
			.poll(() => page.evaluate(() => document.activeElement?.closest('[data-thread-id]')?.getAttribute('data-thread-id')))
			.toBe(annotationId)
		expect(await seriousAxeViolations(page)).toEqual([])
		await screenshot(page, 'search-landed-on-annotation')

		// The public search needs no account and finds the published layer.
		const visitor = await browser.newContext({ baseURL: app.url })
		const publicPage = await visitor.newPage()
		const publicErrors = collectPageErrors(publicPage)
		await publicPage.goto('/read/search?q=archival')
		await publicPage.getByRole('heading', { name: 'Results' }).waitFor()
		expect(await publicPage.locator('.search-hit').count()).toBeGreaterThan(0)
		expect(await seriousAxeViolations(publicPage)).toEqual([])
		await screenshot(publicPage, 'public-search')
		expect([...errors, ...publicErrors]).toEqual([])
		await visitor.close()
		await context.close()
	})
})
