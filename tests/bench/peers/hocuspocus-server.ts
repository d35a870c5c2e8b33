/**
 * The Hocuspocus peer of `npm run bench:peers`: @hocuspocus/server 4.x with
 * its Database extension storing each document's Yjs state into a table of
 * the bench's PostgreSQL database, every option at its default (store
 * debounced 2 s, at most 10 s). Run as a child process by peers/servers.ts:
 * `PORT=… DATABASE_URL=… node --import tsx tests/bench/peers/hocuspocus-server.ts`.
 */
import { Database } from '@hocuspocus/extension-database'
import { Server } from '@hocuspocus/server'
import pg from 'pg'

const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('DATABASE_URL is required')
const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
await pool.query('CREATE TABLE IF NOT EXISTS hocuspocus_documents (name text PRIMARY KEY, data bytea NOT NULL)')

const server = new Server({
	address: '127.0.0.1',
	port: Number(process.env.PORT ?? 0),
	quiet: true,
	extensions: [
		new Database({
			async fetch({ documentName }) {
				const result = await pool.query<{ data: Buffer }>('SELECT data FROM hocuspocus_documents WHERE name = $1', [documentName])
				const row = result.rows[0]
				return row ? new Uint8Array(row.data) : null
			},
			async store({ documentName, state }) {
				await pool.query(
					'INSERT INTO hocuspocus_documents (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data',
					[documentName, Buffer.from(state)],
				)
			},
		}),
	],
})
await server.listen()
console.log(`Hocuspocus is running at http://127.0.0.1:${server.address.port}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		void server
			.destroy()
			.then(() => pool.end())
			.finally(() => process.exit(0))
	})
}
