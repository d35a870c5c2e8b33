import { readFileSync } from 'node:fs'
import { count } from 'drizzle-orm'
import { afterEach, describe, expect, test } from 'vitest'
import { users } from '#db/schema/index.ts'
import { demoAccounts, demoPassword } from '#seeds/demo.ts'
import { FormClient } from '#tests/support/http-client.ts'
import { createProcessDatabase, freePort, startServerProcess, type ProcessDatabase, type ServerProcess } from '#tests/support/server-process.ts'

// The real process (server/main.ts) in production, as `npm start` runs it: the
// demo's accounts share a password printed in the README, so a production
// server makes them only when asked, and says so loudly when it holds them.

const warning = "WARNING: this production server's database holds the demo accounts"
const banner = 'This production server holds the demo accounts'

let server: ServerProcess | undefined
let database: ProcessDatabase | undefined
// A process's start on a busy machine takes a while (a build import, migrations, the seed).
afterEach(async () => {
	await server?.stop()
	await database?.remove()
	server = undefined
	database = undefined
})

async function userCount(db: ProcessDatabase) {
	const handle = await db.open()
	try {
		const [row] = await handle.db.select({ n: count() }).from(users)
		return row!.n
	} finally {
		await handle.close()
	}
}

describe('the demo in production', () => {
	test('npm start asks for the demo explicitly, so the README\'s first command still brings it up', () => {
		const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts
		expect(scripts.start).toMatch(/NODE_ENV=production SEED_DEMO=1 /)
		// And a production start that is not the demo does not.
		expect(scripts['start:production']).toMatch(/NODE_ENV=production /)
		expect(scripts['start:production']).not.toMatch(/SEED_DEMO/)
	})

	test('a production start that does not ask for the demo creates no account and warns of none', async () => {
		database = await createProcessDatabase({ seed: false })
		// SEED_DEMO unset (an empty value counts as unset), as an operator's production start would have it.
		server = await startServerProcess({ port: await freePort(), database, env: { SEED_DEMO: '' }, timeoutMs: 90_000 })
		expect((await fetch(new URL('/healthz', server.url))).status).toBe(200)
		// Nobody can sign in with the README's password.
		const attempt = await new FormClient(server.url).post('/login', { email: demoAccounts[0].email, password: demoPassword })
		expect(attempt.status).toBe(400)
		expect(server.output()).not.toContain(warning)
		expect(server.output()).not.toContain('Demo logins')
		expect(await server.stop()).toBe(0)
		expect(await userCount(database)).toBe(0)
	}, 180_000)

	test('a production server whose database holds the demo accounts warns in its log and on every signed-in page', async () => {
		// Seeded by the server itself with SEED_DEMO=1 (PGlite), or beforehand (PostgreSQL, as `npm run db:seed` does).
		database = await createProcessDatabase()
		server = await startServerProcess({ port: await freePort(), database, timeoutMs: 90_000 })
		const log = server.output()
		expect(log).toContain(warning)
		for (const account of demoAccounts) expect(log).toContain(account.email)

		// A visitor is not shown the way in.
		const visitor = await new FormClient(server.url).get('/login')
		expect(visitor.status).toBe(200)
		expect(await visitor.text()).not.toContain(banner)

		const client = new FormClient(server.url)
		expect((await client.post('/login', { email: demoAccounts[0].email, password: demoPassword })).status).toBe(302)
		for (const path of ['/', '/search', '/inbox']) {
			const page = await client.get(path)
			expect(page.status, path).toBe(200)
			expect(await page.text(), path).toContain(banner)
		}
		expect(await server.stop()).toBe(0)
		expect(await userCount(database)).toBe(demoAccounts.length)
	}, 180_000)
})
