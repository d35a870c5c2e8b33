import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findGroup } from '#db/queries/groups.ts'
import { demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium, seriousAxeViolations } from '#tests/support/browser.ts'

/** An owner narrows the seminar's published layer by keyboard, through the confirmation, with axe on both steps. */

const unavailable = browserTestsUnavailable()
let app: TestApp
let browser: Browser
let context: BrowserContext

describe.skipIf(unavailable)('the audience settings in a browser', () => {
	beforeAll(async () => {
		app = await startTestApp()
		await seedDemo(app.database.db, { published: true })
		browser = await launchChromium()
		context = await browser.newContext({ baseURL: app.url })
	})
	afterAll(async () => {
		await context?.close()
		await browser?.close()
		await app?.close()
	})

	test('choose members only, read what changes, confirm', async () => {
		const page = await context.newPage()
		const errors = collectPageErrors(page)
		const path = `/groups/${demoGroups.seminar.id}/settings/audience`
		await page.goto(`/login?${new URLSearchParams({ redirectTo: path })}`)
		await page.getByLabel('Email').fill('owner@scholion.test')
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await page.getByRole('heading', { name: 'Audience of the published layer' }).waitFor()
		expect(await seriousAxeViolations(page)).toEqual([])

		await page.getByLabel('Members of the group only').check()
		await page.getByRole('button', { name: 'Review the change' }).focus()
		await page.keyboard.press('Enter')
		await page.getByRole('heading', { name: 'Confirm the change' }).waitFor()
		expect(await page.getByText(/permalinks? that (is|are) public now will answer 404/).count()).toBe(1)
		expect(await seriousAxeViolations(page)).toEqual([])
		expect((await findGroup(app.database.db, demoGroups.seminar.id))?.publishedAudience).toBe('public')

		await page.getByRole('button', { name: 'Change the audience' }).focus()
		await page.keyboard.press('Enter')
		await page.getByText('The audience was changed.').waitFor()
		expect((await findGroup(app.database.db, demoGroups.seminar.id))?.publishedAudience).toBe('members')
		expect(errors).toEqual([])
	})
})
