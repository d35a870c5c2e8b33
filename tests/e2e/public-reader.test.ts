import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, screenshot, seriousAxeViolations } from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()

// Under CI a missing browser is a failure, never a quiet skip.
if (unavailable && process.env.CI === 'true' && process.env.SCHOLION_E2E !== '0') {
	test('Chromium is installed for the browser tests', () => {
		throw new Error(`Browser tests cannot run under CI: ${unavailable}`)
	})
}

/** A logged-out reader on the demo's published first edition of the seminar text. */
describe.skipIf(unavailable)('a public reader, logged out, in a real browser', () => {
	let app: TestApp
	let browser: Browser
	let context: BrowserContext
	let page: Page
	let errors: string[] = []
	const axeProblems: string[] = []
	const documentId = demoDocuments[0].id

	beforeAll(async () => {
		app = await startTestApp()
		await seedDemo(app.database.db, { published: true })
		browser = await launchChromium()
		context = await browser.newContext({ baseURL: app.url, viewport: { width: 1360, height: 900 } })
		await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url })
		page = await context.newPage()
		errors = collectPageErrors(page)
	})

	afterAll(async () => {
		await context?.close()
		await browser?.close()
		await app?.close()
	})

	async function audit(name: string) {
		axeProblems.push(...(await seriousAxeViolations(page)))
		await screenshot(page, name)
	}

	test('reads the edition and follows a highlight to its margin note', async () => {
		await page.goto(`/read/${documentId}`)
		await page.getByRole('heading', { level: 1, name: 'Stalin, 1924 – 1953' }).waitFor()
		await page.getByText(/^Edition 1 of /).waitFor()
		await audit('reader-01-edition')

		const highlight = page.locator('a.highlight-link', { hasText: 'the famine was between 8 and 12 million people' })
		await highlight.click()
		const note = page.locator('article.note:target')
		await note.waitFor()
		await expect.poll(() => page.evaluate(() => document.activeElement?.id ?? '')).toMatch(/^note-/)
		expect(await note.textContent()).toContain('A range this wide needs its sources')
		expect(await note.isVisible()).toBe(true)
		// The note is beside its text on a wide screen: to the right of the highlighted words.
		const [words, box] = [await highlight.boundingBox(), await note.boundingBox()]
		expect(box!.x).toBeGreaterThan(words!.x + words!.width)
		await screenshot(page, 'reader-02-note-focused')

		// And back to the words from the note.
		await note.getByRole('link', { name: /Back to the text/ }).click()
		await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#highlight-/)
	})

	test('opens a permalink, cites it by keyboard and copies the APA citation', async () => {
		await page.locator('article.note', { hasText: 'A range this wide needs its sources' }).getByRole('link', { name: /^Permalink/ }).click()
		await page.waitForURL(/\/a\/[0-9a-f-]+\/v\/1$/)
		await page.getByText('Current version').waitFor()
		await page.getByRole('link', { name: /JSON-LD/ }).waitFor()
		await audit('reader-03-permalink')

		const cite = page.getByRole('button', { name: 'Cite', exact: true })
		await cite.focus()
		await page.keyboard.press('Enter')
		const dialog = page.getByRole('dialog', { name: 'Cite this annotation' })
		await dialog.waitFor()
		expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true)
		await audit('reader-04-cite-dialog')

		const apa = (await dialog.locator('.citation', { hasText: 'APA' }).locator('.citation-text').textContent())!
		expect(apa).toContain('[Annotation]')
		await dialog.getByRole('button', { name: 'Copy APA' }).focus()
		await page.keyboard.press('Enter')
		await dialog.getByRole('status').filter({ hasText: 'Copied' }).waitFor()
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(apa)

		await page.keyboard.press('Escape')
		await dialog.waitFor({ state: 'hidden' })
		expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cite')
	})

	test('a narrow screen stacks the notes under their paragraphs', async () => {
		const narrow = await context.newPage()
		const narrowErrors = collectPageErrors(narrow)
		await narrow.setViewportSize({ width: 400, height: 800 })
		await narrow.goto(`/read/${documentId}`)
		const note = narrow.locator('article.note').first()
		const text = narrow.locator('.passage-text').first()
		expect((await note.boundingBox())!.x).toBeLessThan((await text.boundingBox())!.x + 40)
		await screenshot(narrow, 'reader-05-narrow')
		axeProblems.push(...(await seriousAxeViolations(narrow)))
		await narrow.close()
		expect(narrowErrors).toEqual([])
	})

	test('no serious or critical accessibility problems and no console errors', () => {
		expect(axeProblems).toEqual([])
		expect(errors).toEqual([])
	})
})
