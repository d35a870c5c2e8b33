import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, launchChromium } from '#tests/support/browser.ts'
import {
	annotateSelection,
	blockTexts,
	caretSeenBy,
	eventually,
	highlightedWords,
	openEditorAs,
	orphanedIds,
	placeCaret,
	selectionSeenBy,
	selectUntilSeen,
	selectWords,
	type EditorPage,
} from '#tests/support/editor-page.ts'

const unavailable = browserTestsUnavailable()
const documentPath = `/documents/${demoDocuments[0].id}`

/**
 * How annotations follow their words through the edits that most often
 * break anchoring: deleting and undoing, joining paragraphs, moving a
 * paragraph, and concurrent offline edits. A reviewer annotates, the owner
 * edits; each check is of what both of them see.
 */
describe.skipIf(unavailable)('annotations follow their words through edits, for both people viewing', () => {
	let app: TestApp
	let browser: Browser
	let reviewerSession: EditorPage
	let ownerSession: EditorPage
	let reviewer: Page
	let owner: Page

	beforeAll(async () => {
		// The server's own debounce of re-placing anchors after edits (300 ms), not a test-only one.
		app = await startTestApp()
		await seedDemo(app.database.db)
		browser = await launchChromium()
		reviewerSession = await openEditorAs(browser, app.url, 'reviewer@scholion.test', documentPath)
		ownerSession = await openEditorAs(browser, app.url, 'owner@scholion.test', documentPath, {
			permissions: ['clipboard-read', 'clipboard-write'],
		})
		reviewer = reviewerSession.page
		owner = ownerSession.page
	})

	afterAll(async () => {
		await browser?.close()
		await app?.close()
	})

	/** The reviewer annotates `words`; returns the annotation's id once both see its highlight on exactly those words. */
	async function annotate(words: string, body: string): Promise<string> {
		await selectWords(reviewer, words, selectionSeenBy(owner, words))
		const id = await annotateSelection(reviewer, body)
		await expectOnWords(id, words)
		return id
	}

	/** Both see the annotation highlighted on exactly `words`, and not in the Orphaned list. */
	async function expectOnWords(id: string, words: string) {
		for (const page of [reviewer, owner]) {
			await eventually(() => highlightedWords(page).then((shown) => shown[id])).toBe(words)
			await eventually(() => orphanedIds(page)).not.toContain(id)
		}
	}

	/** Both see the annotation in the Orphaned list and nowhere in the text. */
	async function expectOrphaned(id: string) {
		for (const page of [reviewer, owner]) {
			await eventually(() => orphanedIds(page)).toContain(id)
			await eventually(() => highlightedWords(page).then((shown) => shown[id])).toBeUndefined()
		}
	}

	/** Both see exactly these blocks of text. */
	async function expectText(blocks: string[]) {
		for (const page of [owner, reviewer]) await eventually(() => blockTexts(page)).toEqual(blocks)
	}

	/** Holds `check` for a while: long enough for the server's re-placement after the last edit to have run and been drawn. */
	async function expectStill(check: () => Promise<void>) {
		const until = Date.now() + 1_500
		while (Date.now() < until) {
			await check()
			await owner.waitForTimeout(100)
		}
	}

	test('the annotated paragraph deleted, then undone with Ctrl+Z: orphaned, then back on its words', async () => {
		const words = 'developed by Stalin’s scientists in NKVD’s LabX'
		const previous = 'average annual death toll of about 1 to 1.5 million.'
		const id = await annotate(words, 'Which laboratory records?')
		const before = await blockTexts(owner)
		const paragraph = before.find((b) => b.includes(words))!

		// From the end of the paragraph before to the end of the annotated one: Backspace removes the whole paragraph.
		await selectUntilSeen(
			owner,
			{ text: previous, offset: previous.length },
			{ text: paragraph, offset: paragraph.length },
			selectionSeenBy(reviewer, paragraph),
		)
		await owner.keyboard.press('Backspace')
		await expectText(before.filter((b) => b !== paragraph))
		await expectOrphaned(id)

		await owner.keyboard.press('Control+z')
		await expectText(before)
		await expectOnWords(id, words)
	})

	test('the paragraph after the annotated one joined to it with Backspace: the annotation stays on its words', async () => {
		// The words run to the end of their paragraph, so the join happens right at their edge.
		const words = 'sent to death about a million devoted communists, military and NKVD itself.'
		const next = 'Millions more were executed without trials'
		const id = await annotate(words, 'A million: whose count?')
		const before = await blockTexts(owner)
		const at = before.findIndex((b) => b.endsWith(words))
		expect(before[at + 1]).toMatch(new RegExp(`^${next}`))

		await placeCaret(owner, { text: next, offset: 0 }, caretSeenBy(reviewer, 'Irena Novak', { before: '', after: next }))
		await owner.keyboard.press('Backspace')
		await expectText([...before.slice(0, at), before[at]! + before[at + 1]!, ...before.slice(at + 2)])
		await expectOnWords(id, words)
	})

	test('the annotated paragraph cut and pasted elsewhere with Ctrl+X and Ctrl+V: the annotation follows its words', async () => {
		// Pasted text is new to Yjs, so the relative positions are gone; the server finds the quote instead, exactly and
		// with its context, which moves with it because the words are in the middle of their paragraph.
		const words = 'were loaded into oil tankers and sealed inside'
		const after = 'After the WWII GULAG swell again'
		const target = 'To hold power by covering failures'
		const id = await annotate(words, 'How many tankers?')
		const before = await blockTexts(owner)
		const moved = before.find((b) => b.includes(words))!

		// The paragraph and its break: from its first character to the first of the next paragraph.
		await selectUntilSeen(owner, { text: moved, offset: 0 }, { text: after, offset: 0 }, selectionSeenBy(reviewer, moved))
		await owner.keyboard.press('Control+x')
		const cut = before.filter((b) => b !== moved)
		await expectText(cut)
		await placeCaret(owner, { text: target, offset: 0 }, caretSeenBy(reviewer, 'Irena Novak', { before: '', after: target }))
		await owner.keyboard.press('Control+v')
		const at = cut.findIndex((b) => b.startsWith(target))
		await expectText([...cut.slice(0, at), moved, ...cut.slice(at)])
		await expectOnWords(id, words)
	})

	test('the annotated words deleted online while someone offline types inside them: both converge, and see the same placement', async () => {
		const words = 'Plans for the mass deportation with 50% transit mortality'
		const id = await annotate(words, 'Which plans? Documents?')
		const before = await blockTexts(owner)
		const at = before.findIndex((b) => b.includes(words))
		const typed = 'secret '

		// The reviewer's caret inside the annotated words and the owner's selection over them, each seen by the other.
		const inside = 'Plans for the mass '
		await placeCaret(reviewer, { text: words, offset: inside.length }, caretSeenBy(owner, 'Priya Raman', { before: inside, after: 'deportation' }))
		await selectWords(owner, words, selectionSeenBy(reviewer, words))

		await reviewer.context().setOffline(true)
		await reviewer.getByText('Offline — your edits are kept on this device and will be sent when the connection returns').waitFor()
		await owner.keyboard.press('Backspace')
		await reviewer.keyboard.type(typed)
		await eventually(() => blockTexts(reviewer).then((blocks) => blocks[at])).toBe(before[at]!.replace(inside, inside + typed))
		await eventually(() => blockTexts(owner).then((blocks) => blocks[at])).toBe(before[at]!.replace(words, ''))
		// Without the reviewer's words, the owner's side has the annotated words gone: orphaned.
		await eventually(() => orphanedIds(owner)).toContain(id)

		await reviewer.context().setOffline(false)
		await reviewer.getByText('Connected', { exact: true }).waitFor()
		// One text for both: the deletion and the word typed offline both stand.
		const merged = [...before]
		merged[at] = before[at]!.replace(words, typed)
		await expectText(merged)
		await eventually(() => reviewer.locator('.save-status').textContent()).toBe('All changes saved')
		// Only the new word is where the annotated ones were: orphaned for both, drawn for neither, and it stays so.
		await expectOrphaned(id)
		await expectStill(async () => {
			for (const page of [owner, reviewer]) {
				expect(await orphanedIds(page)).toContain(id)
				expect((await highlightedWords(page))[id]).toBeUndefined()
			}
		})
	})

	test('no console errors on either page', () => {
		expect(reviewerSession.errors).toEqual([])
		expect(ownerSession.errors).toEqual([])
	})
})
