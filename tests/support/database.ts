import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '#db/client.ts'

/**
 * A fresh, migrated database for one test file: an in-memory PGlite by
 * default, or, when DATABASE_URL is set, a new database created on that
 * server for this file alone and dropped on close.
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
	const serverUrl = process.env.DATABASE_URL
	if (!serverUrl) return openDatabase({})
	const name = `scholion_test_${randomBytes(6).toString('hex')}`
	await adminQuery(serverUrl, `create database ${name}`)
	const url = new URL(serverUrl)
	url.pathname = `/${name}`
	const handle = await openDatabase({ url: url.toString() })
	return {
		...handle,
		async close() {
			await handle.close()
			await adminQuery(serverUrl, `drop database if exists ${name} with (force)`)
		},
	}
}

async function adminQuery(url: string, sql: string) {
	const client = new pg.Client({ connectionString: url })
	await client.connect()
	try {
		await client.query(sql)
	} finally {
		await client.end()
	}
}
