import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import {
	browserTestsUnavailable,
	collectPageErrors,
	launchChromium,
	screenshot,
	seriousAxeViolations,
} from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()
const eventually = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 10_000 })
const documentId = demoDocuments[0].id
const documentPath = `/documents/${documentId}`
const claim = 'It is reported that in a large Siberian city every third resident was shot'

describe.skipIf(unavailable)('two people annotate a seed document live', () => {
	let app: TestApp
	let browser: Browser
	const contexts: BrowserContext[] = []
	const pageErrors = new Map<Page, string[]>()
	const axeProblems: string[] = []

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 100 })
		await seedDemo(app.database.db)
		browser = await launchChromium()
	})

	afterAll(async () => {
		for (const context of contexts) await context.close()
		await browser?.close()
		await app?.close()
	})

	async function openAs(email: string): Promise<Page> {
		const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		contexts.push(context)
		const page = await context.newPage()
		pageErrors.set(page, collectPageErrors(page))
		await page.goto(`/login?${new URLSearchParams({ redirectTo: documentPath })}`)
		await page.getByLabel('Email').fill(email)
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await editorOf(page).waitFor()
		await page.getByText('Connected', { exact: true }).waitFor()
		return page
	}

	const editorOf = (page: Page): Locator => page.getByRole('textbox', { name: 'Document text' })
	const threadsOf = (page: Page) => page.getByRole('complementary', { name: 'Annotations' })

	/** Selects `text` inside the editor the way a mouse drag would: a DOM selection ProseMirror reads. */
	async function select(page: Page, text: string) {
		await page.evaluate((wanted) => {
			const root = document.querySelector('.ProseMirror')
			if (!root) throw new Error('no editor')
			const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
			for (let node = walker.nextNode(); node; node = walker.nextNode()) {
				const at = node.textContent?.indexOf(wanted) ?? -1
				if (at >= 0) {
					const range = document.createRange()
					range.setStart(node, at)
					range.setEnd(node, at + wanted.length)
					;(root as HTMLElement).focus()
					const selection = window.getSelection()!
					selection.removeAllRanges()
					selection.addRange(range)
					return
				}
			}
			throw new Error(`"${wanted}" is not in one text node of the editor`)
		}, text)
		// ProseMirror reads the DOM selection on selectionchange, which is asynchronous.
		await page.waitForTimeout(300)
	}

	/** Puts the caret `offset` characters into the first occurrence of `text` (which may span highlight spans). */
	async function caretAt(page: Page, text: string, offset: number) {
		await page.evaluate(
			({ wanted, at }) => {
				const root = document.querySelector('.ProseMirror') as HTMLElement
				const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
				const nodes: Text[] = []
				for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text)
				const all = nodes.map((n) => n.data).join('')
				const start = all.indexOf(wanted)
				if (start < 0) throw new Error(`"${wanted}" is not in the editor`)
				let target = start + at
				for (const node of nodes) {
					// At a node boundary the caret belongs to the node that holds the text it points into:
					// the next one for the start of the words, the previous one for their end.
					if (target < node.data.length || (target === node.data.length && at > 0)) {
						root.focus()
						const range = document.createRange()
						range.setStart(node, target)
						range.collapse(true)
						window.getSelection()!.removeAllRanges()
						window.getSelection()!.addRange(range)
						return
					}
					target -= node.data.length
				}
			},
			{ wanted: text, at: offset },
		)
		await page.waitForTimeout(300)
	}

	let reviewer: Page
	let owner: Page

	test('a reviewer annotates a claim by keyboard shortcut; the owner sees the highlight and the thread appear', async () => {
		reviewer = await openAs('reviewer@scholion.test')
		owner = await openAs('owner@scholion.test')
		await select(reviewer, claim)
		await reviewer.keyboard.press('Control+Alt+M')
		const composer = reviewer.getByRole('form', { name: 'Annotation' })
		await composer.waitFor()
		await composer.getByLabel('Your annotation (Markdown)').fill('Unsourced figure: **which archive?**')
		await composer.getByRole('button', { name: 'Preview' }).click()
		await eventually(() => composer.locator('.composer-preview strong').textContent()).toBe('which archive?')
		await composer.getByLabel('Kind').selectOption('questioning')
		await composer.getByLabel('Tags').fill('unsourced, hearsay')
		await screenshot(reviewer, '30-annotation-composer')
		axeProblems.push(...(await seriousAxeViolations(reviewer)))
		await composer.getByRole('button', { name: 'Save annotation' }).click()

		for (const page of [reviewer, owner]) {
			await eventually(() => page.locator('.annotation-highlight').allTextContents()).toEqual([claim])
			await eventually(() => threadsOf(page).locator('.thread .markdown-body strong').allTextContents()).toContain('which archive?')
		}
		await expect(threadsOf(owner).locator('.tag').allTextContents()).resolves.toEqual(['unsourced', 'hearsay'])
		await screenshot(owner, '31-annotation-seen-by-owner')
		axeProblems.push(...(await seriousAxeViolations(owner)))
	})

	test('clicking the highlight focuses its thread; the owner replies and endorses, and the reviewer sees both', async () => {
		await owner.locator('.annotation-highlight').first().click()
		await eventually(() => owner.locator('.thread.is-focused').count()).toBe(1)
		const thread = owner.locator('.thread.is-focused')
		await thread.getByRole('button', { name: 'Reply' }).click()
		await thread.getByLabel('Your reply (Markdown)').fill('Agreed: no archive is named anywhere in the essay.')
		await thread.getByRole('button', { name: 'Reply' }).click()
		await thread.getByRole('button', { name: /^Endorse/ }).click()
		await eventually(() => reviewer.locator('.replies .markdown-body').allTextContents()).toEqual([
			'Agreed: no archive is named anywhere in the essay.\n',
		])
		await eventually(() => reviewer.locator('.thread-actions').first().textContent()).toContain('1 endorsement')
	})

	test('the owner deletes the annotated words; the annotation shows up as orphaned for both, never on other text', async () => {
		await select(owner, claim)
		await owner.keyboard.press('Backspace')
		for (const page of [owner, reviewer]) {
			await eventually(() => page.getByRole('heading', { name: /Orphaned/ }).count()).toBe(1)
			await eventually(() => page.locator('.annotation-highlight').count()).toBe(0)
		}
		await screenshot(reviewer, '32-annotation-orphaned')
		axeProblems.push(...(await seriousAxeViolations(reviewer)))
	})

	test('typing at the end of a highlight does not grow it, and Enter before it keeps it on its words', async () => {
		const words = 'Religious freedom was crushed'
		await select(reviewer, words)
		await reviewer.getByRole('button', { name: 'Annotate selection' }).click()
		const composer = reviewer.getByRole('form', { name: 'Annotation' })
		await composer.getByLabel('Your annotation (Markdown)').fill('Which measures, and when?')
		await composer.getByRole('button', { name: 'Save annotation' }).click()
		for (const page of [reviewer, owner]) {
			await eventually(() => page.locator('.annotation-highlight').allTextContents()).toContain(words)
		}
		// The owner types right after the last highlighted word, then splits the paragraph before it.
		await caretAt(owner, words, words.length)
		await owner.keyboard.type(' entirely')
		await caretAt(owner, words, 0)
		await owner.keyboard.press('Enter')
		for (const page of [owner, reviewer]) {
			await eventually(() => page.locator('.ProseMirror').textContent()).toContain(`${words} entirely`)
			await eventually(() => page.locator('.annotation-highlight').allTextContents()).toContain(words)
		}
		expect(await reviewer.getByRole('heading', { name: /Orphaned \(2\)/ }).count()).toBe(0)
	})

	/** Annotates `words` as the reviewer and waits until both pages show its highlight. */
	async function annotate(words: string, body: string) {
		await select(reviewer, words)
		await reviewer.getByRole('button', { name: 'Annotate selection' }).click()
		const composer = reviewer.getByRole('form', { name: 'Annotation' })
		await composer.getByLabel('Your annotation (Markdown)').fill(body)
		await composer.getByRole('button', { name: 'Save annotation' }).click()
		for (const page of [reviewer, owner]) {
			await eventually(() => page.locator('.annotation-highlight').allTextContents()).toContain(words)
		}
	}

	test('Enter typed inside a highlight keeps the annotation on its words, across the new paragraph break', async () => {
		const words = 'Inmates were made into an effective slave force'
		await annotate(words, 'Which figures support “effective”?')
		await caretAt(owner, words, 'Inmates were '.length)
		await owner.keyboard.press('Enter')
		for (const page of [owner, reviewer]) {
			await eventually(() => page.locator('.annotation-highlight').allTextContents()).toEqual(
				expect.arrayContaining(['Inmates were ', 'made into an effective slave force']),
			)
		}
		expect(await reviewer.locator('.orphaned .thread').count()).toBe(1)
	})

	test('without JavaScript, a reader sees the annotated words marked in the read view', async () => {
		const context = await browser.newContext({ baseURL: app.url, javaScriptEnabled: false })
		contexts.push(context)
		const page = await context.newPage()
		await page.goto(`/login?${new URLSearchParams({ redirectTo: documentPath })}`)
		await page.getByLabel('Email').fill('reader@scholion.test')
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.getByRole('heading', { level: 1, name: 'Stalin, 1924 – 1953' }).waitFor({ timeout: 15000 })
		const marks = await page.locator('.document mark.annotation-highlight').allTextContents()
		expect(marks).toContain('Religious freedom was crushed')
		expect(marks).toEqual(expect.arrayContaining(['Inmates were ', 'made into an effective slave force']))
		expect(await page.locator('mark[title*="Which measures, and when?"]').count()).toBe(1)
		// (No axe pass here: axe runs as a script, and this page has scripts off.)
	})

	test('no console errors and no serious or critical accessibility violations', () => {
		for (const [, errors] of pageErrors) expect(errors).toEqual([])
		expect(axeProblems).toEqual([])
	})
})
