/**
 * The three servers of `npm run bench:peers`, each a child process on
 * loopback, started, stopped and killed alike, and observed from outside
 * (/proc): Scholion's production server on PostgreSQL, Hocuspocus 4.x with
 * its Database extension on the same PostgreSQL, and the y-websocket 1.x
 * reference server with its LevelDB persistence (YPERSISTENCE).
 */
import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerKind } from './clients.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

export interface PeerServerOptions {
	kind: ServerKind
	port: number
	databaseUrl: string
	/** y-websocket's LevelDB folder (kept across restarts of one run). */
	levelDir: string
	/** Extra environment (Scholion: e.g. COLLAB_MESSAGES_PER_SECOND while seeding). */
	env?: Record<string, string>
	/** Write a V8 CPU profile into this folder (`node --cpu-prof`). */
	cpuProfileDir?: string
}

export interface PeerServer {
	kind: ServerKind
	url: string
	pid: number
	/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
	stop(graceMs?: number): Promise<void>
	/** SIGKILL at once; resolves once the process has exited. */
	kill(): Promise<void>
	outputTail(): string[]
}

const live = new Set<() => void>()
// Whatever ends the bench, no server outlives it.
process.once('exit', () => {
	for (const kill of live) kill()
})

/**
 * Other work in the same tree may be rebuilding the app (`npm run build` empties
 * build/ first): Scholion starts once the build is there and has not changed for 3 s.
 */
async function buildReady(): Promise<void> {
	const file = path.join(root, 'build/server/index.js')
	const deadline = Date.now() + 180_000
	while (Date.now() < deadline) {
		if (existsSync(file) && Date.now() - statSync(file).mtimeMs > 3000 && existsSync(path.join(root, 'build/client'))) return
		await new Promise((resolve) => setTimeout(resolve, 500))
	}
	throw new Error('build/server/index.js did not appear within 180 s')
}

export async function startPeerServer(options: PeerServerOptions, attempt = 1): Promise<PeerServer> {
	if (options.kind === 'scholion') await buildReady()
	try {
		return await spawnPeerServer(options)
	} catch (error) {
		// A rebuild that began just as the server loaded the build: once more, with the new one.
		if (options.kind === 'scholion' && attempt < 3 && /build\/server\/index\.js/.test(String(error))) {
			return startPeerServer(options, attempt + 1)
		}
		throw error
	}
}

async function spawnPeerServer(options: PeerServerOptions): Promise<PeerServer> {
	const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []
	const common = { HOST: '127.0.0.1', PORT: String(options.port) }
	const spec: Record<ServerKind, { args: string[]; env: Record<string, string>; ready: RegExp }> = {
		scholion: {
			args: [...profile, '--import', 'tsx', 'server/main.ts'],
			env: { ...common, NODE_ENV: 'production', DATABASE_URL: options.databaseUrl, SEED_DEMO: '0' },
			ready: /Scholion is running at (http:\/\/\S+)/,
		},
		hocuspocus: {
			args: [...profile, '--import', 'tsx', 'tests/bench/peers/hocuspocus-server.ts'],
			env: { ...common, NODE_ENV: 'production', DATABASE_URL: options.databaseUrl },
			ready: /Hocuspocus is running at (http:\/\/\S+)/,
		},
		'y-websocket': {
			args: [...profile, 'node_modules/y-websocket-v1/bin/server.js'],
			env: { ...common, YPERSISTENCE: options.levelDir },
			ready: /running at '[^']+' on port (\d+)/,
		},
	}
	const { args, env, ready } = spec[options.kind]
	const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, ...options.env }
	delete childEnv.REDIS_URL
	const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
	if (child.pid === undefined) throw new Error(`${options.kind}: the process could not be started`)
	const pid = child.pid
	const kill = () => child.kill('SIGKILL')
	live.add(kill)
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
	void exited.then(() => live.delete(kill))

	const tail: string[] = []
	const remember = (line: string) => {
		tail.push(line)
		if (tail.length > 40) tail.shift()
	}
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${options.kind} did not start in 60 s:\n${tail.join('\n')}`)), 60_000)
		let pending = { stdout: '', stderr: '' }
		for (const stream of ['stdout', 'stderr'] as const) {
			child[stream].setEncoding('utf8')
			child[stream].on('data', (chunk: string) => {
				const parts = (pending[stream] + chunk).split('\n')
				pending = { ...pending, [stream]: parts.pop() ?? '' }
				for (const line of parts) {
					remember(stream === 'stderr' ? `[stderr] ${line}` : line)
					const match = ready.exec(line)
					if (match?.[1]) {
						clearTimeout(timer)
						resolve(`http://127.0.0.1:${options.port}`)
					}
				}
			})
		}
		void exited.then(() => {
			clearTimeout(timer)
			reject(new Error(`${options.kind} exited while starting:\n${tail.join('\n')}`))
		})
	})
	return {
		kind: options.kind,
		url,
		pid,
		outputTail: () => [...tail],
		async stop(graceMs = 10_000) {
			if (child.exitCode !== null || child.signalCode !== null) return
			child.kill('SIGTERM')
			const timer = setTimeout(kill, graceMs)
			await exited
			clearTimeout(timer)
		},
		async kill() {
			if (child.exitCode !== null || child.signalCode !== null) return
			kill()
			await exited
		},
	}
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer()
		probe.once('error', reject)
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address()
			probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
		})
	})
}
