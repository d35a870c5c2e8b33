import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import type { DatabaseHandle } from '#db/client.ts'
import { startScholionServer, type ScholionServer, type ScholionServerOptions } from '#server/http.ts'
import { createTestDatabase } from './database.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const serverBuild = path.join(root, 'build/server/index.js')

export interface TestApp {
	url: string
	origin: string
	database: DatabaseHandle
	/** The running server's services, for tests that drive them directly. */
	server: ScholionServer
	close(): Promise<void>
}

/**
 * The real app (production build, real HTTP server on a free port, its own
 * fresh database) for one test file. `npm test` builds first.
 */
export async function startTestApp(options: Partial<ScholionServerOptions> = {}): Promise<TestApp> {
	if (!existsSync(serverBuild)) {
		throw new Error('No production build: run `npm run build` (npm test does it for you).')
	}
	const build = (await import(serverBuild)) as ServerBuild
	const database = options.database ?? (await createTestDatabase())
	const server = await startScholionServer({
		build,
		clientAssetsDir: path.join(root, 'build/client'),
		production: true,
		...options,
		database,
	})
	return {
		url: server.url,
		origin: server.url,
		database,
		server,
		async close() {
			await server.close()
			await database.close()
		},
	}
}
