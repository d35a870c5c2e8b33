import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { eq } from 'drizzle-orm'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { findAnnotation } from '#db/queries/annotations.ts'
import { groups } from '#db/schema/index.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import {
	browserTestsUnavailable,
	collectPageErrors,
	launchChromium,
	screenshot,
	seriousAxeViolations,
} from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()
const eventually = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 10_000 })
const board = demoGroups.board.id
const manuscript = demoDocuments[2].id
const queuePath = `/groups/${board}/moderation`

describe.skipIf(unavailable)('a moderator works the queue', () => {
	let app: TestApp
	let browser: Browser
	let context: BrowserContext
	let page: Page
	let errors: string[] = []
	const axeProblems: string[] = []
	const ids: string[] = []

	async function annotate(author: User, quote: string, body: string) {
		const anchor = await app.server.collab.withDocument(manuscript, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			copy.getXmlFragment(documentFragmentName)
			return anchorFor(copy, quote)
		})
		const created = await app.server.annotations.create(author, manuscript, { motivation: 'questioning', body, tags: ['sources'], status: 'submitted', anchor })
		ids.push(created.id)
		return created
	}

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 100 })
		await seedDemo(app.database.db)
		const owner = (await findUserByEmail(app.database.db, 'owner@scholion.test'))!
		const reviewer = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
		const moderator = (await findUserByEmail(app.database.db, 'moderator@scholion.test'))!
		await app.server.publication.setPolicy(owner, board, { requiresApproval: true, approvalQuorum: 1 })
		// Approval publishes here: the board's layer is public (approval under `none` is editorial-workflow.test.ts).
		await app.database.db.update(groups).set({ publishedAudience: 'public' }).where(eq(groups.id, board))
		await annotate(reviewer, 'It is reported that in a large Siberian city', 'First: **which archive?**')
		await annotate(reviewer, 'every third resident was shot', 'Second: where does the figure come from?')
		await annotate(reviewer, 'large Siberian city', 'Third: which city?')
		await annotate(reviewer, 'Siberian city every third', 'Fourth: hearsay?')
		await annotate(reviewer, 'third resident', 'Fifth: a bulk one.')
		await annotate(moderator, 'resident was shot', 'Sixth: the moderator’s own.')
		browser = await launchChromium()
		context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		page = await context.newPage()
		errors = collectPageErrors(page)
		await page.goto(`/login?${new URLSearchParams({ redirectTo: queuePath })}`)
		await page.getByLabel('Email').fill('moderator@scholion.test')
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.getByRole('heading', { level: 1, name: 'Moderation queue' }).waitFor()
	})

	afterAll(async () => {
		await context?.close()
		await browser?.close()
		await app?.close()
	})

	const items = () => page.locator('[data-queue-item]')
	const focusedItemText = () => page.evaluate(() => document.activeElement?.closest('[data-queue-item]')?.querySelector('.queue-body')?.textContent ?? null)
	const focusedIsItem = () => page.evaluate(() => document.activeElement?.hasAttribute('data-queue-item') ?? false)
	const statusOf = async (id: string) => (await findAnnotation(app.database.db, id))?.status

	test('by keyboard only: Tab to the list, j/k to move, a to approve, type the reason, Enter', async () => {
		await page.locator('ol.queue[data-keyboard="on"]').waitFor()
		expect(await items().count()).toBe(6)
		await page.getByText('Tab to the list, then:').waitFor()
		axeProblems.push(...(await seriousAxeViolations(page)))
		await screenshot(page, '50-moderation-queue')

		for (let i = 0; i < 60 && !(await focusedIsItem()); i++) await page.keyboard.press('Tab')
		expect(await focusedItemText()).toContain('First:')
		await page.keyboard.press('j')
		expect(await focusedItemText()).toContain('Second:')
		await page.keyboard.press('j')
		expect(await focusedItemText()).toContain('Third:')
		await page.keyboard.press('k')
		expect(await focusedItemText()).toContain('Second:')
		await page.keyboard.press('ArrowDown')
		await page.keyboard.press('ArrowUp')
		expect(await focusedItemText()).toContain('Second:')

		await page.keyboard.press('a')
		const reason = page.getByRole('textbox', { name: 'Reason for the decision' }).nth(1)
		await eventually(() => reason.evaluate((el) => el === document.activeElement)).toBe(true)
		await page.getByText('Approve is armed: type the reason and press Enter').waitFor()
		// Letters typed in the field stay in the field (j, k, a, c and x among them).
		await page.keyboard.type('A fair question; check the archive, jk.')
		expect(await reason.inputValue()).toBe('A fair question; check the archive, jk.')
		expect(await items().count()).toBe(6)
		await screenshot(page, '51-moderation-armed')
		await page.keyboard.press('Enter')

		await page.getByRole('status').getByText('published as version 1').waitFor()
		await eventually(() => items().count()).toBe(5)
		// Gone from the waiting list (the page lists it among what is published, to retract).
		expect(await page.locator('section[aria-labelledby="queue-heading"]').getByText('Second: where does the figure come from?').count()).toBe(0)
		expect(await statusOf(ids[1]!)).toBe('published')
		// The keyboard stays in the list, on the item that took its place.
		await eventually(() => focusedItemText()).toContain('Third:')

		await page.keyboard.press('c')
		await page.getByText('Request changes is armed').waitFor()
		await page.keyboard.type('Name the city, please.')
		await page.keyboard.press('Enter')
		await page.getByRole('status').getByText('changes requested from the author').waitFor()
		await eventually(() => items().count()).toBe(4)
		expect(await statusOf(ids[2]!)).toBe('changes_requested')
		await screenshot(page, '52-moderation-after-decision')
	})

	test('the moderator’s own item says why it cannot be decided', async () => {
		await page.locator('[data-queue-item][data-blocked="true"]').focus()
		await page.keyboard.press('a')
		await page.getByText('Approve: not possible. You wrote this: nobody decides on their own annotation.').waitFor()
		expect(await statusOf(ids[5]!)).toBe('submitted')
	})

	test('bulk approve: select, one reason, per-item results', async () => {
		await page.getByRole('checkbox', { name: /Select all 3 you can decide on/ }).check()
		await page.getByLabel('Reason for the selected').fill('Methodological questions, all fair.')
		await page.getByRole('button', { name: 'Approve selected' }).click()
		const status = page.getByRole('status')
		await status.getByText(/First: |It is reported that in a large Siberian city/).first().waitFor()
		await eventually(() => status.locator('li').count()).toBe(3)
		expect(await status.locator('li.result-published').count()).toBe(3)
		await eventually(() => items().count()).toBe(1)
		for (const i of [0, 3, 4]) expect(await statusOf(ids[i]!)).toBe('published')
		axeProblems.push(...(await seriousAxeViolations(page)))
		await screenshot(page, '53-moderation-bulk-results')
	})

	test('the history page shows the audit trail and links the permalink', async () => {
		await page.goto(`/annotations/${ids[1]}/history`)
		await page.getByRole('heading', { level: 1, name: 'History of an annotation' }).waitFor()
		const rows = page.locator('.history-table tbody tr')
		await eventually(() => rows.count()).toBeGreaterThanOrEqual(2)
		expect(await page.locator('.history-table').textContent()).toContain('A fair question; check the archive, jk.')
		expect(await page.getByRole('link', { name: 'Version 1' }).getAttribute('href')).toBe(`/a/${ids[1]}/v/1`)
		axeProblems.push(...(await seriousAxeViolations(page)))
		await screenshot(page, '54-annotation-history')
	})

	test('in the editor margin the author submits a draft, withdraws it, and finds the permalink of a published one', async () => {
		const reviewer = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
		const anchor = await app.server.collab.withDocument(manuscript, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			copy.getXmlFragment(documentFragmentName)
			return anchorFor(copy, 'And this happened')
		})
		const draft = await app.server.annotations.create(reviewer, manuscript, { motivation: 'commenting', body: 'A draft of mine.', tags: [], status: 'draft', anchor })
		const author = await context.browser()!.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		try {
			const margin = await author.newPage()
			const marginErrors = collectPageErrors(margin)
			await margin.goto(`/login?${new URLSearchParams({ redirectTo: `/documents/${manuscript}` })}`)
			await margin.getByLabel('Email').fill('reviewer@scholion.test')
			await margin.getByLabel('Password').fill(demoPassword)
			// The margin is live once the store has loaded the annotations (a click before that would be lost).
			const loaded = margin.waitForResponse((r) => r.url().endsWith(`/documents/${manuscript}/annotations`) && r.request().method() === 'GET')
			await margin.getByRole('button', { name: 'Log in' }).click()
			await loaded
			await margin.getByText('Connected', { exact: true }).waitFor()
			const thread = margin.locator(`[data-thread-id="${draft.id}"]`)
			await thread.locator('.status-badge', { hasText: 'Draft' }).waitFor()
			await thread.getByRole('button', { name: 'Submit for moderation' }).click()
			await thread.locator('.status-badge', { hasText: 'Submitted' }).waitFor()
			expect(await statusOf(draft.id)).toBe('submitted')
			await thread.getByRole('button', { name: 'Withdraw to draft' }).click()
			await thread.locator('.status-badge', { hasText: 'Draft' }).waitFor()
			expect(await statusOf(draft.id)).toBe('draft')
			const published = margin.locator(`[data-thread-id="${ids[1]}"]`)
			await published.locator('.status-badge', { hasText: 'Published' }).waitFor()
			expect(await published.getByRole('link', { name: 'Public permalink' }).getAttribute('href')).toBe(`/a/${ids[1]}`)
			expect(await published.getByRole('link', { name: /^History/ }).getAttribute('href')).toBe(`/annotations/${ids[1]}/history`)
			await screenshot(margin, '55-margin-statuses')
			expect(marginErrors).toEqual([])
		} finally {
			await author.close()
		}
	})

	test('no serious or critical axe violations and no console errors', () => {
		expect(axeProblems).toEqual([])
		expect(errors).toEqual([])
	})
})
