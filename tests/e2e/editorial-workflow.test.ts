import type { Browser, BrowserContext, Page } from 'playwright-core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { listEditions } from '#db/queries/publication.ts'
import { groups } from '#db/schema/index.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, screenshot, seriousAxeViolations } from '#tests/support/browser.ts'

/**
 * The editorial workflow's new pages in a browser: the freeze preview
 * confirmed by keyboard alone, the reason for changes requested in the
 * author's margin, and an unreachable quorum in the queue; axe on each.
 */

const unavailable = browserTestsUnavailable()
const board = demoGroups.board.id
const manuscript = demoDocuments[2].id

describe.skipIf(unavailable)('the editorial workflow in a browser', () => {
	let app: TestApp
	let browser: Browser
	let context: BrowserContext
	let errors: string[] = []
	const users = {} as Record<'owner' | 'moderator' | 'reviewer', User>

	async function annotate(author: User, quote: string, body: string) {
		const anchor = await app.server.collab.withDocument(manuscript, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			copy.getXmlFragment(documentFragmentName)
			return anchorFor(copy, quote)
		})
		return app.server.annotations.create(author, manuscript, { motivation: 'questioning', body, tags: [], status: 'submitted', anchor })
	}

	async function signedIn(role: 'owner' | 'moderator' | 'reviewer', path: string): Promise<Page> {
		const page = await context.newPage()
		errors = collectPageErrors(page)
		await context.clearCookies()
		await page.goto(`/login?${new URLSearchParams({ redirectTo: path })}`)
		await page.getByLabel('Email').fill(`${role}@scholion.test`)
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.waitForURL((url) => url.pathname === path)
		return page
	}

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 100 })
		await seedDemo(app.database.db)
		for (const role of ['owner', 'moderator', 'reviewer'] as const) users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
		await app.database.db.update(groups).set({ publishedAudience: 'members' }).where(eq(groups.id, board))
		await app.server.publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })
		browser = await launchChromium()
		context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
	})

	afterAll(async () => {
		await context?.close()
		await browser?.close()
		await app?.close()
	})

	test('the freeze preview is confirmed by keyboard alone; nothing is frozen before', async () => {
		const published = await annotate(users.reviewer, 'every third resident was shot', 'Which archive?')
		await app.server.publication.decide(users.moderator, published.id, { verdict: 'approve', reason: 'Stands.' })
		await app.server.collab.withDocument(manuscript, (room) => {
			const first = room.doc.getXmlFragment(documentFragmentName).get(0) as Y.XmlElement
			room.doc.transact(() => (first.get(0) as Y.XmlText).insert(0, 'Revised. '), 'test')
		})
		const path = `/documents/${manuscript}/editions/new`
		const page = await signedIn('moderator', path)
		await page.getByRole('heading', { level: 1, name: /Freeze a new edition/ }).waitFor()
		await page.getByText('1 carried over exactly').waitFor()
		expect(await page.getByText(/^Added: Revised\./).count()).toBe(1)
		expect(await seriousAxeViolations(page)).toEqual([])
		await screenshot(page, '60-freeze-preview')
		expect((await listEditions(app.database.db, manuscript)).length).toBe(1)

		const button = page.getByRole('button', { name: 'Freeze edition 2' })
		for (let i = 0; i < 40 && !(await button.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab')
		await page.keyboard.press('Enter')
		await page.getByRole('status').getByText(/Edition 2 of .* frozen; 1 published annotation carried forward\./).waitFor()
		expect((await listEditions(app.database.db, manuscript)).length).toBe(2)
		expect(errors).toEqual([])
		await page.close()
	})

	test('the author finds the reason for changes requested in the margin', async () => {
		const asked = await annotate(users.reviewer, 'large Siberian city', 'Which city?')
		await app.server.publication.decide(users.moderator, asked.id, { verdict: 'request_changes', reason: 'Name the city and your source.' })
		const page = await signedIn('reviewer', `/documents/${manuscript}`)
		const thread = page.locator(`[data-thread-id="${asked.id}"]`)
		await thread.getByRole('note').getByText('Name the city and your source.').waitFor()
		expect(await thread.getByRole('note').textContent()).toContain('Changes requested:')
		expect(await seriousAxeViolations(page)).toEqual([])
		await page.close()
	})

	test('the queue shows an unreachable quorum and the owner’s override form', async () => {
		await app.server.publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 2 })
		await annotate(users.moderator, 'resident was shot', 'The moderator’s own.')
		const page = await signedIn('owner', `/groups/${board}/moderation`)
		await page.getByText('Quorum unreachable: 1 eligible steward, quorum 2.').waitFor()
		await page.getByLabel(/Reason to publish it over the unreachable quorum/).waitFor()
		expect(await seriousAxeViolations(page)).toEqual([])
		await screenshot(page, '61-quorum-unreachable')
		await page.close()
	})
})
