import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import { demoPassword } from '#seeds/demo.ts'
import { collectPageErrors } from './browser.ts'

/**
 * Driving the live editor as a person would, and reading back what they see.
 * Text is always read without the other people's carets: a remote cursor is
 * a widget inside the text (`.ProseMirror-yjs-cursor`) holding its owner's name.
 */

/** Polls until the assertion holds: longer than expect.poll's default second, for a slow machine. */
export const eventually = <T>(value: () => T | Promise<T>, timeout = 15_000) => expect.poll(value, { timeout, interval: 100 })

export interface EditorPage {
	page: Page
	/** Console errors and uncaught exceptions seen on the page so far. */
	errors: string[]
}

/** Logs in as `email` in a fresh browser context and waits for the live editor of `documentPath` to be connected. */
export async function openEditorAs(
	browser: Browser,
	baseURL: string,
	email: string,
	documentPath: string,
	contextOptions: BrowserContextOptions = {},
): Promise<EditorPage> {
	const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, ...contextOptions })
	const page = await context.newPage()
	const errors = collectPageErrors(page)
	await page.goto(`/login?${new URLSearchParams({ redirectTo: documentPath })}`)
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(demoPassword)
	await page.getByRole('button', { name: 'Log in' }).click()
	await editorOf(page).waitFor()
	await page.getByText('Connected', { exact: true }).waitFor()
	return { page, errors }
}

export const editorOf = (page: Page): Locator => page.getByRole('textbox', { name: 'Document text' })

/** The text of each block of the editor, as the user reads it (other people's carets left out). */
export function blockTexts(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const root = document.querySelector('.ProseMirror')
		if (!root) throw new Error('no editor on the page')
		return [...root.children].map((block) => {
			const copy = block.cloneNode(true) as Element
			for (const cursor of copy.querySelectorAll('.ProseMirror-yjs-cursor')) cursor.remove()
			return copy.textContent ?? ''
		})
	})
}

/**
 * The words each highlight covers, by annotation id, in reading order. One
 * annotation may be drawn as several pieces (a paragraph break inside it,
 * another decoration overlapping it); they are joined here.
 */
export function highlightedWords(page: Page): Promise<Record<string, string>> {
	return page.evaluate(() => {
		const words: Record<string, string> = {}
		for (const element of document.querySelectorAll('.ProseMirror .annotation-highlight')) {
			const id = element.getAttribute('data-annotation-id') ?? ''
			const copy = element.cloneNode(true) as Element
			for (const cursor of copy.querySelectorAll('.ProseMirror-yjs-cursor')) cursor.remove()
			words[id] = (words[id] ?? '') + (copy.textContent ?? '')
		}
		return words
	})
}

/** The ids of the threads in the "Orphaned" list. */
export function orphanedIds(page: Page): Promise<string[]> {
	return page.locator('.orphaned .thread').evaluateAll((threads) => threads.map((t) => t.getAttribute('data-thread-id') ?? ''))
}

/** A place in the editor's text: `offset` characters into the first occurrence of `text` (which may span several text nodes, not blocks). */
export interface TextPoint {
	text: string
	offset: number
}

/**
 * Selects from `anchor` to `head` (a caret when they are equal) as a mouse
 * drag would leave it, and waits until `seen` proves that the editor's
 * state has it, e.g. the other person sees it (selectionSeenBy, caretSeenBy).
 *
 * ProseMirror reads a DOM selection on the asynchronous selectionchange. A
 * transaction dispatched before that (a collaborator's cursor moving, an
 * annotation event) writes the state's old selection back into the DOM, and
 * the new one is lost; so the selection is made again until it is seen.
 */
export async function selectUntilSeen(page: Page, anchor: TextPoint, head: TextPoint, seen: () => Promise<boolean>) {
	const deadline = Date.now() + 15_000
	for (;;) {
		await setDomSelection(page, anchor, head)
		try {
			await expect.poll(seen, { timeout: 2_000, interval: 100 }).toBe(true)
			return
		} catch (error) {
			if (Date.now() > deadline) throw error
		}
	}
}

/** Selects the first occurrence of `words`, until `seen` proves the editor has the selection. */
export function selectWords(page: Page, words: string, seen: () => Promise<boolean>) {
	return selectUntilSeen(page, { text: words, offset: 0 }, { text: words, offset: words.length }, seen)
}

/** Puts the caret at `at`, until `seen` proves the editor has it there. */
export function placeCaret(page: Page, at: TextPoint, seen: () => Promise<boolean>) {
	return selectUntilSeen(page, at, at, seen)
}

async function setDomSelection(page: Page, anchor: TextPoint, head: TextPoint) {
	await page.evaluate(
		({ anchor, head }) => {
			const root = document.querySelector('.ProseMirror') as HTMLElement | null
			if (!root) throw new Error('no editor on the page')
			const nodes: Text[] = []
			const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
				acceptNode: (node) =>
					node.parentElement?.closest('.ProseMirror-yjs-cursor') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
			})
			for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text)
			const all = nodes.map((n) => n.data).join('')
			const locate = ({ text, offset }: { text: string; offset: number }): [Text, number] => {
				const start = all.indexOf(text)
				if (start < 0) throw new Error(`"${text}" is not in the editor`)
				let target = start + offset
				for (const node of nodes) {
					// At a seam between nodes, the start of words belongs to the next node and their end to the previous one.
					if (target < node.data.length || (target === node.data.length && offset > 0)) return [node, target]
					target -= node.data.length
				}
				throw new Error(`offset ${offset} is past "${text}"`)
			}
			const [anchorNode, anchorOffset] = locate(anchor)
			const [headNode, headOffset] = locate(head)
			root.focus()
			window.getSelection()!.setBaseAndExtent(anchorNode, anchorOffset, headNode, headOffset)
		},
		{ anchor, head },
	)
}

/** Whether `observer` shows someone's selection over exactly `text` (other people's carets left out). */
export function selectionSeenBy(observer: Page, text: string): () => Promise<boolean> {
	return async () => {
		const shown = await observer.locator('.ProseMirror .ProseMirror-yjs-selection').evaluateAll((parts) =>
			parts
				.map((part) => {
					const copy = part.cloneNode(true) as Element
					for (const cursor of copy.querySelectorAll('.ProseMirror-yjs-cursor')) cursor.remove()
					return copy.textContent ?? ''
				})
				.join(''),
		)
		return shown === text
	}
}

/** Whether `observer` shows `name`'s caret in a block, with `before` just before it and `after` just after it. */
export function caretSeenBy(observer: Page, name: string, around: { before: string; after: string }): () => Promise<boolean> {
	return async () => {
		const at = await observer.evaluate((name) => {
			const cursor = [...document.querySelectorAll('.ProseMirror .ProseMirror-yjs-cursor')].find((c) => c.textContent?.includes(name))
			const block = cursor?.closest('.ProseMirror > *')
			if (!cursor || !block) return null
			const range = document.createRange()
			range.selectNodeContents(block)
			range.setEndBefore(cursor)
			const before = range.toString()
			range.selectNodeContents(block)
			range.setStartAfter(cursor)
			return { before, after: range.toString() }
		}, name)
		return at !== null && at.before.endsWith(around.before) && at.after.startsWith(around.after)
	}
}

/** Annotates the current selection with `body` through the margin's button; returns the new annotation's id. */
export async function annotateSelection(page: Page, body: string): Promise<string> {
	await page.getByRole('button', { name: 'Annotate selection' }).click()
	const composer = page.getByRole('form', { name: 'Annotation' })
	await composer.getByLabel('Your annotation (Markdown)').fill(body)
	await composer.getByRole('button', { name: 'Save annotation' }).click()
	const thread = page.locator('.thread', { has: page.locator('.markdown-body', { hasText: body }) })
	await thread.waitFor()
	const id = await thread.getAttribute('data-thread-id')
	if (!id) throw new Error(`the thread "${body}" has no id`)
	return id
}
