import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { listTransitions } from '#db/queries/publication.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, screenshot, seriousAxeViolations } from '#tests/support/browser.ts'
import { annotateSelection, eventually, openEditorAs, selectWords } from '#tests/support/editor-page.ts'
import { openToThePublic } from '#tests/support/publication-fixtures.ts'
import { checkAnnotationMusts } from '#tests/support/w3c-annotation-suite.ts'

/**
 * The whole path of issue 5 in a real browser: a reviewer's private draft
 * is submitted, two moderators approve it under the editorial board's quorum
 * of two, and a reader with no account finds it on the public reader, opens
 * its permalink, copies a citation and fetches its JSON-LD.
 */

const unavailable = browserTestsUnavailable()
const board = demoGroups.board.id
const manuscript = demoDocuments[2].id
const words = 'every third resident was shot'
const body = 'Unsourced figure: which archive gives this proportion?'

describe.skipIf(unavailable)('from a draft to a citable public annotation', () => {
	let app: TestApp
	let browser: Browser
	const contexts: BrowserContext[] = []
	const errors: string[][] = []
	const axe: string[] = []
	let annotationId = ''

	async function loggedIn(email: string, path: string): Promise<Page> {
		const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		contexts.push(context)
		const page = await context.newPage()
		errors.push(collectPageErrors(page))
		await page.goto(`/login?${new URLSearchParams({ redirectTo: path })}`)
		await page.getByLabel('Email').fill(email)
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		return page
	}

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 100 })
		await seedDemo(app.database.db)
		const owner = (await findUserByEmail(app.database.db, 'owner@scholion.test'))!
		await app.server.publication.setPolicy(owner, board, { requiresApproval: true, approvalQuorum: 2 })
		// The journey ends on the public reader: this board's published layer is opened on purpose (a board's default is none).
		await openToThePublic(app.database.db, board)
		browser = await launchChromium()
	})

	afterAll(async () => {
		for (const context of contexts) await context.close()
		await browser?.close()
		await app?.close()
	})

	test('the reviewer writes a private draft and submits it', async () => {
		const { page, errors: pageErrors } = await openEditorAs(browser, app.url, 'reviewer@scholion.test', `/documents/${manuscript}`)
		contexts.push(page.context())
		errors.push(pageErrors)
		await selectWords(page, words, () => page.evaluate((w) => window.getSelection()?.toString() === w, words))
		await page.getByRole('button', { name: 'Annotate selection' }).click()
		await page.getByRole('form', { name: 'Annotation' }).getByLabel('Keep as a private draft (only you can see it)').check()
		annotationId = await annotateSelection(page, body)
		const thread = page.locator(`.thread[data-thread-id="${annotationId}"]`)
		await thread.getByText('Draft', { exact: true }).waitFor()
		await thread.getByRole('button', { name: 'Submit for moderation' }).click()
		await thread.getByText('Submitted', { exact: true }).waitFor()
		await screenshot(page, '60-journey-submitted')
	})

	test('two moderators approve under a quorum of two; the first approval alone publishes nothing', async () => {
		const moderator = await loggedIn('moderator@scholion.test', `/groups/${board}/moderation`)
		const item = moderator.locator('[data-queue-item]', { hasText: 'which archive gives' })
		await item.waitFor()
		await item.getByText('0 of 2 approvals', { exact: false }).waitFor()
		await item.getByRole('textbox', { name: 'Reason for the decision' }).fill('A fair request for the source.')
		await item.getByRole('button', { name: 'Approve', exact: true }).click()
		await moderator.getByRole('status').getByText('waiting for 1 more approval', { exact: false }).waitFor()
		expect((await app.server.publication.published.annotation(annotationId))).toBeNull()
		const anonymous = await browser.newContext({ baseURL: app.url })
		contexts.push(anonymous)
		expect((await anonymous.request.get(`/a/${annotationId}`)).status()).toBe(404)

		const owner = await loggedIn('owner@scholion.test', `/groups/${board}/moderation`)
		const same = owner.locator('[data-queue-item]', { hasText: 'which archive gives' })
		await same.getByText('1 of 2 approvals', { exact: false }).waitFor()
		await same.getByRole('textbox', { name: 'Reason for the decision' }).fill('Agreed: it stands.')
		await same.getByRole('button', { name: 'Approve', exact: true }).click()
		await owner.getByRole('status').getByText('published as version 1', { exact: false }).waitFor()
		axe.push(...(await seriousAxeViolations(owner)))
	})

	test('a reader without an account finds it on the public reader, opens its permalink and copies a citation', async () => {
		const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		contexts.push(context)
		await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url })
		const page = await context.newPage()
		errors.push(collectPageErrors(page))
		await page.goto(`/read/${manuscript}`)
		const note = page.locator(`#note-${annotationId}`)
		await note.getByText('which archive gives', { exact: false }).waitFor()
		// Its highlight is on exactly the annotated words of the edition.
		const highlight = page.locator(`[data-annotation-id="${annotationId}"]`)
		expect((await highlight.allTextContents()).join('')).toBe(words)
		axe.push(...(await seriousAxeViolations(page)))
		await screenshot(page, '61-journey-reader')

		await note.getByRole('link', { name: /^Permalink/ }).click()
		await page.waitForURL(`**/a/${annotationId}/v/1`)
		await page.getByText(words).first().waitFor()
		await page.getByRole('button', { name: 'Cite', exact: true }).focus()
		await page.keyboard.press('Enter')
		const dialog = page.getByRole('dialog')
		await dialog.waitFor()
		await dialog.getByRole('button', { name: /Copy.*APA/ }).click()
		await dialog.getByRole('status').getByText('Copied', { exact: false }).waitFor()
		const copied = await page.evaluate(() => navigator.clipboard.readText())
		expect(copied).toContain('Raman, P.')
		expect(copied).toContain(`/a/${annotationId}/v/1`)
		axe.push(...(await seriousAxeViolations(page)))
		await screenshot(page, '62-journey-cite')
		await page.keyboard.press('Escape')
		await eventually(() => dialog.isVisible()).toBe(false)

		const response = await context.request.get(`/a/${annotationId}`, { headers: { Accept: 'application/ld+json' } })
		expect(response.headers()['content-type']).toContain('application/ld+json')
		const jsonLd = (await response.json()) as Record<string, unknown>
		expect(jsonLd).toMatchObject({ type: 'Annotation', id: `${app.url}/a/${annotationId}/v/1` })
		expect(JSON.stringify(jsonLd.target)).toContain(words)
		expect(checkAnnotationMusts(jsonLd)).toEqual([])
	})

	test('the audit trail shows every step, with who and why', async () => {
		const trail = await listTransitions(app.database.db, annotationId)
		expect(trail.map((t) => `${t.fromStatus ?? '-'}→${t.toStatus} by ${t.actorName}`)).toEqual([
			'draft→submitted by Priya Raman',
			'submitted→submitted by Tomás Reyes',
			'submitted→submitted by Irena Novak',
			'submitted→published by Irena Novak',
		])
		const page = await loggedIn('reviewer@scholion.test', `/annotations/${annotationId}/history`)
		await page.getByText('A fair request for the source.', { exact: false }).waitFor()
		await page.getByText('Agreed: it stands.', { exact: false }).first().waitFor()
		axe.push(...(await seriousAxeViolations(page)))
	})

	test('no console errors and no serious accessibility problems on the way', () => {
		expect(errors.flat()).toEqual([])
		expect(axe).toEqual([])
	})
})
