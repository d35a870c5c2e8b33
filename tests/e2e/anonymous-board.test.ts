import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { IdentityMode } from '#app/policy/identity.ts'
import { hashPassword } from '#app/utils/password.server.ts'
import { demoPassword } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, launchChromium, screenshot, seriousAxeViolations } from '#tests/support/browser.ts'
import { createBoard, type Board } from '#tests/support/confidentiality.ts'
import { annotateSelection, caretSeenBy, eventually, openEditorAs, placeCaret, selectWords, type EditorPage } from '#tests/support/editor-page.ts'

/**
 * The editorial board's review in each identity mode, in three browsers:
 * reviewer A annotates, reviewer B sees the annotation and A's caret, the
 * moderator sees who is who and decides from the queue.
 *
 * What B sees depends on the mode: A's real name when `named` or
 * `anonymous_public` (B is a member), "Reviewer N" when `anonymous`, and
 * then A's name, email and id are nowhere in B's page. The moderator always
 * sees A's name. The `anonymous` expectations for B depend on the identity
 * work of issue 13 (the lens applied to threads, the annotations API and
 * awareness): they fail on a branch without it, on purpose.
 */

const unavailable = browserTestsUnavailable()
const modes = ['named', 'anonymous_public', 'anonymous'] as const satisfies readonly IdentityMode[]
const claim = 'It is reported that'
const pseudonym = /^Reviewer \d+$/

const names = (mode: IdentityMode) => {
	const tag = { named: 'Ashcombe', anonymous_public: 'Birchall', anonymous: 'Caldicott' }[mode]
	return {
		owner: `Ottoline ${tag}`,
		moderator: `Mortimer ${tag}-Kestrel`,
		reviewerA: `Zephyrine ${tag}-Quarterfield`,
		reviewerB: `Bartholomew ${tag}-Wintergreen`,
		outsider: `Ulrika ${tag}-Farthingale`,
	}
}

describe.skipIf(unavailable)('a board reviews in each identity mode', () => {
	let app: TestApp
	let browser: Browser
	const boards = new Map<IdentityMode, Board>()
	const axeProblems: string[] = []
	const opened: EditorPage[] = []

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 100, notifications: { schedule: false } })
		const passwordHash = await hashPassword(demoPassword)
		for (const mode of modes) {
			boards.set(mode, await createBoard(app.database.db, { key: mode.replace('_', '-'), names: names(mode), mode, audience: 'members', passwordHash }))
		}
		browser = await launchChromium()
	}, 60_000)

	afterAll(async () => {
		for (const { page } of opened) await page.context().close()
		await browser?.close()
		await app?.close()
	})

	const threadsOf = (page: Page) => page.getByRole('complementary', { name: 'Annotations' })
	/** The names on the remote carets in the editor. */
	const caretLabels = (page: Page) => page.locator('.ProseMirror .ProseMirror-yjs-cursor-label').allTextContents()

	for (const mode of modes) {
		test(`${mode}: A annotates, B sees ${mode === 'anonymous' ? 'a pseudonym' : 'the name'}, the moderator sees the name and decides`, async () => {
			const board = boards.get(mode)!
			const { reviewerA: a, reviewerB: b, moderator } = board.people
			const path = `/documents/${board.documentId}`
			const open = async (email: string) => {
				const page = await openEditorAs(browser, app.url, email, path)
				opened.push(page)
				return page
			}
			const pageA = await open(a.email)
			const pageB = await open(b.email)
			const pageM = await open(moderator.email)

			const body = `Which archive holds this, ${mode}?`
			await selectWords(pageA.page, claim, async () => (await pageA.page.evaluate(() => window.getSelection()?.toString() ?? '')) === claim)
			const annotationId = await annotateSelection(pageA.page, body)

			// B: the thread arrives live, under the name or the pseudonym the mode gives A.
			const threadB = threadsOf(pageB.page).locator(`.thread[data-thread-id="${annotationId}"]`)
			await threadB.waitFor({ timeout: 15_000 })
			const shownToB = (await threadB.locator('strong').first().textContent())?.trim() ?? ''
			if (mode === 'anonymous') {
				// Depends on the identity lens in the workspace (issue 13): fails before it is merged. Soft, so the
				// moderator's half of the flow still runs and reports on its own.
				expect.soft(shownToB, 'B sees A under a pseudonym').toMatch(pseudonym)
			} else {
				expect(shownToB).toBe(a.name)
			}

			// A's caret, as B sees it: labelled like the thread.
			const caretLabel = mode === 'anonymous' ? shownToB : a.name
			await placeCaret(pageA.page, { text: 'every third resident', offset: 5 }, caretSeenBy(pageB.page, caretLabel, { before: 'every', after: ' third' }))
			if (mode === 'anonymous') {
				expect.soft(await caretLabels(pageB.page), 'A\'s caret label as B sees it').toEqual([expect.stringMatching(pseudonym)])
				// Nowhere in B's page: not in the markup, the hydration data, the colours' titles.
				const html = await pageB.page.content()
				for (const needle of [a.name, a.email, a.id]) expect.soft(html.includes(needle), `B's page holds ${needle}`).toBe(false)
			} else {
				await eventually(() => caretLabels(pageB.page)).toContain(a.name)
			}
			await screenshot(pageB.page, `13-${mode}-reviewer-b-sees-a`)
			axeProblems.push(...(await seriousAxeViolations(pageB.page)))

			// The moderator always knows who is who: in the thread, on the caret, in the queue.
			const threadM = threadsOf(pageM.page).locator(`.thread[data-thread-id="${annotationId}"]`)
			await threadM.waitFor({ timeout: 15_000 })
			expect((await threadM.locator('strong').first().textContent())?.trim()).toBe(a.name)
			await eventually(() => caretLabels(pageM.page)).toContain(a.name)
			await screenshot(pageM.page, `13-${mode}-moderator-document`)

			const queue = pageM.page
			await queue.goto(`/groups/${board.groupId}/moderation`)
			await queue.getByRole('heading', { level: 1, name: 'Moderation queue' }).waitFor()
			const decision = queue.getByRole('form', { name: new RegExp(`by ${a.name}`) })
			await decision.waitFor()
			axeProblems.push(...(await seriousAxeViolations(queue)))
			await screenshot(queue, `13-${mode}-moderation-queue`)
			await decision.getByLabel('Reason for the decision').fill('Well sourced question.')
			await decision.getByRole('button', { name: 'Approve' }).click()
			await queue.getByRole('status').getByText(/published as version 1|accepted/).waitFor()
			await screenshot(queue, `13-${mode}-moderation-decided`)

			// B still sees what the mode allows after the decision, on a fresh load too.
			await pageB.page.reload()
			await threadsOf(pageB.page).locator(`.thread[data-thread-id="${annotationId}"]`).waitFor()
			const after = await pageB.page.content()
			if (mode === 'anonymous') {
				for (const needle of [a.name, a.email, a.id]) expect.soft(after.includes(needle), `B's reloaded page holds ${needle}`).toBe(false)
			} else {
				expect(after).toContain(a.name)
			}
			axeProblems.push(...(await seriousAxeViolations(pageB.page)))
			for (const page of [pageA, pageB, pageM]) expect(page.errors).toEqual([])
		}, 120_000)
	}

	test('every page checked passes axe (serious and critical)', () => {
		expect(axeProblems).toEqual([])
	})
})
