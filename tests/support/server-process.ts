import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '#db/client.ts'
import { seedDemo } from '#seeds/demo.ts'

/**
 * The real server process (server/main.ts, production build) as a child of
 * the test, for what an in-process server cannot show: a `kill -9`, or an
 * input that might hang the process (a hang there must not hang the test
 * runner, which can still kill a child).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** A free TCP port on the loopback address (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer()
		probe.once('error', reject)
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address()
			const port = typeof address === 'object' && address ? address.port : 0
			probe.close(() => resolve(port))
		})
	})
}

/**
 * A database a server process can use and the test can open afterwards: a
 * PGlite folder (seeded by the server on its first start, SEED_DEMO=1), or,
 * when DATABASE_URL is set, a fresh database on that server, seeded here.
 * With `seed: false` neither: the server is not asked for the demo.
 */
export interface ProcessDatabase {
	kind: 'pglite' | 'postgresql'
	/** What the server process needs in its environment. */
	env: Record<string, string>
	/** Opens it in the test process. A PGlite folder only while no server process has it open. */
	open(): Promise<DatabaseHandle>
	/**
	 * Opens what is on disk now without touching it: a copy of a PGlite folder
	 * (so that a server started on the original afterwards still recovers from
	 * a crash by itself), or the PostgreSQL database itself.
	 */
	openAsIs(): Promise<DatabaseHandle>
	/** Deletes the folder or drops the database. */
	remove(): Promise<void>
}

export async function createProcessDatabase(options: { seed?: boolean } = {}): Promise<ProcessDatabase> {
	const seed = options.seed ?? true
	const serverUrl = process.env.DATABASE_URL
	if (!serverUrl) {
		const dataDir = mkdtempSync(path.join(tmpdir(), 'scholion-process-'))
		return {
			kind: 'pglite',
			env: { DATA_DIR: dataDir, ...(seed ? { SEED_DEMO: '1' } : {}) },
			open: () => openDatabase({ dataDir: path.join(dataDir, 'pglite') }),
			async openAsIs() {
				const copy = mkdtempSync(path.join(tmpdir(), 'scholion-copy-'))
				cpSync(path.join(dataDir, 'pglite'), copy, { recursive: true })
				const handle = await openDatabase({ dataDir: copy, migrate: false })
				return {
					...handle,
					async close() {
						await handle.close()
						rmSync(copy, { recursive: true, force: true })
					},
				}
			},
			async remove() {
				rmSync(dataDir, { recursive: true, force: true })
			},
		}
	}
	const name = `scholion_test_${randomBytes(6).toString('hex')}`
	await adminQuery(serverUrl, `create database ${name}`)
	const url = new URL(serverUrl)
	url.pathname = `/${name}`
	const seeded = await openDatabase({ url: url.toString() })
	if (seed) await seedDemo(seeded.db)
	await seeded.close()
	return {
		kind: 'postgresql',
		env: { DATABASE_URL: url.toString() },
		open: () => openDatabase({ url: url.toString(), migrate: false }),
		openAsIs: () => openDatabase({ url: url.toString(), migrate: false }),
		async remove() {
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

export interface ServerProcess {
	url: string
	child: ChildProcess
	/** Everything the process printed so far (stdout and stderr). */
	output(): string
	/** SIGTERM, as an operator stops it: resolves with the exit code once it has exited. */
	stop(timeoutMs?: number): Promise<number | null>
	/** SIGKILL: no shutdown, no last write. */
	kill(): Promise<void>
}

const running = new Set<ChildProcess>()
// Should the test runner stop mid-test, no server process outlives it.
process.once('exit', () => {
	for (const child of running) child.kill('SIGKILL')
})

/** Starts server/main.ts and resolves once it prints "Scholion is running at". */
export async function startServerProcess(options: {
	port: number
	database: ProcessDatabase
	env?: Record<string, string>
	timeoutMs?: number
}): Promise<ServerProcess> {
	const env: NodeJS.ProcessEnv = { ...process.env }
	for (const name of Object.keys(env)) {
		if (name === 'DATABASE_URL' || name === 'REDIS_URL' || name.startsWith('COLLAB_') || name.startsWith('VITEST')) delete env[name]
	}
	Object.assign(env, { NODE_ENV: 'production', PORT: String(options.port), HOST: '127.0.0.1' }, options.database.env, options.env)
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
	running.add(child)
	let output = ''
	const exited = new Promise<number | null>((resolve) => {
		child.once('exit', (code) => {
			running.delete(child)
			resolve(code)
		})
	})
	child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
	child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
	const timeoutMs = options.timeoutMs ?? 30_000
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL')
			reject(new Error(`the server process did not start within ${timeoutMs} ms:\n${output}`))
		}, timeoutMs)
		const watch = () => {
			const match = /Scholion is running at (\S+)/.exec(output)
			if (!match) return
			clearTimeout(timer)
			child.stdout!.off('data', watch)
			resolve(match[1]!)
		}
		child.stdout!.on('data', watch)
		void exited.then((code) => {
			clearTimeout(timer)
			reject(new Error(`the server process exited with ${code} before it started:\n${output}`))
		})
	})
	return {
		url,
		child,
		output: () => output,
		async stop(stopTimeoutMs = 10_000) {
			if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
			child.kill('SIGTERM')
			const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
			const code = await exited
			clearTimeout(timer)
			return code
		},
		async kill() {
			if (child.exitCode !== null || child.signalCode !== null) return
			child.kill('SIGKILL')
			await exited
		},
	}
}
