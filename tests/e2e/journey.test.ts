import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import {
	browserTestsUnavailable,
	collectPageErrors,
	launchChromium,
	screenshot,
	seriousAxeViolations,
} from '#tests/support/browser.ts'

const unavailable = browserTestsUnavailable()
const seedDir = path.resolve('seeds/documents')

// Under CI a missing browser is a failure, never a quiet skip.
if (unavailable && process.env.CI === 'true' && process.env.SCHOLION_E2E !== '0') {
	test('Chromium is installed for the browser tests', () => {
		throw new Error(`Browser tests cannot run under CI: ${unavailable}`)
	})
}

describe.skipIf(unavailable)('a seminar instructor and a student, in a real browser', () => {
	let app: TestApp
	let browser: Browser
	const contexts: BrowserContext[] = []
	const pageErrors = new Map<Page, string[]>()
	const axeProblems: string[] = []

	beforeAll(async () => {
		app = await startTestApp()
		browser = await launchChromium()
	})

	afterAll(async () => {
		for (const context of contexts) await context.close()
		await browser?.close()
		await app?.close()
	})

	async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
		const context = await browser.newContext({ baseURL: app.url, ...options })
		contexts.push(context)
		const page = await context.newPage()
		pageErrors.set(page, collectPageErrors(page))
		return page
	}

	const errorsOf = (page: Page) => pageErrors.get(page) ?? []

	/** Checks the page with axe-core and records anything serious or critical. */
	async function audit(page: Page, name: string) {
		axeProblems.push(...(await seriousAxeViolations(page)))
		await screenshot(page, name)
	}

	let instructor: Page
	let student: Page
	let inviteUrl = ''

	test('signs up, logs out and logs back in by keyboard', async () => {
		instructor = await newPage()
		await instructor.goto('/')
		await audit(instructor, '01-home-anonymous')
		await instructor.getByRole('link', { name: 'Create an account' }).click()
		await expect.poll(() => instructor.url()).toContain('/signup')
		await audit(instructor, '02-signup')

		// A mistake first: the error is shown and what was typed is kept.
		await instructor.getByLabel('Email').fill('ines@example.org')
		await instructor.getByLabel('Display name').fill('Inés Lima')
		await instructor.getByLabel('Password').fill('short')
		await instructor.getByRole('button', { name: 'Sign up' }).click()
		await instructor.getByText('Use at least 8 characters for your password.').waitFor()
		expect(await instructor.getByLabel('Email').inputValue()).toBe('ines@example.org')
		expect(await instructor.getByLabel('Display name').inputValue()).toBe('Inés Lima')
		await audit(instructor, '03-signup-error')

		await instructor.getByLabel('Password').fill('a long enough password')
		await instructor.getByRole('button', { name: 'Sign up' }).click()
		await instructor.getByRole('heading', { name: 'Your groups' }).waitFor()
		await expect.poll(() => instructor.getByRole('navigation', { name: 'Account' }).textContent()).toContain('Inés Lima')

		await instructor.getByRole('button', { name: 'Log out' }).click()
		await instructor.getByRole('link', { name: 'Log in' }).first().waitFor()

		// Log in with the keyboard alone: Tab to the field, type, Enter to submit.
		await instructor.goto('/login')
		await audit(instructor, '04-login')
		for (let i = 0; i < 12; i++) {
			await instructor.keyboard.press('Tab')
			const focused = await instructor.evaluate(() => document.activeElement?.getAttribute('name'))
			if (focused === 'email') break
		}
		await instructor.keyboard.type('ines@example.org')
		await instructor.keyboard.press('Tab')
		await instructor.keyboard.type('a long enough password')
		await instructor.keyboard.press('Enter')
		await instructor.getByRole('heading', { name: 'Your groups' }).waitFor()
		await audit(instructor, '05-home-signed-in')
		expect(errorsOf(instructor)).toEqual([])
	})

	test('creates a group and an invite link', async () => {
		await instructor.getByRole('link', { name: 'New group' }).click()
		await instructor.getByRole('heading', { name: 'New group' }).waitFor()
		await audit(instructor, '06-new-group')
		await instructor.getByLabel('Name').fill('Reading Stalin-era sources')
		await instructor.getByRole('radio', { name: /Seminar/ }).check()
		await instructor.getByLabel('Description').fill('Week 4: claims, evidence and hearsay.')
		await instructor.getByRole('button', { name: 'Create group' }).click()
		await instructor.getByRole('heading', { name: 'Reading Stalin-era sources' }).waitFor()
		await instructor.getByText('You are an owner.').waitFor()
		await audit(instructor, '07-group')

		await instructor.getByRole('link', { name: '1 member' }).click()
		await instructor.getByRole('heading', { name: 'Members' }).waitFor()
		await instructor.getByLabel('Role', { exact: true }).selectOption('reviewer')
		await instructor.getByLabel('Link works for').selectOption('7')
		await instructor.getByRole('button', { name: 'Create invite link' }).click()
		const linkField = instructor.getByLabel(/New reviewer link/)
		await linkField.waitFor()
		inviteUrl = await linkField.inputValue()
		expect(inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/)
		await audit(instructor, '08-members-with-invite')
		expect(errorsOf(instructor)).toEqual([])
	})

	test('a second person accepts the invite in another browser', async () => {
		student = await newPage()
		await student.goto(inviteUrl)
		await student.getByRole('heading', { name: 'Join Reading Stalin-era sources' }).waitFor()
		await student.getByText(/as a reviewer/).waitFor()
		await audit(student, '09-invite-anonymous')
		await student.getByRole('link', { name: 'Sign up to join' }).click()
		await student.getByLabel('Email').fill('sam@example.org')
		await student.getByLabel('Display name').fill('Sam Okoro')
		await student.getByLabel('Password').fill('another good password')
		await student.getByRole('button', { name: 'Sign up' }).click()
		// Back on the invitation after signing up.
		await student.getByRole('button', { name: 'Accept and join' }).click()
		await student.getByRole('heading', { name: 'Reading Stalin-era sources' }).waitFor()
		await student.getByText('You are a reviewer.').waitFor()
		await student.getByRole('link', { name: '2 members' }).waitFor()
		expect(errorsOf(student)).toEqual([])
	})

	test('imports both seed texts, one uploaded and one pasted', async () => {
		await instructor.goto('/')
		await instructor.getByRole('link', { name: 'Reading Stalin-era sources' }).click()
		await instructor.getByRole('link', { name: 'Import a document' }).click()
		await instructor.getByRole('heading', { name: 'Import a document' }).waitFor()
		await audit(instructor, '10-import')

		// A bad file first: a clear error, nothing stored.
		await instructor.getByLabel('File').setInputFiles({
			name: 'scan.png',
			mimeType: 'image/png',
			buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
		})
		await instructor.getByRole('button', { name: 'Import' }).click()
		await instructor.getByRole('alert').waitFor()
		expect(await instructor.getByRole('alert').textContent()).toMatch(/\.txt, \.md and \.html/)
		await audit(instructor, '11-import-error')

		await instructor.getByLabel('File').setInputFiles(path.join(seedDir, 'stalin-1924-1953.txt'))
		await instructor.getByRole('button', { name: 'Import' }).click()
		await instructor.getByRole('heading', { level: 1, name: 'STALIN 1924 – 1953' }).waitFor()
		const essay = instructor.locator('.document')
		// Hard-wrapped lines are reflowed: a sentence broken across lines (and a blank line) reads as one.
		await expect.poll(() => essay.textContent()).toContain('Cheka under new name NKVD and new leaders was greatly expanded')
		expect(await essay.locator('p').count()).toBeGreaterThan(10)
		await audit(instructor, '12-document-essay')

		await instructor.getByRole('link', { name: 'Reading Stalin-era sources' }).click()
		await instructor.getByRole('link', { name: 'Import a document' }).click()
		const { readFile } = await import('node:fs/promises')
		const blogPost = await readFile(path.join(seedDir, 'on-stalin-parisar-2007.txt'), 'utf8')
		await instructor.getByLabel('Title').fill('On Stalin (Parisar, 2007)')
		await instructor.getByLabel('Paste the text').fill(blogPost)
		await instructor.getByLabel('Format of the pasted text').selectOption('txt')
		await instructor.getByRole('button', { name: 'Import' }).click()
		await instructor.getByRole('heading', { level: 1, name: 'On Stalin (Parisar, 2007)' }).waitFor()
		await expect.poll(() => instructor.locator('.document').textContent()).toContain('परिसर')
		expect(await instructor.locator('.document ol > li').count()).toBe(4)
		await audit(instructor, '13-document-blog')
		expect(errorsOf(instructor)).toEqual([])
	})

	test('the student reads both rendered documents', async () => {
		await student.goto('/')
		await student.getByRole('link', { name: 'Reading Stalin-era sources' }).click()
		await student.getByRole('link', { name: 'STALIN 1924 – 1953' }).click()
		await expect.poll(() => student.locator('.document').textContent()).toContain('“bourgeois specialists”')
		await student.goBack()
		await student.getByRole('link', { name: 'On Stalin (Parisar, 2007)' }).click()
		await expect.poll(() => student.locator('.document').textContent()).toContain('Dear Parisar')
		// A reviewer may read but not import.
		await student.goBack()
		expect(await student.getByRole('link', { name: 'Import a document' }).count()).toBe(0)
		await audit(student, '14-group-as-reviewer')
		expect(errorsOf(student)).toEqual([])
	})

	test('forms work with JavaScript turned off', async () => {
		const page = await newPage({ javaScriptEnabled: false })
		await page.goto('/signup')
		await page.getByLabel('Email').fill('nojs@example.org')
		await page.getByLabel('Display name').fill('No Script')
		await page.getByLabel('Password').fill('plain html forms')
		await page.getByRole('button', { name: 'Sign up' }).click()
		await page.getByRole('heading', { name: 'Your groups' }).waitFor()
		await page.getByRole('button', { name: 'Log out' }).click()
		await page.getByRole('link', { name: 'Log in' }).first().waitFor()
	})

	test('no page had a serious or critical accessibility violation', () => {
		expect(axeProblems).toEqual([])
	})
})
