import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { demoDocuments, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, seriousAxeViolations } from '#tests/support/browser.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'

const unavailable = browserTestsUnavailable()
const documentId = demoDocuments[2].id
const quote = 'It is reported that in a large Siberian city every third resident was shot'

describe.skipIf(unavailable)('the board’s record and the submission settings in Chromium', () => {
	let app: TestApp
	let browser: Browser
	let context: BrowserContext
	let page: Page
	let errors: string[]

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 50, notifications: { schedule: false } })
		await seedDemo(app.database.db)
		const reviewer = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
		const moderator = (await findUserByEmail(app.database.db, 'moderator@scholion.test'))!
		const anchor = await app.server.collab.withDocument(documentId, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			copy.getXmlFragment(documentFragmentName)
			return anchorFor(copy, quote)
		})
		const review = await app.server.annotations.create(reviewer, documentId, { motivation: 'commenting', body: 'Unsourced figure.', tags: [], status: 'submitted', anchor })
		await app.server.publication.decide(moderator, review.id, { verdict: 'request_changes', reason: 'Name the archive.' })
		browser = await launchChromium()
		context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		page = await context.newPage()
		errors = collectPageErrors(page)
		await page.goto('/login')
		await page.getByLabel('Email').fill('owner@scholion.test')
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.waitForURL((url) => !url.pathname.startsWith('/login'))
	})

	afterAll(async () => {
		await context?.close()
		await browser?.close()
		await app?.close()
	})

	test('the record, its letter and its printable page pass axe and are reached by keyboard', async () => {
		await page.goto(`/documents/${documentId}`)
		await page.getByRole('link', { name: 'Decisions', exact: true }).focus()
		await page.keyboard.press('Enter')
		await page.waitForURL(`**/documents/${documentId}/decisions`)
		await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toContain('R1: Changes requested')
		expect(await seriousAxeViolations(page)).toEqual([])
		await page.getByRole('link', { name: 'Pseudonymous letter for the author' }).click()
		await page.waitForURL('**/decisions?for=author')
		expect(await page.textContent('main')).not.toContain('Priya Raman')
		expect(await seriousAxeViolations(page)).toEqual([])
		await page.goto(`/documents/${documentId}/decisions/print`)
		await page.emulateMedia({ media: 'print' })
		expect(await page.locator('.site-header').isVisible()).toBe(false)
		await page.emulateMedia({ media: 'screen' })
		expect(await seriousAxeViolations(page)).toEqual([])
		expect(errors).toEqual([])
	})

	test('a steward sets a group’s summary by keyboard on the settings page, which passes axe', async () => {
		await page.goto('/settings/notifications')
		expect(await seriousAxeViolations(page)).toEqual([])
		const group = page.getByRole('group', { name: 'New submissions in Editorial board' })
		await group.getByLabel('An hourly summary').check()
		await group.getByRole('button', { name: 'Save for Editorial board' }).press('Enter')
		await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved.')
		expect(await page.getByRole('group', { name: 'New submissions in Editorial board' }).getByLabel('An hourly summary').isChecked()).toBe(true)
		expect(errors).toEqual([])
	})
})
