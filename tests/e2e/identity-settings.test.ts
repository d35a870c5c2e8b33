import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, seriousAxeViolations } from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()
const eventually = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 10_000 })
const settingsPath = `/groups/${demoGroups.board.id}/settings/identity`
const boardDocumentPath = `/documents/${demoDocuments[2].id}`

describe.skipIf(unavailable)('the owner switches the board to double-blind, by keyboard', () => {
	let app: TestApp
	let browser: Browser
	const contexts: BrowserContext[] = []

	beforeAll(async () => {
		app = await startTestApp()
		await seedDemo(app.database.db)
		browser = await launchChromium()
	})

	afterAll(async () => {
		for (const context of contexts) await context.close()
		await browser?.close()
		await app?.close()
	})

	async function openAs(email: string, path: string): Promise<{ page: Page; errors: string[] }> {
		const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		contexts.push(context)
		const page = await context.newPage()
		const errors = collectPageErrors(page)
		await page.goto(`/login?${new URLSearchParams({ redirectTo: path })}`)
		await page.getByLabel('Email').fill(email)
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.waitForURL((url) => url.pathname === path)
		return { page, errors }
	}

	test('choose, read the confirmation, confirm; a reviewer then sees her colleagues as pseudonyms, the moderator a legend', async () => {
		const { page, errors } = await openAs('owner@scholion.test', settingsPath)
		expect(await seriousAxeViolations(page)).toEqual([])
		const anonymous = page.getByRole('radio', { name: /Anonymous \(double-blind\)/ })
		await anonymous.focus()
		await page.keyboard.press('Space')
		await expect.poll(() => anonymous.isChecked()).toBe(true)
		await page.getByRole('button', { name: 'Review the change' }).focus()
		await page.keyboard.press('Enter')
		const confirm = page.getByRole('button', { name: 'Change to “Anonymous (double-blind)”' })
		await eventually(() => confirm.isVisible())
		expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toContain('Change from “Named”')
		expect(await seriousAxeViolations(page)).toEqual([])
		await confirm.focus()
		await page.keyboard.press('Enter')
		await eventually(() => page.getByRole('status').textContent()).toContain('Anonymous (double-blind)')
		expect(errors).toEqual([])

		// The moderator opens the manuscript: presence shows pseudonyms, the legend says whose.
		const moderator = await openAs('moderator@scholion.test', boardDocumentPath)
		const reviewer = await openAs('reviewer@scholion.test', boardDocumentPath)
		await eventually(async () => (await reviewer.page.content()).includes('Tomás Reyes')).toBe(false)
		await moderator.page.reload()
		const legend = moderator.page.getByText('Who is who (only owners and moderators see this)')
		await legend.click()
		await eventually(async () => (await moderator.page.locator('.who-is-who').textContent()) ?? '').toContain('Priya Raman')
		expect(await seriousAxeViolations(moderator.page)).toEqual([])
	}, 60_000)
})
