import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { emailOutbox, signupAttempts, users } from '#db/schema/index.ts'
import { signupLimits } from '#app/utils/account-limits.server.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

// The app believes X-Forwarded-For from the loopback address (TRUST_PROXY=loopback),
// so each test signs up from addresses of its own.
let app: TestApp
const ada = { email: 'ada@example.org', name: 'Ada Lovelace', password: 'correct horse battery' }

beforeAll(async () => {
	app = await startTestApp({ trustProxy: ['loopback'] })
	await signUp(app.url, ada)
})
afterAll(() => app?.close())

async function signUpFrom(address: string, fields: Record<string, string>, path = '/signup') {
	const client = new FormClient(app.url)
	const response = await client.post(path, fields, { 'X-Forwarded-For': address })
	return { client, response, body: await response.text() }
}

/** The per-response CSP nonce (server/security-headers.ts), random by design, masked wherever it appears. */
function maskNonce(text: string) {
	return text.replace(/nonce-[A-Za-z0-9+/=_-]+/g, 'nonce-<nonce>').replace(/nonce="[^"]*"/g, 'nonce="<nonce>"')
}

/** Everything a client sees of an answer, with what is random by design (the cookie's token, the date, the nonce) masked. */
function observable({ response, body }: { response: Response; body: string }) {
	const headers = [...response.headers]
		.filter(([name]) => name !== 'date' && name !== 'set-cookie')
		.map(([name, value]) => maskNonce(`${name}: ${value}`))
	const cookies = response.headers.getSetCookie().map((c) => c.replace(/^scholion_session=[^;]+/, 'scholion_session=<token>'))
	return { status: response.status, headers, cookies, body: maskNonce(body) }
}

async function userCount() {
	const [row] = await app.database.db.select({ n: count() }).from(users)
	return row!.n
}

describe('sign-up does not tell whether an email is registered', () => {
	test.each([
		['a form post (no JavaScript)', '/signup'],
		["the app's own fetch (single fetch, JavaScript on)", '/signup.data'],
	])('through %s an existing email gets the same answer as a new one, and its owner an email', async (_how, path) => {
		const adaBefore = (await app.database.db.select().from(users).where(eq(users.email, ada.email)))[0]!
		const usersBefore = await userCount()
		const tag = path === '/signup' ? 'form' : 'fetch'
		const fresh = await signUpFrom('198.51.100.1', { email: `newcomer-${tag}@example.org`, name: 'New Comer', password: 'a fine new password' }, path)
		const taken = await signUpFrom('198.51.100.2', { email: ' ADA@example.org ', name: 'New Comer', password: 'a fine new password' }, path)

		expect(fresh.response.status).toBeLessThan(400)
		expect(observable(taken)).toEqual(observable(fresh))
		expect(taken.response.headers.getSetCookie()).toHaveLength(1)

		// The new email has an account; the taken one is untouched, with no second account.
		expect(await userCount()).toBe(usersBefore + 1)
		const adaAfter = (await app.database.db.select().from(users).where(eq(users.email, ada.email)))[0]!
		expect(adaAfter).toEqual(adaBefore)

		// The owner is told, in the outbox (no SMTP_URL in tests).
		const mail = await app.database.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, ada.email))
		expect(mail.length).toBeGreaterThan(0)
		const last = mail.at(-1)!
		expect(last.recipientId).toBe(adaBefore.id)
		expect(last.subject).toBe('Someone tried to sign up to Scholion with your email')
		expect(last.text).toContain(`${app.url}/login`)
		expect(last.text).not.toContain('a fine new password')
		// The new account's address got no such email.
		expect(await app.database.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, `newcomer-${tag}@example.org`))).toEqual([])
	})

	test('the cookie given for a taken email signs nobody in (least of all as its owner)', async () => {
		const taken = await signUpFrom('198.51.100.3', { email: ada.email, name: 'Mallory', password: 'mallorys password' })
		const home = await taken.client.get('/groups/new')
		expect(home.status).toBe(302)
		expect(home.headers.get('Location')).toMatch(/^\/login\?redirectTo=/)
		// Three sign-ups with Ada's email so far in this file, one email: the form cannot flood her.
		const mail = await app.database.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, ada.email))
		expect(mail).toHaveLength(1)
	})

	test('form mistakes are still shown, alike for new and taken emails', async () => {
		const fresh = await signUpFrom('198.51.100.4', { email: 'short@example.org', name: 'Short', password: 'short' })
		const taken = await signUpFrom('198.51.100.4', { email: ada.email, name: 'Short', password: 'short' })
		for (const answer of [fresh, taken]) {
			expect(answer.response.status).toBe(400)
			expect(answer.body).toContain('Use at least 8 characters for your password.')
		}
		expect(maskNonce(taken.body.replaceAll(ada.email, 'short@example.org'))).toBe(maskNonce(fresh.body))
	})
})

describe('sign-ups per address', () => {
	test(`one address makes at most ${signupLimits.perAddress} an hour, then waits (429, Retry-After); others are unaffected`, async () => {
		const address = '203.0.113.9'
		const before = await userCount()
		for (let i = 1; i <= signupLimits.perAddress; i++) {
			const answer = await signUpFrom(address, { email: `bulk-${i}@example.org`, name: `Bulk ${i}`, password: 'bulk account password' })
			expect(answer.response.status, `sign-up ${i}`).toBe(302)
		}
		// A taken email counts like any other, or it would be a free probe.
		const refused = await signUpFrom(address, { email: 'bulk-over@example.org', name: 'Bulk Over', password: 'bulk account password' })
		expect(refused.response.status).toBe(429)
		const retryAfter = Number(refused.response.headers.get('Retry-After'))
		expect(retryAfter).toBeGreaterThan(0)
		expect(retryAfter).toBeLessThanOrEqual(signupLimits.windowMinutes * 60)
		expect(refused.body).toMatch(/Too many sign-ups from here\. Wait \d+ minutes and try again\./)
		// What was typed is kept, the password is not, and nothing was created.
		expect(refused.body).toContain('value="bulk-over@example.org"')
		expect(refused.body).not.toContain('bulk account password')
		expect(refused.response.headers.getSetCookie()).toEqual([])
		expect(await userCount()).toBe(before + signupLimits.perAddress)
		expect(await app.database.db.select().from(users).where(eq(users.email, 'bulk-over@example.org'))).toEqual([])

		const elsewhere = await signUpFrom('203.0.113.10', { email: 'elsewhere@example.org', name: 'Else Where', password: 'bulk account password' })
		expect(elsewhere.response.status).toBe(302)
		expect((await fetch(new URL('/healthz', app.url))).status).toBe(200)
	})

	test('a parallel burst from one address creates no more accounts than the limit', async () => {
		const address = '203.0.113.11'
		const answers = await Promise.all(
			Array.from({ length: signupLimits.perAddress + 10 }, (_, i) =>
				signUpFrom(address, { email: `burst-${i}@example.org`, name: `Burst ${i}`, password: 'burst account password' }),
			),
		)
		const created = answers.filter((a) => a.response.status === 302).length
		expect(created).toBeGreaterThan(0)
		expect(created).toBeLessThanOrEqual(signupLimits.perAddress)
		expect(answers.filter((a) => a.response.status === 429).length).toBe(answers.length - created)
		// Refused sign-ups are not counted: only what was created stands against the address.
		const rows = await app.database.db.select().from(signupAttempts).where(eq(signupAttempts.address, address))
		expect(rows).toHaveLength(created)
	})
})
