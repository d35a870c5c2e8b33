import { createHash } from 'node:crypto'
import { sessionTokenFrom } from '#server/session-cookie.ts'
import { and, count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loginAttempts, sessions, users } from '#db/schema/index.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'
import { loginLimits } from '#app/utils/account-limits.server.ts'

// One app and database for the file; argon2 makes every sign-up and login
// cost real time, so accounts are shared where no test depends on their state.
// The login tests share one client address (127.0.0.1), so their order matters:
// the spray across many accounts, which stops that address, runs last. Abuse
// from several addresses (behind a trusted proxy) is in login-abuse.test.ts
// and signup-abuse.test.ts.

let app: TestApp
const password = 'correct horse battery'
const ada = { email: 'ada@example.org', name: 'Ada Lovelace', password }

beforeAll(async () => {
	app = await startTestApp()
	await signUp(app.url, ada)
})
afterAll(() => app?.close())

const genericLoginError = 'That email and password do not match an account.'
const tooManyAttempts = /Too many failed logins from here\. Wait \d+ (seconds?|minutes) and try again\./

async function userByEmail(email: string) {
	const [user] = await app.database.db.select().from(users).where(eq(users.email, email))
	return user ?? null
}

async function sessionCount(userId: string) {
	const [row] = await app.database.db.select({ n: count() }).from(sessions).where(eq(sessions.userId, userId))
	return row?.n ?? 0
}

async function logIn(email: string, pw: string, extra: Record<string, string> = {}) {
	const client = new FormClient(app.url)
	const response = await client.post('/login', { email, password: pw, ...extra })
	return { client, response, html: await response.text() }
}

/** Whether a request carrying this client's cookies is treated as signed in. */
async function isSignedIn(client: FormClient) {
	const response = await client.get('/groups/new')
	if (response.status === 200) return true
	expect(response.status).toBe(302)
	expect(response.headers.get('Location')).toMatch(/^\/login\?redirectTo=/)
	return false
}

describe('signing up', () => {
	test('starts a session in an HttpOnly, SameSite=Lax cookie whose token the database stores only as a SHA-256', async () => {
		const client = new FormClient(app.url)
		const response = await client.post('/signup', { email: 'Grace@Example.org', name: 'Grace Hopper', password })
		expect(response.status).toBe(302)
		expect(response.headers.get('Location')).toBe('/')

		const [setCookie] = response.headers.getSetCookie()
		expect(setCookie).toMatch(/^scholion_session=/)
		expect(setCookie).toMatch(/;\s*HttpOnly/i)
		expect(setCookie).toMatch(/;\s*SameSite=Lax/i)
		expect(setCookie).toMatch(/;\s*Path=\//i)
		expect(await isSignedIn(client)).toBe(true)

		const cookieValue = client.cookie('scholion_session')!
		const token = await sessionTokenFrom(`scholion_session=${cookieValue}`)
		expect(typeof token).toBe('string')
		expect((token as string).length).toBeGreaterThanOrEqual(32)

		// The email is stored normalized, so Grace can log in however she capitalizes it.
		const user = await userByEmail('grace@example.org')
		expect(user).not.toBeNull()
		const stored = await app.database.db.select().from(sessions).where(eq(sessions.userId, user!.id))
		expect(stored).toHaveLength(1)
		expect(stored[0]!.tokenHash).toBe(createHash('sha256').update(token as string).digest('hex'))
		const everything = JSON.stringify(stored)
		expect(everything).not.toContain(token as string)
		expect(everything).not.toContain(cookieValue)
	})

	test('stores an argon2id hash of the password, never the password', async () => {
		const user = await userByEmail(ada.email)
		expect(user!.passwordHash).toMatch(/^\$argon2id\$/)
		expect(user!.passwordHash).not.toContain(password)
	})

	const refusals = [
		{
			problem: 'a malformed email',
			fields: { email: 'ada-at-example.org', name: 'Ada Byron', password: 'long-enough-secret' },
			message: 'Enter an email address like name@example.org.',
		},
		{
			problem: 'a short password',
			fields: { email: 'short@example.org', name: 'Short Pass', password: 'Sh0rt!x' },
			message: 'Use at least 8 characters for your password.',
		},
		{
			problem: 'an empty name',
			fields: { email: 'noname@example.org', name: '   ', password: 'long-enough-secret' },
			message: 'Enter the name others will see.',
		},
	]

	// An email that already has an account is not refused: the form answers as if it had
	// worked and tells the owner by email (signup-abuse.test.ts).
	test.each(refusals)('with $problem answers 400, says why and keeps what was typed except the password', async ({ fields, message }) => {
		const client = new FormClient(app.url)
		const [before] = await app.database.db.select({ n: count() }).from(users)
		const response = await client.post('/signup', fields)
		expect(response.status).toBe(400)
		const html = await response.text()
		expect(html).toContain(message)
		expect(html).toContain(`value="${fields.email}"`)
		if (fields.name.trim()) expect(html).toContain(`value="${fields.name}"`)
		expect(html).not.toContain(fields.password)
		expect(response.headers.getSetCookie()).toEqual([])
		const [after] = await app.database.db.select({ n: count() }).from(users)
		expect(after!.n).toBe(before!.n)
	})
})

describe('logging in', () => {
	test('a wrong password and an unknown email get the same single message', async () => {
		const wrong = await logIn(ada.email, 'not the password')
		const unknown = await logIn('nobody@example.org', password)
		for (const { response, html } of [wrong, unknown]) {
			expect(response.status).toBe(400)
			expect(html).toContain(genericLoginError)
			expect(html).not.toContain('not the password')
			expect(response.headers.getSetCookie()).toEqual([])
		}
		expect(wrong.html).toContain(`value="${ada.email}"`)
	})

	test('goes to a path on this site named by redirectTo', async () => {
		const { response, client } = await logIn(ada.email, password, { redirectTo: '/groups/new' })
		expect(response.status).toBe(302)
		expect(response.headers.get('Location')).toBe('/groups/new')
		expect(await isSignedIn(client)).toBe(true)
	})

	// A browser drops tabs and newlines inside a URL, so `/\t/evil.example` would lead to //evil.example.
	test.each(['https://evil.example', '//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/\t\\evil.example'])(
		'does not follow redirectTo=%j off the site but goes home',
		async (redirectTo) => {
			const { response } = await logIn(ada.email, password, { redirectTo })
			expect(response.status).toBe(302)
			expect(response.headers.get('Location')).toBe('/')
		},
	)
})

describe('logging out', () => {
	test('POST /logout ends the session, so the old cookie no longer signs anyone in', async () => {
		const { client } = await logIn(ada.email, password)
		const user = await userByEmail(ada.email)
		const oldCookie = client.cookieHeader
		const sessionsBefore = await sessionCount(user!.id)

		const response = await client.post('/logout', {})
		expect(response.status).toBe(302)
		expect(response.headers.get('Location')).toBe('/')
		expect(response.headers.getSetCookie()[0]).toMatch(/^scholion_session=;.*Max-Age=0/i)
		expect(await sessionCount(user!.id)).toBe(sessionsBefore - 1)

		// Someone who kept a copy of the cookie is not signed in with it either.
		const replay = new FormClient(app.url)
		const page = await replay.get('/groups/new', { Cookie: oldCookie })
		expect(page.status).toBe(302)
		expect(page.headers.get('Location')).toMatch(/^\/login\?redirectTo=/)
	})

	test('GET /logout only shows the button; a link or prefetch does not log anyone out', async () => {
		const { client } = await logIn(ada.email, password)
		const user = await userByEmail(ada.email)
		const sessionsBefore = await sessionCount(user!.id)

		const response = await client.get('/logout')
		expect(response.status).toBe(200)
		expect(await response.text()).toContain('Log out')
		expect(response.headers.getSetCookie()).toEqual([])
		expect(await sessionCount(user!.id)).toBe(sessionsBefore)
		expect(await isSignedIn(client)).toBe(true)
	})
})

describe('the login rate limit', () => {
	test(`after ${loginLimits.freeFailures} failures at one account from one address even the right password waits there (429, Retry-After), while another account still logs in`, async () => {
		const victim = { email: 'victim@example.org', name: 'Vic Tim', password: 'victims-real-password' }
		await signUp(app.url, victim)
		for (let attempt = 1; attempt <= loginLimits.freeFailures; attempt++) {
			const { response, html } = await logIn(victim.email, `guess number ${attempt}`)
			expect(response.status, `attempt ${attempt}`).toBe(400)
			expect(html).toContain(genericLoginError)
		}
		const blocked = await logIn(victim.email, victim.password)
		expect(blocked.response.status).toBe(429)
		expect(Number(blocked.response.headers.get('Retry-After'))).toBeGreaterThan(0)
		expect(blocked.html).toMatch(tooManyAttempts)
		expect(blocked.response.headers.getSetCookie()).toEqual([])

		const other = await logIn(ada.email, password)
		expect(other.response.status).toBe(302)
		expect(await isSignedIn(other.client)).toBe(true)
	})

	// A burst of parallel guesses: login-abuse.test.ts.

	// Stops 127.0.0.1 for the rest of the file (except for accounts logged into from it): keep it last.
	test(`${loginLimits.addressFailures} failures from one address across many accounts block it for accounts it never logged into`, async () => {
		// Failures from this address earlier in the file count too; a success does not clear an address's count.
		const [earlier] = await app.database.db
			.select({ n: count() })
			.from(loginAttempts)
			.where(and(eq(loginAttempts.address, '127.0.0.1'), eq(loginAttempts.succeeded, false)))
		const remaining = loginLimits.addressFailures - earlier!.n
		expect(remaining).toBeGreaterThan(0)
		for (let attempt = 1; attempt <= remaining; attempt++) {
			const { response } = await logIn(`sprayed-${attempt}@example.org`, 'Winter2024!')
			expect(response.status, `attempt ${attempt}`).toBe(400)
		}
		const sprayed = await logIn('sprayed-next@example.org', 'Winter2024!')
		expect(sprayed.response.status).toBe(429)
		expect(Number(sprayed.response.headers.get('Retry-After'))).toBeGreaterThan(0)
		// Even the right password of a real account never logged into from here is refused, and no session starts.
		const newcomer = { email: 'newcomer@example.org', name: 'New Comer', password: 'newcomers-password' }
		await signUp(app.url, newcomer)
		const blocked = await logIn(newcomer.email, newcomer.password)
		expect(blocked.response.status).toBe(429)
		expect(blocked.html).toMatch(tooManyAttempts)
		expect(blocked.response.headers.getSetCookie().join(';')).not.toContain('scholion_session=')
		// Someone who shares the address and has logged in from it before is not stopped by the sprayer.
		const known = await logIn(ada.email, password)
		expect(known.response.status).toBe(302)
	})
})
