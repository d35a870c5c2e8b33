import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { groups, loginAttempts, sessions, users } from '#db/schema/index.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

// Another site's page can make a signed-in visitor's browser post a form to
// Scholion. The server refuses any state-changing request that does not say
// it comes from Scholion's own origin, before Remix or the database see it.

let app: TestApp
let member: FormClient
const evil = 'https://evil.example'

beforeAll(async () => {
	app = await startTestApp()
	member = await signUp(app.url, { email: 'member@example.org', name: 'Mem Ber' })
})
afterAll(() => app?.close())

/** A form post with exactly these headers: no Origin unless given. */
function postForm(path: string, fields: Record<string, string>, headers: Record<string, string>, client = new FormClient(app.url)) {
	return client.request(path, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(fields).toString(),
	})
}

async function rows(table: typeof users | typeof loginAttempts | typeof groups) {
	const [row] = await app.database.db.select({ n: count() }).from(table)
	return row!.n
}

const signupFields = (email: string) => ({ email, name: 'Mallory', password: 'long-enough-secret' })

describe('a state-changing request from another site', () => {
	test('POST /signup with Origin: https://evil.example is refused with 403 and creates no account', async () => {
		const response = await postForm('/signup', signupFields('csrf-signup@example.org'), { Origin: evil })
		expect(response.status).toBe(403)
		expect(await response.text()).toContain(`Requests from ${evil} may not change anything`)
		expect(response.headers.getSetCookie()).toEqual([])
		const [user] = await app.database.db.select().from(users).where(eq(users.email, 'csrf-signup@example.org'))
		expect(user).toBeUndefined()
	})

	test('POST /login with Origin: https://evil.example is refused with 403 and records no login attempt', async () => {
		const before = await rows(loginAttempts)
		const response = await postForm(
			'/login',
			{ email: 'member@example.org', password: 'correct horse battery' },
			{ Origin: evil },
		)
		expect(response.status).toBe(403)
		expect(response.headers.getSetCookie()).toEqual([])
		expect(await rows(loginAttempts)).toBe(before)
	})

	test('a cross-site Referer without Origin is refused too', async () => {
		const response = await postForm('/signup', signupFields('csrf-referer@example.org'), {
			Referer: `${evil}/page-with-a-hidden-form`,
		})
		expect(response.status).toBe(403)
		const [user] = await app.database.db.select().from(users).where(eq(users.email, 'csrf-referer@example.org'))
		expect(user).toBeUndefined()
	})

	test('another site cannot log a member out or create a group with their cookie', async () => {
		const [memberRow] = await app.database.db.select().from(users).where(eq(users.email, 'member@example.org'))
		const [sessionsBefore] = await app.database.db
			.select({ n: count() })
			.from(sessions)
			.where(eq(sessions.userId, memberRow!.id))
		const groupsBefore = await rows(groups)

		const logout = await postForm('/logout', {}, { Origin: evil }, member)
		expect(logout.status).toBe(403)
		const create = await postForm('/groups/new', { name: 'Planted', kind: 'community', description: '' }, { Origin: evil }, member)
		expect(create.status).toBe(403)

		const [sessionsAfter] = await app.database.db
			.select({ n: count() })
			.from(sessions)
			.where(eq(sessions.userId, memberRow!.id))
		expect(sessionsAfter!.n).toBe(sessionsBefore!.n)
		expect(await rows(groups)).toBe(groupsBefore)
		expect((await member.get('/groups/new')).status).toBe(200)
	})
})

describe('a request that does not say where it comes from', () => {
	test('with neither Origin nor Referer is refused with 403', async () => {
		const before = await rows(loginAttempts)
		const login = await postForm('/login', { email: 'member@example.org', password: 'wrong password' }, {})
		expect(login.status).toBe(403)
		expect(await login.text()).toContain('no Origin header')
		const signup = await postForm('/signup', signupFields('csrf-none@example.org'), {})
		expect(signup.status).toBe(403)
		expect(await rows(loginAttempts)).toBe(before)
		const [user] = await app.database.db.select().from(users).where(eq(users.email, 'csrf-none@example.org'))
		expect(user).toBeUndefined()
	})

	test('with Origin: null (a sandboxed or privacy-stripped request) and no Referer is refused', async () => {
		const response = await postForm('/signup', signupFields('csrf-null@example.org'), { Origin: 'null' })
		expect(response.status).toBe(403)
	})
})

describe('requests from Scholion itself', () => {
	test('a same-origin Referer without Origin is allowed: the sign-up goes through', async () => {
		const client = new FormClient(app.url)
		const response = await postForm('/signup', signupFields('csrf-same@example.org'), { Referer: `${app.origin}/signup` }, client)
		expect(response.status).toBe(302)
		expect(response.headers.get('Location')).toBe('/')
		const [user] = await app.database.db.select().from(users).where(eq(users.email, 'csrf-same@example.org'))
		expect(user?.name).toBe('Mallory')
		expect((await client.get('/groups/new')).status).toBe(200)
	})

	test('a same-origin Origin is allowed: the login form answers with its own message', async () => {
		const response = await new FormClient(app.url).post('/login', { email: 'member@example.org', password: 'wrong password' })
		expect(response.status).toBe(400)
		expect(await response.text()).toContain('That email and password do not match an account.')
	})

	test('GET requests are not affected, whatever their Origin', async () => {
		const client = new FormClient(app.url)
		const variants: Record<string, string>[] = [{ Origin: evil }, { Referer: `${evil}/` }, {}]
		for (const headers of variants) {
			const login = await client.get('/login', headers)
			expect(login.status).toBe(200)
			expect(await login.text()).toContain('Log in to Scholion')
			expect((await client.get('/signup', headers)).status).toBe(200)
			expect((await client.get('/healthz', headers)).status).toBe(200)
		}
	})
})
