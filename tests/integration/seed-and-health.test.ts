import { count } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '#db/client.ts'
import { documentSnapshots, documents, groups, memberships, users } from '#db/schema/index.ts'
import { demoAccounts, demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { createTestDatabase } from '#tests/support/database.ts'
import { FormClient } from '#tests/support/http-client.ts'

let database: DatabaseHandle
let app: TestApp
const seedRuns: { created: boolean }[] = []
const countsAfterRun: Record<string, number>[] = []

async function rowCounts(db: DatabaseHandle['db']) {
	const tables = { users, groups, memberships, documents, documentSnapshots }
	const counts: Record<string, number> = {}
	for (const [name, table] of Object.entries(tables)) {
		const [row] = await db.select({ n: count() }).from(table)
		counts[name] = row!.n
	}
	return counts
}

beforeAll(async () => {
	database = await createTestDatabase()
	for (let run = 0; run < 2; run++) {
		seedRuns.push(await seedDemo(database.db))
		countsAfterRun.push(await rowCounts(database.db))
	}
	// The app takes over the seeded database and closes it with itself.
	app = await startTestApp({ database })
})
afterAll(() => app?.close())

/** The page's HTML without the empty comments React puts between adjacent text nodes. */
async function body(response: Response) {
	return (await response.text()).replaceAll('<!-- -->', '')
}

async function logInAs(email: string) {
	const client = new FormClient(app.url)
	const response = await client.post('/login', { email, password: demoPassword })
	return { client, response }
}

describe('the demo seed', () => {
	test('is idempotent: a second run on the same database creates nothing and changes no counts', () => {
		expect(seedRuns).toEqual([{ created: true }, { created: false }])
		expect(countsAfterRun[1]).toEqual(countsAfterRun[0])
		expect(countsAfterRun[0]).toEqual({
			users: demoAccounts.length,
			groups: Object.keys(demoGroups).length,
			memberships: demoAccounts.length * Object.keys(demoGroups).length,
			documents: demoDocuments.length,
			documentSnapshots: demoDocuments.length,
		})
	})

	test.each(demoAccounts)('$email logs in through the login form with the demo password', async ({ email }) => {
		const { client, response } = await logInAs(email)
		expect(response.status).toBe(302)
		expect(response.headers.get('Location')).toBe('/')
		expect(client.cookie('scholion_session')).toBeTruthy()
		const home = await body(await client.get('/'))
		expect(home).toContain('Your groups')
		for (const group of Object.values(demoGroups)) expect(home).toContain(group.name)
	})

	test.each(demoAccounts)('$email sees the demo documents in their groups as a $role', async ({ email, role }) => {
		const { client } = await logInAs(email)
		for (const [key, group] of Object.entries(demoGroups)) {
			const html = await body(await client.get(`/groups/${group.id}`))
			expect(html).toContain(`<h1>${group.name}</h1>`)
			expect(html).toContain(`You are ${role === 'owner' ? 'an' : 'a'} ${role}.`)
			for (const document of demoDocuments) {
				const link = `href="/documents/${document.id}">${document.title}</a>`
				if (document.group === key) expect(html).toContain(link)
				else expect(html).not.toContain(link)
			}
		}
	})

	test('a demo document opens with its text', async () => {
		const { client } = await logInAs('reader@scholion.test')
		const essay = await client.get(`/documents/${demoDocuments[0].id}`)
		expect(essay.status).toBe(200)
		const html = await body(essay)
		expect(html).toContain(demoDocuments[0].title)
		expect(html).toContain('Cheka under new name NKVD and new leaders')
		const post = await body(await client.get(`/documents/${demoDocuments[1].id}`))
		expect(post).toContain('परिसर')
	})
})

describe('GET /healthz', () => {
	test('answers 200 with JSON naming the kind of database', async () => {
		const response = await fetch(new URL('/healthz', app.url))
		expect(response.status).toBe(200)
		expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
		const health = (await response.json()) as { status: string; database: string }
		expect(health.status).toBe('ok')
		expect(health.database).toBe(process.env.DATABASE_URL ? 'postgresql' : 'pglite')
	})
})
