import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import * as schema from './schema/index.ts'

export type Schema = typeof schema
/** The one database type the app uses: PGlite and node-postgres both satisfy it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

export interface DatabaseHandle {
	db: Database
	/** `pglite` for the embedded database, `postgresql` for a server. */
	kind: 'pglite' | 'postgresql'
	/** Where the data lives, without credentials: a folder, `memory`, or host/database. */
	location: string
	close(): Promise<void>
}

export interface OpenDatabaseOptions {
	/** A postgres:// URL. When absent the embedded PGlite is used. */
	url?: string
	/** PGlite's data folder; omitted means in memory (tests). */
	dataDir?: string
	/** Apply committed migrations before returning (default true). */
	migrate?: boolean
}

/**
 * Opens the database named by the options and brings its schema up to date.
 * The same drizzle schema, migrations and queries serve both drivers.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
	const shouldMigrate = options.migrate ?? true
	if (options.url) {
		const pool = new pg.Pool({ connectionString: options.url, max: 10 })
		// An idle client that loses its connection emits 'error' on the pool; without
		// a listener that would crash the process instead of failing one query.
		pool.on('error', (error) => console.error('[db] idle client error:', error.message))
		const db = drizzlePg(pool, { schema }) as unknown as Database
		if (shouldMigrate) await migratePg(db as never, { migrationsFolder })
		const parsed = new URL(options.url)
		return {
			db,
			kind: 'postgresql',
			location: `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`,
			close: () => pool.end(),
		}
	}
	const client = options.dataDir ? new PGlite(options.dataDir) : new PGlite()
	await client.waitReady
	const db = drizzlePglite(client, { schema }) as unknown as Database
	if (shouldMigrate) await migratePglite(db as never, { migrationsFolder })
	return {
		db,
		kind: 'pglite',
		location: options.dataDir ?? 'memory',
		close: () => client.close(),
	}
}
