/**
 * `npm run bench:peers`: Scholion against the servers people already run
 * for Yjs, side by side in one run on loopback: Hocuspocus 4.x (Database
 * extension on the same PostgreSQL, @hocuspocus/provider) and the y-websocket
 * 1.x reference server (LevelDB persistence, stock WebsocketProvider).
 * Workloads, each for every server in turn under the same conditions:
 * steady fan-out, capacity, durability under SIGKILL, cold open of a long
 * history, and the public reader page against a static file. Prints
 * Markdown, writes results/peers-latest.json and results/peers-latency.svg.
 * See tests/bench/peers/README.md.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import * as Y from 'yjs'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { openDatabase } from '#db/client.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'
import { summarizeCpuProfile } from './cpu-profile.ts'
import { peerClient, serverKinds, sleep, until, type ClientTarget, type ServerKind } from './peers/clients.ts'
import { coldOpen, makeHistory, seedHistory, type ColdOpenFigures, type HistoryDocument } from './peers/cold-open.ts'
import { runDurability, type DurabilityFigures } from './peers/durability.ts'
import { runReader, seedReaderEdition } from './peers/reader.ts'
import { latencySvg, markdownReport, type PeersReport } from './peers/report.ts'
import { freePort, startPeerServer, type PeerServer } from './peers/servers.ts'
import { runCapacity, runSyncScenario, type CapacityFigures, type SteadySettings, type SyncFigures } from './peers/sync-workloads.ts'
import type { Scenario } from './sync-plan.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const resultsDir = path.join(root, 'tests/bench/results')
const seedText = path.join(root, 'seeds/documents/stalin-1924-1953.txt')
const workloadNames = ['steady', 'capacity', 'durability', 'cold', 'reader'] as const
type Workload = (typeof workloadNames)[number]

const steadyScenarios: Scenario[] = [
	{ name: '1doc-20', documents: 1, clientsPerDocument: 20 },
	{ name: '1doc-100', documents: 1, clientsPerDocument: 100 },
	{ name: '1doc-200', documents: 1, clientsPerDocument: 200 },
	{ name: '50docs-10', documents: 50, clientsPerDocument: 10 },
]

const usage = `Usage: npm run bench:peers -- [options]
  --workloads A,B   subset of ${workloadNames.join(', ')} (default all)
  --servers A,B     subset of ${serverKinds.join(', ')} (default all)
  --rate N          edits per second per scenario (default 100)
  --warmup S        seconds of edits before measuring (default 2)
  --measure S       seconds measured per scenario (default 8)
  --capacity A,B    client counts tried in turn (default 100,200,300,400,500,600,700,800,900,1000)
  --cold-documents N  documents of 30,000 words with 10,000 updates each (default 4)
  --history N       updates of history per cold document (default 10000)
  --reader-seconds S  seconds of load per reader target (default 10)
  --threads N       worker threads hosting the clients (default 2: one thread
                    alone runs out of CPU past about 200 clients in one document)
  --seed N          seed of every random choice (default 1)
  --profile         run Scholion with --cpu-prof and print its top functions
  --timeout S       abort after this many seconds (default 1800)
Environment: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432): a
database named scholion_bench_peers_<pid> is created there and dropped at the end.`

const { values: raw } = parseArgs({
	options: {
		workloads: { type: 'string' },
		servers: { type: 'string' },
		rate: { type: 'string' },
		warmup: { type: 'string' },
		measure: { type: 'string' },
		capacity: { type: 'string' },
		'cold-documents': { type: 'string' },
		history: { type: 'string' },
		'reader-seconds': { type: 'string' },
		seed: { type: 'string' },
		threads: { type: 'string' },
		profile: { type: 'boolean' },
		timeout: { type: 'string' },
		help: { type: 'boolean' },
	},
})
if (raw.help) {
	console.log(usage)
	process.exit(0)
}
const list = <T extends string>(value: string | undefined, known: readonly T[]): T[] => {
	if (!value) return [...known]
	const names = value.split(',').map((s) => s.trim())
	const unknown = names.filter((n) => !known.includes(n as T))
	if (unknown.length > 0) {
		console.error(`unknown ${unknown.join(', ')}; known: ${known.join(', ')}\n\n${usage}`)
		process.exit(2)
	}
	return known.filter((k) => names.includes(k))
}
const positive = (value: string | undefined, fallback: number, name: string): number => {
	if (value === undefined) return fallback
	const n = Number(value)
	if (!Number.isFinite(n) || n < 0) {
		console.error(`--${name}: not a number: ${value}\n\n${usage}`)
		process.exit(2)
	}
	return n
}
const flags = {
	workloads: list(raw.workloads, workloadNames),
	servers: list(raw.servers, serverKinds),
	rate: positive(raw.rate, 100, 'rate'),
	warmup: positive(raw.warmup, 2, 'warmup'),
	measure: positive(raw.measure, 8, 'measure'),
	capacity: (raw.capacity ?? '100,200,300,400,500,600,700,800,900,1000').split(',').map(Number),
	coldDocuments: positive(raw['cold-documents'], 4, 'cold-documents'),
	history: positive(raw.history, 10_000, 'history'),
	readerSeconds: positive(raw['reader-seconds'], 10, 'reader-seconds'),
	seed: positive(raw.seed, 1, 'seed'),
	threads: Math.max(1, Math.round(positive(raw.threads, 2, 'threads'))),
	profile: raw.profile ?? false,
	timeout: positive(raw.timeout, 1800, 'timeout'),
}
if (!existsSync(path.join(root, 'build/server/index.js'))) {
	console.error('No production build: run `npm run build` first.')
	process.exit(2)
}
process.setMaxListeners(0)
const progress = (message: string) => console.error(`[peers] ${message}`)

const steady: SteadySettings = {
	rate: flags.rate,
	warmupMs: flags.warmup * 1000,
	measureMs: flags.measure * 1000,
	drainMs: 3000,
	writersPerDocument: 10,
	seed: flags.seed,
	threads: flags.threads,
}
const capacitySettings: SteadySettings = { ...steady, measureMs: Math.min(steady.measureMs, 5000) }

const postgresUrl = (process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, '')
const databaseName = `scholion_bench_peers_${process.pid}`
const databaseUrl = `${postgresUrl}/${databaseName}`
const scratch = mkdtempSync(path.join(os.tmpdir(), 'scholion-peers-'))
const levelDir = path.join(scratch, 'leveldb')
const profileDir = path.join(scratch, 'profile')
const ports = Object.fromEntries(await Promise.all(serverKinds.map(async (kind) => [kind, await freePort()] as const))) as Record<ServerKind, number>

let running: PeerServer | null = null
/** Starts a server; `profiled` runs Scholion with --cpu-prof (the steady workload only, with --profile). */
async function start(kind: ServerKind, env?: Record<string, string>, profiled = false): Promise<PeerServer> {
	running = await startPeerServer({
		kind,
		port: ports[kind],
		databaseUrl,
		levelDir,
		env,
		cpuProfileDir: profiled && kind === 'scholion' ? profileDir : undefined,
	})
	return running
}
async function stop() {
	await running?.stop()
	running = null
}

let cleaningUp: Promise<void> | null = null
function cleanUp(): Promise<void> {
	cleaningUp ??= (async () => {
		await running?.stop().catch(() => {})
		await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch((error: unknown) => progress(`dropping ${databaseName}: ${String(error)}`))
		rmSync(flags.profile ? levelDir : scratch, { recursive: true, force: true })
	})()
	return cleaningUp
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		progress(`${signal}: stopping`)
		void cleanUp().finally(() => process.exit(130))
	})
}
const watchdog = setTimeout(() => {
	progress(`aborted: longer than --timeout ${flags.timeout} s`)
	void cleanUp().finally(() => process.exit(1))
}, flags.timeout * 1000)

const startedAt = new Date()
const loadBefore = os.loadavg()
const profileWindows: [number, number][] = []
const report: PeersReport = {
	startedAt: startedAt.toISOString(),
	commit: git(['rev-parse', 'HEAD']),
	uncommittedChanges: git(['status', '--porcelain', '--', 'server', 'tests/bench']) !== '',
	machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverageBefore: [], loadAverageAfter: [] },
	node: process.version,
	versions: versions(),
	settings: { ...flags, steady, capacity: { steps: flags.capacity, p99LimitMs: 100, ...capacitySettings } },
	servers: flags.servers,
	steady: {},
	capacity: {},
	durability: {},
	cold: {},
	reader: null,
	profile: null,
}

try {
	await adminQuery(`CREATE DATABASE ${databaseName}`)
	progress(`database ${databaseName}; scratch ${scratch}`)
	const fixture = await prepareScholion()
	const targetFor = (kind: ServerKind, server: PeerServer): ClientTarget => ({ kind, baseUrl: server.url, cookie: kind === 'scholion' ? fixture.cookie : undefined })

	if (flags.workloads.includes('steady')) {
		progress('steady fan-out')
		for (const kind of flags.servers) {
			const server = await start(kind, undefined, flags.profile)
			await seedPeers(kind, server, steadyScenarios.flatMap((s) => fixture.steady.get(s.name)!), fixture.smallState)
			const rows: SyncFigures[] = []
			for (const scenario of steadyScenarios) {
				const window: [number, number] = [microsNow(), 0]
				const figures = await runSyncScenario(scenario, fixture.steady.get(scenario.name)!, targetFor(kind, server), server.pid, steady)
				window[1] = microsNow()
				if (kind === 'scholion') profileWindows.push(window)
				rows.push(figures)
				progress(`  ${kind} ${scenario.name}: p50 ${figures.latencyMs.p50} p99 ${figures.latencyMs.p99} max ${figures.latencyMs.max} ms, ${figures.delivered}/${figures.expected}, server ${figures.serverCpuPercent} % CPU, generator ${figures.generatorCpuPercent} %, others ${figures.otherCpuPercent} %`)
			}
			report.steady[kind] = rows
			await stop()
		}
	}

	if (flags.workloads.includes('capacity')) {
		progress('capacity')
		for (const kind of flags.servers) {
			const server = await start(kind)
			await seedPeers(kind, server, fixture.capacity, fixture.smallState)
			progress(` ${kind}`)
			report.capacity[kind] = await runCapacity(
				flags.capacity,
				async (step) => fixture.capacity[step]!,
				targetFor(kind, server),
				server.pid,
				capacitySettings,
				100,
				progress,
			)
			await stop()
		}
	}

	if (flags.workloads.includes('durability')) {
		progress('durability')
		for (const [index, kind] of flags.servers.entries()) {
			const server = await start(kind)
			await seedPeers(kind, server, [fixture.durability], fixture.smallState)
			report.durability[kind] = await runDurability({
				target: targetFor(kind, server),
				documentId: fixture.durability,
				clients: 20,
				rate: flags.rate,
				killBetweenMs: [2000, 6000],
				seed: flags.seed * 31 + index,
				server,
				restart: () => start(kind),
			})
			const d = report.durability[kind]!
			progress(`  ${kind}: killed after ${d.killAfterMs} ms; ${d.sent} sent, ${d.confirmed} confirmed, ${d.lost} lost (${d.unconfirmedMissing} unconfirmed also missing)`)
			await stop()
		}
	}

	if (flags.workloads.includes('cold')) {
		progress(`cold open: ${fixture.cold.length} documents × ${flags.history} updates`)
		for (const kind of flags.servers) {
			if (kind !== 'scholion') {
				const server = await start(kind)
				await seedHistory(targetFor(kind, server), server.pid, fixture.cold, progress)
				await stop()
			}
			const server = await start(kind)
			report.cold[kind] = await coldOpen(targetFor(kind, server), server.pid, fixture.cold)
			const c = report.cold[kind]!
			progress(`  ${kind}: synced in ${c.syncedMs.join(', ')} ms; ${c.memoryPerDocumentMiB} MiB per document; complete: ${c.complete}`)
			await stop()
		}
	}

	if (flags.workloads.includes('reader')) {
		progress('public reader')
		const reader = fixture.reader!
		const { words } = await seedReaderEdition(databaseUrl, reader, 2000, flags.seed)
		const server = await start('scholion')
		report.reader = await runReader({
			server,
			documentId: reader.documentId,
			words,
			annotations: 2000,
			scratch,
			seconds: flags.readerSeconds,
			connections: 10,
			progress,
		})
		await stop()
	}

	if (flags.profile && existsSync(profileDir)) {
		const file = path.join(profileDir, readdirFirst(profileDir))
		const summary = summarizeCpuProfile(file, profileWindows)
		report.profile = { file, byPackage: summary.byPackage.slice(0, 10), byFunction: summary.byFunction.slice(0, 15) }
	}

	report.machine.loadAverageBefore = loadBefore.map((n) => Math.round(n * 100) / 100)
	report.machine.loadAverageAfter = os.loadavg().map((n) => Math.round(n * 100) / 100)
	mkdirSync(resultsDir, { recursive: true })
	const json = JSON.stringify(report, null, '\t') + '\n'
	const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')
	writeFileSync(path.join(resultsDir, `peers-${stamp}.json`), json)
	writeFileSync(path.join(resultsDir, 'peers-latest.json'), json)
	writeFileSync(path.join(resultsDir, 'peers-latency.svg'), latencySvg(report))
	console.log(markdownReport(report))
	progress(`results in tests/bench/results/peers-${stamp}.json, chart in tests/bench/results/peers-latency.svg`)
} catch (error) {
	progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
	if (running) progress(`last output of ${running.kind}:\n${running.outputTail().join('\n')}`)
	process.exitCode = 1
} finally {
	clearTimeout(watchdog)
	await cleanUp()
}
process.exit()

/**
 * Scholion's side of the fixture, through its forms like a user: an account,
 * a group, and every document a workload needs (copies of a seed text, and
 * the 30,000-word documents with their history sent through the socket).
 * The peers get the same Yjs content under the same names.
 */
async function prepareScholion() {
	// Seeding sends thousands of updates on one socket: above the default per-socket rate limit.
	const server = await start('scholion', { COLLAB_MESSAGES_PER_SECOND: '100000' })
	const email = `peers-${Date.now()}@scholion.test`
	const user = await signUp(server.url, { email, name: 'Peers Bench' })
	const created = await user.post('/groups/new', { name: 'Peers benchmark', kind: 'seminar', description: '' })
	const groupPath = created.headers.get('Location')
	if (created.status !== 302 || !groupPath) throw new Error(`creating the group failed with ${created.status}`)
	const text = readFileSync(seedText, 'utf8')
	const importMany = async (count: number, title: string, body: string) => {
		const ids: string[] = []
		for (let i = 0; i < count; i++) ids.push(await importDocument(user, `${groupPath}/import`, body, `${title} #${i + 1}`))
		return ids
	}
	const steadyDocuments = new Map<string, string[]>()
	if (flags.workloads.includes('steady')) {
		for (const scenario of steadyScenarios) steadyDocuments.set(scenario.name, await importMany(scenario.documents, scenario.name, text))
	}
	const capacity = flags.workloads.includes('capacity') ? await importMany(flags.capacity.length, 'capacity', text) : []
	const [durability = ''] = flags.workloads.includes('durability') ? await importMany(1, 'durability', text) : []
	const anyDocument = steadyDocuments.get('1doc-20')?.[0] ?? capacity[0] ?? (durability || (await importMany(1, 'probe', text))[0]!)
	const smallState = await fetchState(server, user.cookieHeader, anyDocument)

	const cold: HistoryDocument[] = []
	if (flags.workloads.includes('cold')) {
		// 26 copies of the essay under their own headings: about 30,000 words (as bench:editor).
		const long = Array.from({ length: 26 }, (_, i) => `Part ${i + 1}\n\n${text}`).join('\n\n')
		const ids = await importMany(flags.coldDocuments, '30,000 words', long)
		for (const [i, id] of ids.entries()) cold.push(makeHistory(id, await fetchState(server, user.cookieHeader, id), flags.history, flags.seed * 1000 + i))
		await seedHistory({ kind: 'scholion', baseUrl: server.url, cookie: user.cookieHeader }, server.pid, cold, progress)
	}
	let reader: { documentId: string; groupId: string; userId: string; state: Uint8Array } | null = null
	if (flags.workloads.includes('reader')) {
		const long = Array.from({ length: 26 }, (_, i) => `Part ${i + 1}\n\n${text}`).join('\n\n')
		const [documentId] = await importMany(1, 'Reader edition', long)
		const handle = await openDatabase({ url: databaseUrl, migrate: false })
		const account = await findUserByEmail(handle.db, email).finally(() => handle.close())
		if (!account) throw new Error('the bench account is missing')
		reader = { documentId: documentId!, groupId: groupPath.split('/')[2]!, userId: account.id, state: await fetchState(server, user.cookieHeader, documentId!) }
	}
	await stop()
	return { cookie: user.cookieHeader, steady: steadyDocuments, capacity, durability, cold, smallState, reader }
}

/** The document's Yjs state as Scholion serves it. */
async function fetchState(server: PeerServer, cookie: string, documentId: string): Promise<Uint8Array> {
	const client = peerClient({ kind: 'scholion', baseUrl: server.url, cookie }, documentId)
	try {
		await until(() => client.synced, 30_000, () => `a sync of ${documentId}`)
		return Y.encodeStateAsUpdate(client.doc)
	} finally {
		client.destroy()
	}
}

/** Gives a peer the documents Scholion has (the same Yjs state under the same names), through its own protocol. */
async function seedPeers(kind: ServerKind, server: PeerServer, documentIds: string[], state: Uint8Array) {
	if (kind === 'scholion') return
	const target: ClientTarget = { kind, baseUrl: server.url }
	for (let from = 0; from < documentIds.length; from += 25) {
		const clients = documentIds.slice(from, from + 25).map((id) => {
			const doc = new Y.Doc()
			Y.applyUpdate(doc, state)
			return peerClient(target, id, doc)
		})
		await until(() => clients.every((c) => c.synced), 30_000, () => `seeding clients of ${kind} to sync`)
		// `synced` means the server's answer arrived; the client's own state goes out right after.
		await sleep(500)
		for (const client of clients) client.destroy()
	}
	// Hocuspocus stores a document when its last client leaves; y-websocket writes LevelDB in the background.
	await sleep(1500)
}

async function importDocument(user: FormClient, importPath: string, text: string, title: string): Promise<string> {
	const form = new FormData()
	form.set('title', title)
	form.set('file', new Blob([text], { type: 'text/plain' }), 'bench.txt')
	form.set('paste', '')
	form.set('format', 'txt')
	const response = await user.postMultipart(importPath, form)
	const match = /^\/documents\/([0-9a-f-]{36})$/.exec(response.headers.get('Location') ?? '')
	if (response.status !== 302 || !match?.[1]) throw new Error(`importing "${title}" failed with ${response.status}`)
	return match[1]
}

async function adminQuery(sql: string) {
	const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` })
	await client.connect()
	try {
		await client.query(sql)
	} finally {
		await client.end()
	}
}

function versions(): Record<string, string> {
	const version = (name: string) => {
		try {
			return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
		} catch {
			return 'missing'
		}
	}
	return {
		'@hocuspocus/server': version('@hocuspocus/server'),
		'@hocuspocus/provider': version('@hocuspocus/provider'),
		'y-websocket (server, 1.x)': version('y-websocket-v1'),
		'y-websocket (client)': version('y-websocket'),
		yjs: version('yjs'),
		autocannon: version('autocannon'),
		postgresql: (() => {
			try {
				return execFileSync('psql', ['-At', '-h', '127.0.0.1', '-U', 'postgres', '-c', 'SHOW server_version'], { encoding: 'utf8' }).trim()
			} catch {
				return 'unknown'
			}
		})(),
	}
}

function readdirFirst(dir: string): string {
	const files = execFileSync('ls', ['-t', dir], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.cpuprofile'))
	if (!files[0]) throw new Error(`no CPU profile in ${dir}`)
	return files[0]
}

function microsNow(): number {
	return Number(process.hrtime.bigint() / 1000n)
}

function git(args: string[]): string {
	try {
		return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
	} catch {
		return 'unknown'
	}
}
