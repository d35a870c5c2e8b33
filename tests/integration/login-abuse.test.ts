import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loginAttempts } from '#db/schema/index.ts'
import { readEnv } from '#server/env.ts'
import { delayAfterFailures, loginLimits } from '#app/utils/account-limits.server.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

// The app believes X-Forwarded-For from the loopback address, as it would
// from a reverse proxy on the same machine (TRUST_PROXY=loopback): the test
// plays both the proxy and the clients behind it.
let app: TestApp
const password = 'correct horse battery'
const owner = { email: 'owner@example.org', name: 'Olive Owner', password }

beforeAll(async () => {
	app = await startTestApp({ trustProxy: ['loopback'] })
	await signUp(app.url, owner)
})
afterAll(() => app?.close())

async function logInFrom(address: string | null, email: string, pw: string, target = app) {
	const client = new FormClient(target.url)
	const headers: Record<string, string> = address ? { 'X-Forwarded-For': address } : {}
	const response = await client.post('/login', { email, password: pw }, headers)
	const retryAfter = response.headers.get('Retry-After')
	return { client, response, status: response.status, retryAfter: retryAfter === null ? null : Number(retryAfter), html: await response.text() }
}

/** Moves an account's recorded attempts `seconds` into the past: the wait it was told, without sleeping through it. */
async function letTimePass(email: string, seconds: number, target = app) {
	await target.database.db
		.update(loginAttempts)
		.set({ at: sql`${loginAttempts.at} - make_interval(secs => ${seconds})` })
		.where(eq(loginAttempts.email, email))
}

async function healthy(target = app) {
	const response = await fetch(new URL('/healthz', target.url))
	return response.status
}

describe('wrong passwords slow the guesser, not the owner', () => {
	test('6 wrong passwords from one address: growing waits for that address, the owner still logs in from another', async () => {
		const attacker = '203.0.113.7'
		const waits: number[] = []
		let checked = 0
		for (let guess = 1; checked < 6; guess++) {
			const attempt = await logInFrom(attacker, owner.email, `guess number ${guess}`)
			if (attempt.status === 400) {
				checked++
				expect(attempt.html).toContain('That email and password do not match an account.')
				continue
			}
			// Refused unchecked, with the wait in Retry-After and on the page.
			expect(attempt.status).toBe(429)
			expect(attempt.retryAfter).toBeGreaterThan(0)
			expect(attempt.html).toMatch(/Too many failed logins from here\. Wait \d+ (seconds?|minutes) and try again\./)
			expect(attempt.response.headers.getSetCookie()).toEqual([])
			waits.push(attempt.retryAfter!)
			await letTimePass(owner.email, attempt.retryAfter!)
		}
		// 3 free failures, then 2, 4, 8 s before the 4th, 5th and 6th were checked.
		expect(waits).toHaveLength(6 - loginLimits.freeFailures)
		for (let i = 0; i < waits.length; i++) {
			const delay = delayAfterFailures(loginLimits.freeFailures + i)
			expect(waits[i]).toBeLessThanOrEqual(delay)
			expect(waits[i]).toBeGreaterThan(delay / 2)
		}
		expect(waits).toEqual([...waits].sort((a, b) => a - b))

		// The attacker's next try waits longer still, even with the right password.
		const right = await logInFrom(attacker, owner.email, owner.password)
		expect(right.status).toBe(429)
		expect(right.retryAfter).toBeGreaterThan(waits.at(-1)!)
		expect(right.response.headers.getSetCookie()).toEqual([])

		// The owner, from their own address, is not slowed at all.
		const mine = await logInFrom('198.51.100.2', owner.email, owner.password)
		expect(mine.status).toBe(302)
		expect(mine.client.cookie('scholion_session')).toBeTruthy()
		// The addresses counted are the clients', not the proxy's.
		const rows = await app.database.db.select({ address: loginAttempts.address }).from(loginAttempts).where(eq(loginAttempts.email, owner.email))
		expect(new Set(rows.map((r) => r.address))).toEqual(new Set(['203.0.113.7', '198.51.100.2']))
		expect(await healthy()).toBe(200)
	})

	test('a burst of 30 parallel guesses from one address gets the free failures checked, and any more only after their waits', async () => {
		const target = { email: 'burst@example.org', name: 'Bea Burst' }
		await signUp(app.url, target)
		const responses = await Promise.all(
			Array.from({ length: 30 }, (_, i) => logInFrom('203.0.113.8', target.email, `parallel guess ${i}`)),
		)
		const checked = responses.filter((r) => r.status === 400).length
		const refused = responses.filter((r) => r.status === 429)
		expect(checked).toBeGreaterThanOrEqual(1)
		expect(refused.length).toBeGreaterThan(0)
		expect(checked + refused.length).toBe(30)
		for (const r of refused) expect(r.retryAfter).toBeGreaterThan(0)
		// Refused attempts are not stored as failures: only the checked ones count. A burst
		// that outlasts a wait may get one more checked, but never sooner than the rule says.
		const rows = await app.database.db.select().from(loginAttempts).where(eq(loginAttempts.email, target.email))
		expect(rows).toHaveLength(checked)
		const times = rows.map((r) => r.at.getTime()).sort((a, b) => a - b)
		for (let i = loginLimits.freeFailures; i < times.length; i++) {
			expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(delayAfterFailures(i) * 1000)
		}
		expect((await logInFrom('198.51.100.3', target.email, password)).status).toBe(302)
	})

	test('guesses spread over many addresses slow new addresses a little, never one the owner used before', async () => {
		const target = { email: 'spread@example.org', name: 'Sam Spread' }
		await signUp(app.url, target)
		// The owner logged in from home once.
		expect((await logInFrom('198.51.100.20', target.email, password)).status).toBe(302)
		for (let i = 0; i < loginLimits.accountFailures; i++) {
			expect((await logInFrom(`192.0.2.${i + 1}`, target.email, `botnet guess ${i}`)).status).toBe(400)
		}
		const fromNewAddress = await logInFrom('192.0.2.200', target.email, 'yet another guess')
		expect(fromNewAddress.status).toBe(429)
		expect(fromNewAddress.retryAfter).toBeGreaterThan(0)
		expect(fromNewAddress.retryAfter).toBeLessThanOrEqual(loginLimits.unknownAddressSpacingSeconds)
		const fromHome = await logInFrom('198.51.100.20', target.email, password)
		expect(fromHome.status).toBe(302)
	})
})

describe('the per-address ceiling on the real client address', () => {
	test('one client spraying many accounts through the trusted proxy is stopped; other clients of the proxy are not', async () => {
		const sprayer = '203.0.113.50'
		for (let i = 1; i <= loginLimits.addressFailures; i++) {
			const attempt = await logInFrom(sprayer, `sprayed-${i}@example.org`, 'Winter2024!')
			expect(attempt.status, `attempt ${i}`).toBe(400)
		}
		const next = await logInFrom(sprayer, 'sprayed-next@example.org', 'Winter2024!')
		expect(next.status).toBe(429)
		expect(next.retryAfter).toBeGreaterThan(0)
		expect(next.retryAfter).toBeLessThanOrEqual(loginLimits.addressWindowMinutes * 60)
		// Even a real account's right password waits at that address...
		expect((await logInFrom(sprayer, owner.email, owner.password)).status).toBe(429)
		// ...while everyone else behind the same proxy logs in as usual.
		const neighbour = await logInFrom('203.0.113.51', owner.email, owner.password)
		expect(neighbour.status).toBe(302)
		expect(await healthy()).toBe(200)
	})

	test('from a peer that is not a trusted proxy, X-Forwarded-For is ignored: changing it does not dodge the limits', async () => {
		// TRUST_PROXY names a proxy that is not the test's address.
		const direct = await startTestApp({ trustProxy: ['10.9.8.7'] })
		try {
			const target = { email: 'direct@example.org', name: 'Dee Rect' }
			await signUp(direct.url, target)
			const statuses: number[] = []
			for (let i = 1; i <= loginLimits.freeFailures + 1; i++) {
				statuses.push((await logInFrom(`203.0.113.${100 + i}`, target.email, `spoofed guess ${i}`, direct)).status)
			}
			expect(statuses).toEqual([...Array<number>(loginLimits.freeFailures).fill(400), 429])
			const rows = await direct.database.db.select({ address: loginAttempts.address }).from(loginAttempts).where(eq(loginAttempts.email, target.email))
			expect(new Set(rows.map((r) => r.address))).toEqual(new Set(['127.0.0.1']))
		} finally {
			await direct.close()
		}
	})

	test('TRUST_PROXY reads as a hop count or a list of proxies, and refuses true', () => {
		expect(readEnv({ NODE_ENV: 'production', TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1)
		expect(readEnv({ NODE_ENV: 'production', TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8'])
		expect(readEnv({ NODE_ENV: 'production' }).TRUST_PROXY).toBeUndefined()
		expect(() => readEnv({ NODE_ENV: 'production', TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/)
	})

	test('a TRUST_PROXY that is not an address stops the start with a message naming it', async () => {
		// Given this file's database, which the start refuses before touching.
		await expect(startTestApp({ trustProxy: ['not-an-address'], database: app.database })).rejects.toThrow(/TRUST_PROXY/)
	})
})

describe('what the limits leave alone', () => {
	test('logging in clears the account\'s own count at that address', async () => {
		const target = { email: 'typo@example.org', name: 'Ty Po' }
		await signUp(app.url, target)
		const home = '198.51.100.30'
		for (let i = 0; i < loginLimits.freeFailures; i++) expect((await logInFrom(home, target.email, `typo ${i}`)).status).toBe(400)
		// A wait, then the right password.
		const refused = await logInFrom(home, target.email, password)
		expect(refused.status).toBe(429)
		await letTimePass(target.email, refused.retryAfter!)
		expect((await logInFrom(home, target.email, password)).status).toBe(302)
		// Typos afterwards start from zero again.
		expect((await logInFrom(home, target.email, 'one more typo')).status).toBe(400)
		const failures = await app.database.db
			.select()
			.from(loginAttempts)
			.where(and(eq(loginAttempts.email, target.email), eq(loginAttempts.succeeded, false)))
		expect(failures.length).toBe(loginLimits.freeFailures + 1)
		expect((await logInFrom(home, target.email, password)).status).toBe(302)
	})
})
