import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, screenshot, seriousAxeViolations } from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()
const eventually = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 10_000 })
const documentPath = `/documents/${demoDocuments[0].id}`
const claim = 'It is reported that in a large Siberian city every third resident was shot'

describe.skipIf(unavailable)('a mention reaches the inbox live in a second browser', () => {
	let app: TestApp
	let browser: Browser
	const contexts: BrowserContext[] = []
	const pageErrors = new Map<Page, string[]>()
	const axeProblems: string[] = []

	beforeAll(async () => {
		app = await startTestApp({ placeAnchorsAfterMs: 100, notifications: { schedule: false } })
		await seedDemo(app.database.db)
		browser = await launchChromium()
	})

	afterAll(async () => {
		for (const context of contexts) await context.close()
		await browser?.close()
		await app?.close()
	})

	async function openAs(email: string, path: string, options: { awaitStream?: boolean } = {}): Promise<Page> {
		const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		contexts.push(context)
		const page = await context.newPage()
		pageErrors.set(page, collectPageErrors(page))
		await page.goto(`/login?${new URLSearchParams({ redirectTo: path })}`)
		await page.getByLabel('Email').fill(email)
		await page.getByLabel('Password').fill(demoPassword)
		// The header's live count is open once the signed-in page has hydrated and its stream answered.
		const stream = options.awaitStream ? page.waitForResponse((r) => new URL(r.url()).pathname === '/inbox/events') : null
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.waitForURL((url) => url.pathname === path)
		await stream
		return page
	}

	/** Selects `text` in the editor as a mouse drag would (a DOM selection ProseMirror reads). */
	async function select(page: Page, text: string) {
		await page.evaluate((wanted) => {
			const root = document.querySelector('.ProseMirror') as HTMLElement
			const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
			for (let node = walker.nextNode(); node; node = walker.nextNode()) {
				const at = node.textContent?.indexOf(wanted) ?? -1
				if (at < 0) continue
				const range = document.createRange()
				range.setStart(node, at)
				range.setEnd(node, at + wanted.length)
				root.focus()
				window.getSelection()!.removeAllRanges()
				window.getSelection()!.addRange(range)
				return
			}
			throw new Error(`"${wanted}" is not in one text node of the editor`)
		}, text)
		await page.waitForTimeout(300)
	}

	const inboxLink = (page: Page) => page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: /^Inbox/ })

	test('the owner types "@Pri", picks Priya by keyboard and posts; Priya’s header count goes up without a reload', async () => {
		const priya = await openAs('reviewer@scholion.test', '/', { awaitStream: true })
		await expect(inboxLink(priya).textContent()).resolves.toBe('Inbox')

		const owner = await openAs('owner@scholion.test', documentPath)
		await owner.getByText('Connected', { exact: true }).waitFor()
		await select(owner, claim)
		await owner.keyboard.press('Control+Alt+M')
		const composer = owner.getByRole('form', { name: 'Annotation' })
		const body = composer.getByLabel('Your annotation (Markdown)')
		await body.waitFor()
		await body.pressSequentially('Which archive, @Pri')
		const suggestions = composer.getByRole('listbox', { name: 'Group members to mention' })
		await suggestions.waitFor()
		const option = suggestions.getByRole('option', { name: 'Priya Raman' })
		await expect(option.getAttribute('aria-selected')).resolves.toBe('true')
		await expect(body.getAttribute('aria-activedescendant')).resolves.toBe(await option.getAttribute('id'))
		await screenshot(owner, '70-mention-autocomplete')
		axeProblems.push(...(await seriousAxeViolations(owner)))
		await owner.keyboard.press('Enter')
		await suggestions.waitFor({ state: 'detached' })
		await body.pressSequentially('? Please check the figure.')
		await expect(body.inputValue()).resolves.toMatch(/^Which archive, @\[Priya Raman\]\(user:[0-9a-f-]{36}\) \? Please check the figure\.$/)
		await composer.getByRole('button', { name: 'Preview' }).click()
		await eventually(() => composer.locator('.composer-preview .mention').textContent()).toBe('@Priya Raman')
		await composer.getByRole('button', { name: 'Save annotation' }).click()
		await eventually(() => owner.getByRole('complementary', { name: 'Annotations' }).locator('.mention').allTextContents()).toContain('@Priya Raman')

		await eventually(() => inboxLink(priya).textContent()).toBe('Inbox1 unread')
		await screenshot(priya, '71-inbox-count-live')

		await inboxLink(priya).click()
		await priya.getByRole('heading', { name: 'Inbox' }).waitFor()
		const mention = priya.getByRole('link', { name: 'Irena Novak mentioned you in an annotation on “Stalin, 1924 – 1953”' })
		await mention.waitFor()
		await expect(priya.getByText('“Which archive, @Priya Raman ? Please check the figure.”').count()).resolves.toBe(1)
		await screenshot(priya, '72-inbox')
		axeProblems.push(...(await seriousAxeViolations(priya)))

		// Marked read by keyboard: the count in the header follows.
		await priya.getByRole('button', { name: /^Mark as read/ }).focus()
		await priya.keyboard.press('Enter')
		await eventually(() => inboxLink(priya).textContent()).toBe('Inbox')

		await priya.goto('/settings/notifications')
		await priya.getByRole('heading', { name: 'Notification settings' }).waitFor()
		await priya.getByRole('group', { name: 'Mentions of you' }).getByLabel('Email').selectOption('daily')
		await priya.getByRole('button', { name: 'Save preferences' }).click()
		await priya.getByText('Preferences saved.').waitFor()
		await screenshot(priya, '73-notification-settings')
		axeProblems.push(...(await seriousAxeViolations(priya)))

		await priya.goto('/dev/outbox')
		await priya.getByRole('heading', { name: 'Email outbox' }).waitFor()
		await priya.getByRole('heading', { name: 'Irena Novak mentioned you in an annotation on “Stalin, 1924 – 1953”' }).waitFor()
		axeProblems.push(...(await seriousAxeViolations(priya)))
	})

	test('Escape closes the suggestions and leaves the text as typed', async () => {
		const owner = [...pageErrors.keys()].find((p) => p.url().includes(documentPath))!
		await select(owner, 'every third resident')
		await owner.keyboard.press('Control+Alt+M')
		const composer = owner.getByRole('form', { name: 'Annotation' })
		const body = composer.getByLabel('Your annotation (Markdown)')
		await body.waitFor()
		await body.pressSequentially('Note for @Tom')
		await composer.getByRole('option', { name: 'Tomás Reyes' }).waitFor()
		await owner.keyboard.press('Escape')
		await composer.getByRole('listbox').waitFor({ state: 'detached' })
		// The composer is still open: Escape closed the list only.
		await expect(body.inputValue()).resolves.toBe('Note for @Tom')
	})

	test('no console errors and no serious accessibility violations', () => {
		expect([...pageErrors.values()].flat()).toEqual([])
		expect(axeProblems).toEqual([])
	})
})
