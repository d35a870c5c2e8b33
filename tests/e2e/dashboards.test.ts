import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, screenshot, seriousAxeViolations } from '#tests/support/browser.ts'
import { PlainTextIndex } from '#app/editor/plain-text.ts'
import { yDocToDocument } from '#app/editor/yjs.ts'

const unavailable = browserTestsUnavailable()
const documentId = demoDocuments[0].id
const early = 'open debate in the Party ceased'
let late = ''

describe.skipIf(unavailable)('dashboards, exports and the printable edition in Chromium', () => {
	let app: TestApp
	let browser: Browser
	let context: BrowserContext
	let page: Page
	let errors: string[]

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 50 })
		await seedDemo(app.database.db)
		const owner = (await findUserByEmail(app.database.db, 'owner@scholion.test'))!
		const reviewer = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
		const moderator = (await findUserByEmail(app.database.db, 'moderator@scholion.test'))!
		await app.server.publication.setPolicy(owner, demoGroups.seminar.id, { requiresApproval: true, approvalQuorum: 1 })
		const text = await app.server.collab.withDocument(documentId, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			return copy
		})
		// Words near the end of the text: the strip's last bar must scroll there.
		const plain = new PlainTextIndex(yDocToDocument(text)).text
		late = plain.slice(plain.length - 400).match(/[A-Z][a-z]+ [a-z]+ [a-z]+ [a-z]+/)![0]
		for (const [quote, body] of [
			[early, 'Ceased, or was it suppressed?'],
			[late, 'Is this the conclusion the sources support?'],
		] as const) {
			const created = await app.server.annotations.create(reviewer, documentId, {
				motivation: 'questioning',
				body,
				tags: ['sources'],
				status: 'submitted',
				anchor: anchorFor(text, quote),
			})
			await app.server.publication.decide(moderator, created.id, { verdict: 'approve', reason: 'A fair question.' })
		}
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

	test('the dashboard passes axe; a density bar opens the document at its place', async () => {
		await page.goto(`/documents/${documentId}/dashboard`)
		await page.getByRole('heading', { name: /^Dashboard:/ }).waitFor()
		expect(await seriousAxeViolations(page)).toEqual([])
		await screenshot(page, 'dashboard-document')
		const bars = page.locator('svg.density-strip a')
		expect(await bars.count()).toBe(2)
		await bars.last().click()
		await page.waitForURL(/\?at=\d+$/)
		await page.waitForFunction(() => document.documentElement.dataset.jumpedTo !== undefined)
		// Once the live editor has replaced the first paint, the place is jumped to again in it.
		await page.locator('.ProseMirror').waitFor()
		await expect
			.poll(
				() =>
					page.evaluate((quote) => {
						const range = (CSS as unknown as { highlights: Map<string, { values(): IterableIterator<Range> }> }).highlights.get('scholion-jump')
						const first = range ? [...range.values()][0] : undefined
						if (!first || !first.startContainer.isConnected) return null
						const rect = first.getBoundingClientRect()
						const text = first.startContainer.textContent ?? ''
						return { inView: rect.top >= 0 && rect.bottom <= window.innerHeight, scrolled: window.scrollY, here: text.includes(quote.split(' ')[0]!) }
					}, late),
				{ timeout: 15_000 },
			)
			.toMatchObject({ inView: true, here: true })
		expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(1000)
		await screenshot(page, 'dashboard-jump')
		expect(errors).toEqual([])
	})

	test('the group dashboard, the export form and its progress page pass axe', async () => {
		await page.goto(`/groups/${demoGroups.seminar.id}/dashboard`)
		expect(await seriousAxeViolations(page)).toEqual([])
		await page.goto(`/documents/${documentId}/export`)
		expect(await seriousAxeViolations(page)).toEqual([])
		await page.getByLabel(/Markdown/).check()
		await page.getByRole('button', { name: 'Export' }).click()
		await page.waitForURL(/\/exports\//)
		await page.getByRole('link', { name: /^Download / }).waitFor()
		expect(await page.getByRole('status').textContent()).toContain('Ready: 2 annotations')
		expect(await seriousAxeViolations(page)).toEqual([])
		await screenshot(page, 'export-progress')
		expect(errors).toEqual([])
	})

	test('the printable edition prints as a paper with numbered notes', async () => {
		await page.goto(`/read/${documentId}/e/1/print`)
		expect(await seriousAxeViolations(page)).toEqual([])
		await page.emulateMedia({ media: 'print' })
		expect(await page.locator('.site-header').isVisible()).toBe(false)
		expect(await page.locator('.printed-notes li').count()).toBe(2)
		await screenshot(page, 'print-edition')
		await page.emulateMedia({ media: 'screen' })
		expect(errors).toEqual([])
	})
})
