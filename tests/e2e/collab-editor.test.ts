import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { documentPlainText } from '#app/editor/plain-text.ts'
import { documentFromUpdates } from '#app/editor/yjs.ts'
import { loadDocumentState } from '#db/queries/document-state.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import {
	browserTestsUnavailable,
	collectPageErrors,
	launchChromium,
	screenshot,
	seriousAxeViolations,
} from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()

// Under CI a missing browser is a failure, never a quiet skip.
if (unavailable && process.env.CI === 'true' && process.env.SCHOLION_E2E !== '0') {
	test('Chromium is installed for the browser tests', () => {
		throw new Error(`Browser tests cannot run under CI: ${unavailable}`)
	})
}

/** Polls until the assertion holds: longer than expect.poll's default second, for a slow machine. */
const eventually = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 10_000 })

const documentId = demoDocuments[0].id
const documentPath = `/documents/${documentId}`

describe.skipIf(unavailable)('two people edit a seed document live while a reader watches', () => {
	let app: TestApp
	let browser: Browser
	const contexts: BrowserContext[] = []
	const pageErrors = new Map<Page, string[]>()
	const axeProblems: string[] = []

	beforeAll(async () => {
		// A longer group-commit window than the default 20 ms, so that "Saving…" is on screen long enough to be seen.
		app = await startTestApp({ collab: { groupCommitMs: 150 } })
		await seedDemo(app.database.db)
		browser = await launchChromium()
	})

	afterAll(async () => {
		for (const context of contexts) await context.close()
		await browser?.close()
		await app?.close()
	})

	async function newPage(context?: BrowserContext): Promise<Page> {
		if (!context) {
			context = await browser.newContext({ baseURL: app.url })
			contexts.push(context)
		}
		const page = await context.newPage()
		pageErrors.set(page, collectPageErrors(page))
		return page
	}

	const errorsOf = (page: Page) => pageErrors.get(page) ?? []

	async function audit(page: Page, name: string) {
		axeProblems.push(...(await seriousAxeViolations(page)))
		await snapshot(page, name)
	}

	/** A full-page screenshot draws sticky bars where the scroll position puts them; from the top they sit in place. */
	async function snapshot(page: Page, name: string) {
		await page.evaluate(() => window.scrollTo(0, 0))
		await screenshot(page, name)
	}

	/** Logs in through the form in a fresh browser and waits for the live editor on the seed document. */
	async function openAs(email: string): Promise<Page> {
		const page = await newPage()
		await page.goto(`/login?${new URLSearchParams({ redirectTo: documentPath })}`)
		await page.getByLabel('Email').fill(email)
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await editorOf(page).waitFor()
		await page.getByText('Connected', { exact: true }).waitFor()
		return page
	}

	const editorOf = (page: Page): Locator => page.getByRole('textbox', { name: 'Document text' })
	const saveStatusOf = (page: Page): Locator => page.locator('.save-status')
	const peopleOf = (page: Page) => page.getByRole('list', { name: 'Who is here' }).getByRole('listitem').allTextContents()
	const storedText = async () => documentPlainText(documentFromUpdates((await loadDocumentState(app.database.db, documentId)).updates))

	/** Records every text the saving status shows from now on, so a state too brief to poll for is still seen. */
	async function recordSaveStatus(page: Page) {
		await page.evaluate(() => {
			const region = document.querySelector('.save-status')
			if (!region) throw new Error('no saving status on the page')
			const seen = [region.textContent ?? '']
			Object.assign(window, { seenSaveStatus: seen })
			new MutationObserver(() => seen.push(region.textContent ?? '')).observe(region, {
				childList: true,
				characterData: true,
				subtree: true,
			})
		})
	}
	const seenSaveStatus = (page: Page) =>
		page.evaluate(() => (window as unknown as { seenSaveStatus: string[] }).seenSaveStatus)

	/**
	 * Selects the `text` just typed, with the keyboard. ProseMirror takes a
	 * keyboard selection from the browser's asynchronous selectionchange; the
	 * reviewer seeing it highlighted proves the editor's state has it.
	 */
	async function selectBackwards(page: Page, text: string) {
		for (let i = 0; i < text.length; i++) await page.keyboard.press('Shift+ArrowLeft')
		await eventually(() => reviewer.locator('.ProseMirror-yjs-selection').allTextContents()).toEqual([text])
	}

	let owner: Page
	let reviewer: Page
	let reader: Page

	test('the read view is the first paint, and the live editor replaces it', async () => {
		owner = await openAs('owner@scholion.test')
		const editor = editorOf(owner)
		expect(await editor.getAttribute('contenteditable')).toBe('true')
		// One `.document` on the page: the editor took the read view's place.
		expect(await owner.locator('.document').count()).toBe(1)
		expect(await owner.locator('.document p').count()).toBeGreaterThan(10)
		expect(await owner.getByRole('toolbar', { name: 'Formatting' }).count()).toBe(1)
		expect(await peopleOf(owner)).toEqual(['Irena Novak (you)'])
		await eventually(() => saveStatusOf(owner).textContent()).toBe('All changes saved')
		await audit(owner, '20-editor-owner-alone')
		await owner.setViewportSize({ width: 390, height: 844 })
		await audit(owner, '20-editor-owner-alone-narrow')
		await owner.setViewportSize({ width: 1280, height: 720 })
		expect(errorsOf(owner)).toEqual([])
	})

	test('two writers see each other’s text, cursors and names, and saving is reported truthfully', async () => {
		reviewer = await openAs('reviewer@scholion.test')
		await eventually(() => peopleOf(owner)).toEqual(['Irena Novak (you)', 'Priya Raman'])
		await eventually(() => peopleOf(reviewer)).toEqual(['Priya Raman (you)', 'Irena Novak'])

		await recordSaveStatus(owner)
		await editorOf(owner).locator('p').first().click()
		await owner.keyboard.press('Control+Home')
		await owner.keyboard.type('Owner was here. ')
		await editorOf(reviewer).locator('p').nth(3).click()
		await reviewer.keyboard.press('End')
		await reviewer.keyboard.type(' Reviewer note.')

		await eventually(() => editorOf(reviewer).textContent()).toContain('Owner was here.')
		await eventually(() => editorOf(owner).textContent()).toContain('Reviewer note.')
		// Each sees the other's caret, labelled with their name.
		await owner.locator('.ProseMirror-yjs-cursor', { hasText: 'Priya Raman' }).waitFor()
		await reviewer.locator('.ProseMirror-yjs-cursor', { hasText: 'Irena Novak' }).waitFor()

		// "Saving…" first, then "All changes saved" — and by then the text really is in the database.
		await eventually(() => seenSaveStatus(owner)).toContain('Saving…')
		await eventually(() => saveStatusOf(owner).textContent()).toBe('All changes saved')
		expect(await storedText()).toContain('Owner was here. ')
		await eventually(() => saveStatusOf(reviewer).textContent()).toBe('All changes saved')
		expect(await storedText()).toContain(' Reviewer note.')

		await audit(owner, '21-editor-owner-with-reviewer')
		await audit(reviewer, '22-editor-reviewer-with-owner')
		expect(errorsOf(owner)).toEqual([])
		expect(errorsOf(reviewer)).toEqual([])
	})

	test('a reader sees the live text but cannot change it', async () => {
		reader = await openAs('reader@scholion.test')
		const editor = editorOf(reader)
		expect(await editor.getAttribute('contenteditable')).toBe('false')
		expect(await editor.getAttribute('aria-readonly')).toBe('true')
		await reader.getByText('Read-only: you are a reader in this group').waitFor()
		expect(await reader.getByRole('toolbar').count()).toBe(0)
		await eventually(() => editor.textContent()).toContain('Owner was here.')
		await eventually(() => peopleOf(owner)).toEqual(['Irena Novak (you)', 'Jonas Berg', 'Priya Raman'])

		const before = await editor.textContent()
		await editor.locator('p').nth(2).click()
		await reader.keyboard.type('READER TYPED')
		await reader.keyboard.press('Enter')
		await reader.keyboard.press('Backspace')
		expect(await editor.textContent()).toBe(before)

		// A change from the owner after the reader's attempt reaches everyone; the reader's never does.
		await owner.keyboard.type('Still live. ')
		await eventually(() => editor.textContent()).toContain('Still live.')
		await eventually(() => editorOf(reviewer).textContent()).toContain('Still live.')
		expect(await editorOf(owner).textContent()).not.toContain('READER TYPED')
		await eventually(() => saveStatusOf(owner).textContent()).toBe('All changes saved')
		expect(await storedText()).not.toContain('READER TYPED')

		await audit(reader, '23-editor-reader')
		expect(errorsOf(reader)).toEqual([])
	})

	test('formatting works from the keyboard: shortcuts and the toolbar', async () => {
		const editor = editorOf(owner)
		await editor.click()
		await owner.keyboard.press('Control+End')
		await owner.keyboard.type(' boldword')
		await selectBackwards(owner, 'boldword')

		const bold = owner.getByRole('button', { name: /^Bold/ })
		await owner.keyboard.press('Control+b')
		await editor.locator('strong', { hasText: 'boldword' }).waitFor()
		expect(await bold.getAttribute('aria-pressed')).toBe('true')
		// The formatting travels too.
		await editorOf(reviewer).locator('strong', { hasText: 'boldword' }).waitFor()
		await owner.keyboard.press('Control+b')
		await eventually(() => editor.locator('strong', { hasText: 'boldword' }).count()).toBe(0)
		expect(await bold.getAttribute('aria-pressed')).toBe('false')

		// Alt+F10 reaches the toolbar; arrows move along it; Enter and Space press; Esc goes back to the text.
		await owner.keyboard.press('Alt+F10')
		await eventually(() => owner.evaluate(() => document.activeElement?.textContent)).toContain('Bold')
		await owner.keyboard.press('Enter')
		await editor.locator('strong', { hasText: 'boldword' }).waitFor()
		await owner.keyboard.press('ArrowRight')
		const italic = owner.getByRole('button', { name: /^Italic/ })
		await eventually(() => italic.evaluate((button) => button === document.activeElement)).toBe(true)
		await owner.keyboard.press('Space')
		await editor.locator('em', { hasText: 'boldword' }).waitFor()
		expect(await italic.getAttribute('aria-pressed')).toBe('true')
		await owner.keyboard.press('Escape')
		await eventually(() => editor.evaluate((element) => element === document.activeElement)).toBe(true)

		// A block type by shortcut: a document heading of level 2 is an <h3> (the page's <h1> is the title).
		await owner.keyboard.press('Control+End')
		await owner.keyboard.press('Enter')
		await owner.keyboard.type('A new section')
		await owner.keyboard.press('Control+Alt+2')
		await editor.locator('h3', { hasText: 'A new section' }).waitFor()
		expect(await owner.getByRole('button', { name: /^Heading 2/ }).getAttribute('aria-pressed')).toBe('true')
		await editorOf(reviewer).locator('h3', { hasText: 'A new section' }).waitFor()

		// A link: Ctrl+K asks for the address; only addresses the read view will render are accepted.
		await owner.keyboard.type(' see the source')
		await selectBackwards(owner, 'the source')
		await owner.keyboard.press('Control+k')
		const address = owner.getByLabel('Link address')
		await address.fill('javascript:alert(1)')
		await owner.keyboard.press('Enter')
		await owner.getByText('Use an address that starts with https://, http://, mailto:, / or #.').waitFor()
		await audit(owner, '24-editor-link-form')
		await address.fill('https://example.org/source')
		await owner.keyboard.press('Enter')
		await editor.locator('a[href="https://example.org/source"]', { hasText: 'the source' }).waitFor()
		await eventually(() => editor.evaluate((element) => element === document.activeElement)).toBe(true)
		expect(await owner.getByRole('button', { name: /^Link/ }).getAttribute('aria-pressed')).toBe('true')

		await eventually(() => saveStatusOf(owner).textContent()).toBe('All changes saved')
		await audit(owner, '24-editor-formatting')
		expect(errorsOf(owner)).toEqual([])
	})

	test('offline, edits (deletions too) wait in the page and are saved when the connection returns', async () => {
		const editor = editorOf(owner)
		await editor.click()
		await owner.keyboard.press('Control+End')
		await owner.keyboard.type(' erasable')
		await eventually(() => saveStatusOf(owner).textContent()).toBe('All changes saved')
		expect(await storedText()).toContain(' erasable')

		await owner.context().setOffline(true)
		await owner
			.getByText('Offline — your edits are kept on this device and will be sent when the connection returns')
			.waitFor()
		await owner.getByText('Not connected: others may be here too.').waitFor()
		// Only a deletion: it does not move this client's Yjs clock, and still must not count as saved.
		for (let i = 0; i < ' erasable'.length; i++) await owner.keyboard.press('Backspace')
		await eventually(() => saveStatusOf(owner).textContent()).toBe('Not saved yet — offline')
		await owner.keyboard.type(' Typed offline.')
		expect(await saveStatusOf(owner).textContent()).toBe('Not saved yet — offline')
		await snapshot(owner, '26-editor-offline')
		expect(await editorOf(reviewer).textContent()).toContain(' erasable')

		await owner.context().setOffline(false)
		await owner.getByText('Connected', { exact: true }).waitFor()
		await eventually(() => saveStatusOf(owner).textContent()).toBe('All changes saved')
		const stored = await storedText()
		expect(stored).toContain(' Typed offline.')
		expect(stored).not.toContain(' erasable')
		await eventually(() => editorOf(reviewer).textContent()).toContain(' Typed offline.')
		expect(await editorOf(reviewer).textContent()).not.toContain(' erasable')
		await eventually(() => peopleOf(owner)).toEqual(['Irena Novak (you)', 'Jonas Berg', 'Priya Raman'])
		await eventually(() => peopleOf(reviewer)).toEqual(['Priya Raman (you)', 'Irena Novak', 'Jonas Berg'])
		expect(errorsOf(owner)).toEqual([])
	})

	test('presence comes back after a reconnect', async () => {
		// The others' states are unchanged while the reader is away: only a correct reconnect shows them again.
		await reader.context().setOffline(true)
		await eventually(() => peopleOf(reader)).toEqual(['Jonas Berg (you)'])
		await reader.getByText('Not connected: others may be here too.').waitFor()
		await reader.context().setOffline(false)
		await reader.getByText('Connected', { exact: true }).waitFor()
		await eventually(() => peopleOf(reader)).toEqual(['Jonas Berg (you)', 'Irena Novak', 'Priya Raman'])
		// The old socket's late close may remove the reader for a moment; the page announces itself again.
		await eventually(() => peopleOf(owner)).toEqual(['Irena Novak (you)', 'Jonas Berg', 'Priya Raman'])
		expect(errorsOf(reader)).toEqual([])
	})

	test('a role change reaches the open editor at once', async () => {
		const members = await newPage(owner.context())
		await members.goto(`/groups/${demoGroups.seminar.id}/members`)
		await members.getByLabel('Role of Priya Raman', { exact: true }).selectOption('reader')
		await members.getByRole('button', { name: 'Save role of Priya Raman' }).click()

		await reviewer.getByText('Read-only: you are a reader in this group').waitFor()
		await eventually(() => editorOf(reviewer).getAttribute('contenteditable')).toBe('false')
		expect(await reviewer.getByRole('toolbar').count()).toBe(0)

		await members.getByLabel('Role of Priya Raman', { exact: true }).selectOption('reviewer')
		await members.getByRole('button', { name: 'Save role of Priya Raman' }).click()
		await eventually(() => editorOf(reviewer).getAttribute('contenteditable')).toBe('true')
		expect(await reviewer.getByText('Read-only: you are a reader in this group').count()).toBe(0)
		await members.close()
		expect(errorsOf(reviewer)).toEqual([])
		expect(errorsOf(members)).toEqual([])
	})

	test('logging out elsewhere ends the editor’s session, with a way back', async () => {
		const other = await newPage(reviewer.context())
		await other.goto('/')
		await other.getByRole('button', { name: 'Log out' }).click()
		await other.getByRole('link', { name: 'Log in' }).first().waitFor()

		const alert = reviewer.getByRole('alert')
		await eventually(() => alert.textContent()).toContain('Your session ended — log in again')
		expect(await alert.getByRole('link', { name: 'log in again' }).getAttribute('href')).toBe(
			`/login?${new URLSearchParams({ redirectTo: documentPath })}`,
		)
		await eventually(() => editorOf(reviewer).getAttribute('contenteditable')).toBe('false')
		await eventually(() => peopleOf(owner)).toEqual(['Irena Novak (you)', 'Jonas Berg'])
		await audit(reviewer, '25-editor-session-ended')
		expect(errorsOf(reviewer)).toEqual([])
		expect(errorsOf(other)).toEqual([])
		expect(errorsOf(owner)).toEqual([])
	})

	test('without JavaScript, the stored text is shown as the read view', async () => {
		const context = await browser.newContext({ baseURL: app.url, javaScriptEnabled: false })
		contexts.push(context)
		const page = await context.newPage()
		pageErrors.set(page, collectPageErrors(page))
		await page.goto(`/login?${new URLSearchParams({ redirectTo: documentPath })}`)
		await page.getByLabel('Email').fill('owner@scholion.test')
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.getByRole('heading', { level: 1, name: demoDocuments[0].title }).waitFor()
		expect(await page.locator('.document').textContent()).toContain('Typed offline.')
		expect(await page.getByRole('textbox').count()).toBe(0)
		expect(await page.getByRole('toolbar').count()).toBe(0)
		// No axe here: it needs the page's JavaScript.
		await screenshot(page, '27-document-without-javascript')
		expect(errorsOf(page)).toEqual([])
	})

	test('no page had a serious or critical accessibility violation', () => {
		expect(axeProblems).toEqual([])
	})
})
