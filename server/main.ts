import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { openDatabase } from '#db/client.ts'
import { demoAccounts, demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { findEditionContent } from '#db/queries/publication.ts'
import { readEnv } from './env.ts'
import { startScholionServer } from './http.ts'
import { DemoAccountsCheck } from './demo-accounts.ts'

/**
 * The process entry point: `npm start` (production build) and `npm run dev`
 * (Vite middleware with hot reload) both come here.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const env = readEnv()
const production = env.NODE_ENV === 'production'

const dataDir = path.resolve(root, env.DATA_DIR)
mkdirSync(dataDir, { recursive: true })
const database = await openDatabase(
	env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: path.join(dataDir, 'pglite') },
)

// The demo's accounts share a published password, so a production start makes
// them only when asked (`npm start` asks: SEED_DEMO=1 in package.json);
// development seeds by default. Only the embedded database seeds itself; a
// server database is seeded by `npm run db:seed`.
const seedDemoAsked = env.SEED_DEMO ?? !production
let seeded = false
if (database.kind === 'pglite' && seedDemoAsked) {
	seeded = (await seedDemo(database.db, { published: true })).created
}

// Before anything listens, so that it is the first thing an operator sees.
const demoPresent = production ? await new DemoAccountsCheck(database.db).present() : []
if (demoPresent.length > 0) {
	const rule = '!'.repeat(78)
	console.warn(
		[
			rule,
			`WARNING: this production server's database holds the demo accounts (${demoPresent.join(', ')}),`,
			`whose shared password is published in the README: anyone can sign in as them.`,
			`Delete them, or use a fresh database with \`npm run start:production\` (no SEED_DEMO), before anyone else can reach this server.`,
			rule,
		].join('\n'),
	)
}

let build: ServerBuild | (() => Promise<ServerBuild>)
let devMiddleware
let clientAssetsDir: string | undefined
if (production) {
	const buildPath = path.join(root, 'build/server/index.js')
	build = (await import(buildPath)) as ServerBuild
	clientAssetsDir = path.join(root, 'build/client')
} else {
	const vite = await import('vite')
	const viteServer = await vite.createServer({ root, server: { middlewareMode: true } })
	devMiddleware = viteServer.middlewares
	build = () => viteServer.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>
}

const server = await startScholionServer({
	database,
	build,
	devMiddleware,
	clientAssetsDir,
	port: env.PORT,
	host: env.HOST,
	publicOrigin: env.PUBLIC_ORIGIN,
	production,
	maxImportBytes: env.MAX_IMPORT_BYTES,
	annotationImportQuota: {
		perImport: env.ANNOTATION_IMPORT_MAX_PER_FILE,
		perDocument: env.ANNOTATION_IMPORT_MAX_PER_DOCUMENT,
	},
	importLimits: {
		maxBlocks: env.IMPORT_MAX_BLOCKS,
		maxElements: env.IMPORT_MAX_ELEMENTS,
		maxDepth: env.IMPORT_MAX_DEPTH,
		maxLines: env.IMPORT_MAX_LINES,
		timeoutMs: env.IMPORT_TIMEOUT_MS,
		maxMemoryMb: env.IMPORT_MAX_MEMORY_MB,
	},
	trustProxy: env.TRUST_PROXY,
	requestLimits: { formBytes: env.MAX_FORM_BYTES },
	redisUrl: env.REDIS_URL,
	collabJournal:
		env.COLLAB_JOURNAL === 'off'
			? undefined
			: path.resolve(root, env.COLLAB_JOURNAL ?? path.join(dataDir, `collab-journal-${env.PORT}.bin`)),
	notifications: {
		mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
		digestHourUtc: env.DIGEST_HOUR_UTC,
		showAllEmails: !production,
	},
	collab: {
		maxFrameBytes: env.COLLAB_MAX_FRAME_BYTES,
		messagesPerSecond: env.COLLAB_MESSAGES_PER_SECOND,
		messageBurst: env.COLLAB_MESSAGES_PER_SECOND * 2,
		unloadAfterMs: env.COLLAB_UNLOAD_AFTER_MS,
		groupCommitMs: env.COLLAB_GROUP_COMMIT_MS ?? 'auto',
	},
})

const shownUrl = env.PUBLIC_ORIGIN ?? server.url.replace('://0.0.0.0', '://localhost').replace('://[::]', '://localhost')
console.log(`Scholion is running at ${shownUrl}`)
console.log(`Database: ${database.kind} (${database.location})${seeded ? ', demo seeded' : ''}`)
console.log(env.REDIS_URL ? 'Live documents shared through Redis' : 'Running alone (no REDIS_URL)')
const reader = await findEditionContent(database.db, demoDocuments[0].id)
if (reader) {
	console.log(`Public reader (no login): ${shownUrl}/read/${demoDocuments[0].id}`)
	console.log(`Moderation queue: ${shownUrl}/groups/${demoGroups.seminar.id}/moderation`)
}
if (database.kind === 'pglite' && seedDemoAsked) {
	console.log(`Demo logins (password "${demoPassword}"):`)
	for (const account of demoAccounts) console.log(`  ${account.role.padEnd(10)} ${account.email}`)
}

let stopping = false
async function stop(signal: string, exitCode = 0) {
	if (stopping) return
	stopping = true
	console.log(`${signal} received: closing connections and the database`)
	try {
		await server.close()
		await database.close()
		process.exit(exitCode)
	} catch (error) {
		console.error('[shutdown] failed:', error)
		process.exit(1)
	}
}
// Last resort, behind the guards at every entry (the /collab upgrade and socket handlers, Express's
// error handler, 'clientError'), which keep the server serving. A promise nobody awaited is one
// request's failure: logged, and the server goes on. An exception that reached the top of the stack
// may have left any state half-changed, so, as Node's documentation asks, the process stops, in
// order: sockets closed, queued edits stored (the journal keeps the rest), exit code 1 for the
// supervisor to restart it.
process.on('unhandledRejection', (reason) => console.error('[process] unhandled rejection (still serving):', reason))
process.on('uncaughtException', (error) => {
	console.error('[process] uncaught exception, stopping:', error)
	// Should closing hang on the broken state, the process still ends.
	setTimeout(() => process.exit(1), 10_000).unref()
	void stop('uncaughtException', 1)
})
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
