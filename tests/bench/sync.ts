/**
 * `npm run bench:sync`: load benchmark of the collaboration server. Starts
 * the production server as a child process, signs a user up, imports the
 * documents, then runs each scenario (N stock y-websocket clients per
 * document, a fixed total rate of small edits) and reports edit-to-peer
 * latency, deliveries, and the server's CPU and memory. See README.md here.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { FormClient, signUp } from '#tests/support/http-client.ts'
import { summarizeCpuProfile, type ProfileSummary } from './cpu-profile.ts'
import type { ServerWindowStats } from './server-probe.ts'
import { cpuSeconds, machineCpuSeconds, memoryKiB, startServerProcess, type ServerProcess } from './server-process.ts'
import { runScenario, type Scenario } from './sync-load.ts'
import { measureUpdateCheckCost, updateCheckTable } from './update-check-cost.ts'
import { caveats, markdownTable, scenarioFigures, type ScenarioFigures } from './sync-report.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const resultsDir = path.join(root, 'tests/bench/results')
const seedText = path.join(root, 'seeds/documents/stalin-1924-1953.txt')

const allScenarios: Scenario[] = [
	{ name: '1doc-20', documents: 1, clientsPerDocument: 20 },
	{ name: '1doc-100', documents: 1, clientsPerDocument: 100 },
	{ name: '1doc-200', documents: 1, clientsPerDocument: 200 },
	{ name: '50docs-10', documents: 50, clientsPerDocument: 10 },
]

/** The bar the server must clear on the reference 2-core machine. */
const target = { scenario: '1doc-100', p99Ms: 50 }

/** The server's default per-socket message rate (server/env.ts). */
const defaultMessagesPerSecond = 200

const flagSchema = z.object({
	rate: z.coerce.number().positive().default(100),
	warmup: z.coerce.number().nonnegative().default(3),
	measure: z.coerce.number().positive().default(12),
	drain: z.coerce.number().nonnegative().default(5),
	scenarios: z
		.string()
		.default(allScenarios.map((s) => s.name).join(','))
		.transform((list, ctx) => {
			const names = list.split(',').map((name) => name.trim())
			const unknown = names.filter((name) => !allScenarios.some((s) => s.name === name))
			if (unknown.length > 0) {
				ctx.addIssue({ code: 'custom', message: `unknown ${unknown.join(', ')}; known: ${allScenarios.map((s) => s.name).join(', ')}` })
			}
			return allScenarios.filter((s) => names.includes(s.name))
		}),
	seed: z.coerce.number().int().default(1),
	threads: z.coerce.number().int().positive().default(1),
	writers: z
		.union([z.literal('all').transform(() => Infinity), z.coerce.number().int().positive()])
		.default(10),
	timeout: z.coerce.number().positive().default(180),
	profile: z.boolean().default(false),
})

const usage = `Usage: npm run bench:sync -- [options]
  --rate N         edits per second in total, per scenario (default 100)
  --warmup S       seconds of edits before measuring (default 3)
  --measure S      seconds measured (default 12)
  --drain S        seconds to wait for late deliveries after the last edit (default 5)
  --scenarios A,B  subset of ${allScenarios.map((s) => s.name).join(', ')} (default all)
  --writers N|all  clients per document that edit; the others only receive (default 10)
  --seed N         seed of the edits' random positions (default 1)
  --threads N      worker threads hosting the clients (default 1)
  --timeout S      abort the whole run after this many seconds (default 180)
  --profile        run the server with --cpu-prof and print its top self-time functions
                   during the measurement windows
Environment: DATABASE_URL (PostgreSQL instead of a fresh embedded database).`

const { values: rawFlags } = parseArgs({
	options: {
		rate: { type: 'string' },
		warmup: { type: 'string' },
		measure: { type: 'string' },
		drain: { type: 'string' },
		scenarios: { type: 'string' },
		seed: { type: 'string' },
		threads: { type: 'string' },
		writers: { type: 'string' },
		timeout: { type: 'string' },
		profile: { type: 'boolean' },
		help: { type: 'boolean' },
	},
})
if (rawFlags.help) {
	console.log(usage)
	process.exit(0)
}
const parsedFlags = flagSchema.safeParse(rawFlags)
if (!parsedFlags.success) {
	console.error(parsedFlags.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n') + '\n\n' + usage)
	process.exit(2)
}
const flags = parsedFlags.data

if (!existsSync(path.join(root, 'build/server/index.js'))) {
	console.error('No production build: run `npx remix vite:build` (or `npm run build`) first.')
	process.exit(2)
}

// Every WebsocketProvider adds a process 'exit' listener; hundreds of clients are the point here.
process.setMaxListeners(0)

const progress = (message: string) => console.error(`[bench] ${message}`)

const databaseUrl = process.env.DATABASE_URL || undefined
const scratch = mkdtempSync(path.join(os.tmpdir(), 'scholion-bench-'))
const profileDir = flags.profile ? path.join(scratch, 'profile') : undefined

// Round-robin writers: each writing client sends rate / writers edits per second.
// Leave the server's default limit alone unless a high --rate would trip it.
const perClientRate =
	flags.rate / Math.min(...flags.scenarios.map((s) => s.documents * Math.min(flags.writers, s.clientsPerDocument)))
const messagesPerSecond =
	perClientRate * 2 > defaultMessagesPerSecond ? Math.ceil(perClientRate * 4) : undefined

let server: ServerProcess | null = null
let cleaningUp: Promise<void> | null = null
function cleanUp(): Promise<void> {
	cleaningUp ??= (async () => {
		await server?.stop()
		// A profile is kept for a closer look; the database never is.
		rmSync(profileDir ? path.join(scratch, 'data') : scratch, { recursive: true, force: true })
	})()
	return cleaningUp
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		progress(`${signal}: stopping the server`)
		void cleanUp().finally(() => process.exit(130))
	})
}
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
	process.once(event, (error) => {
		progress(`failed (${event}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
		void cleanUp().finally(() => process.exit(1))
	})
}
const watchdog = setTimeout(() => {
	progress(`aborted: the run took longer than --timeout ${flags.timeout} s`)
	void cleanUp().finally(() => process.exit(1))
}, flags.timeout * 1000)

try {
	const startedAt = new Date()
	const loadBefore = os.loadavg()
	progress(`starting the server (${databaseUrl ? 'PostgreSQL from DATABASE_URL' : `embedded PGlite in ${scratch}`})`)
	if (profileDir) mkdirSync(profileDir, { recursive: true })
	server = await startServerProcess({
		root,
		cpuProfileDir: profileDir,
		// A busy machine can take more than the default minute to migrate and seed; the watchdog still bounds the run.
		startTimeoutMs: flags.timeout * 1000,
		env: {
			NODE_ENV: 'production',
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: path.join(scratch, 'data'),
			DATABASE_URL: databaseUrl,
			SEED_DEMO: '0',
			// Measure one process alone, at the origin the clients use.
			REDIS_URL: undefined,
			PUBLIC_ORIGIN: undefined,
			COLLAB_MESSAGES_PER_SECOND: messagesPerSecond?.toString(),
		},
	})
	const running = server
	progress(`server ${running.url} (pid ${running.pid})`)

	const session = await prepareSession(running.url, flags.scenarios)
	const figures: ScenarioFigures[] = []
	const windows: [number, number][] = []
	for (const scenario of flags.scenarios) {
		progress(`${scenario.name}: ${scenario.documents} document(s) × ${scenario.clientsPerDocument} clients, ${flags.rate} edits/s`)
		const rssBeforeKiB = memoryKiB(running.pid).rss
		let rssPeakKiB = rssBeforeKiB
		const sampler = setInterval(() => {
			rssPeakKiB = Math.max(rssPeakKiB, memoryKiB(running.pid).rss)
		}, 250)
		const stderrBefore = running.stderrLines()
		let cpuStart = 0
		let machineCpuStart = 0
		let cpuPercent = NaN
		let machineCpuPercent = NaN
		let wallStart = 0
		let windowStart = 0
		let serverWindow: Promise<ServerWindowStats | null> = Promise.resolve(null)
		try {
			const load = await Promise.race([
				runScenario(scenario, {
					baseUrl: running.url,
					cookie: session.cookie,
					documentIds: session.documents.get(scenario.name)!,
					rate: flags.rate,
					warmupMs: flags.warmup * 1000,
					measureMs: flags.measure * 1000,
					drainMs: flags.drain * 1000,
					seed: flags.seed,
					writersPerDocument: flags.writers,
					threads: flags.threads,
					connectBatch: 50,
					connectTimeoutMs: 30_000,
					onMeasureStart() {
						running.startWindow()
						cpuStart = cpuSeconds(running.pid)
						machineCpuStart = machineCpuSeconds()
						wallStart = performance.now()
						windowStart = microsNow()
					},
					onMeasureEnd() {
						const seconds = (performance.now() - wallStart) / 1000
						cpuPercent = ((cpuSeconds(running.pid) - cpuStart) / seconds) * 100
						machineCpuPercent = ((machineCpuSeconds() - machineCpuStart) / seconds) * 100
						windows.push([windowStart, microsNow()])
						serverWindow = running.endWindow()
					},
				}),
				running.exited,
			])
			const row = scenarioFigures(scenario, load, {
				cpuPercent,
				rssBeforeKiB,
				rssPeakKiB,
				vmHwmKiB: memoryKiB(running.pid).highWaterMark,
				stderrLines: running.stderrLines() - stderrBefore,
				window: await serverWindow,
				machineCpuPercent,
			})
			figures.push(row)
			progress(
				`${scenario.name}: p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, ` +
					`${row.delivered}/${row.expected} delivered, server CPU ${row.server.cpuPercent} %`,
			)
		} finally {
			clearInterval(sampler)
		}
	}

	await running.stop()
	progress('the schema check of structural edits, in this process')
	const updateCheck = measureUpdateCheckCost(seedText)
	let profile: (ProfileSummary & { file: string }) | undefined
	if (profileDir) {
		// CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile: thread 0 is the main thread (others: tsx's loader).
		const file = readdirSync(profileDir).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name))
		if (file) profile = { file: path.join(profileDir, file), ...summarizeCpuProfile(path.join(profileDir, file), windows) }
		else progress(`no CPU profile was written in ${profileDir}`)
	}

	const targetRow = figures.find((row) => row.scenario === target.scenario)
	const targetMet =
		targetRow !== undefined &&
		targetRow.latencyMs.p99 < target.p99Ms &&
		targetRow.delivered === targetRow.expected &&
		targetRow.disconnects === 0
	const targetVerdict = targetRow && {
		scenario: target.scenario,
		p99UnderMs: target.p99Ms,
		met: targetMet,
		// A miss on a saturated generator or a busy machine says little about the server.
		conclusive: targetMet || caveats([targetRow]).length === 0,
	}
	const report = {
		startedAt: startedAt.toISOString(),
		commit: git(['rev-parse', 'HEAD']),
		uncommittedChanges: git(['status', '--porcelain']) !== '',
		machine: {
			cpus: os.cpus().length,
			cpuModel: os.cpus()[0]?.model ?? 'unknown',
			memoryGiB: Math.round(os.totalmem() / 2 ** 30),
			loadAverageBefore: loadBefore.map((n) => Math.round(n * 100) / 100),
			loadAverageAfter: os.loadavg().map((n) => Math.round(n * 100) / 100),
		},
		node: process.version,
		database: databaseUrl ? 'postgresql' : 'pglite',
		settings: {
			ratePerSecond: flags.rate,
			warmupSeconds: flags.warmup,
			measureSeconds: flags.measure,
			drainSeconds: flags.drain,
			seed: flags.seed,
			writersPerDocument: flags.writers === Infinity ? 'all' : flags.writers,
			loadThreads: flags.threads,
			collabMessagesPerSecond: messagesPerSecond ?? defaultMessagesPerSecond,
			serverCpuProfile: flags.profile,
		},
		scenarios: figures,
		updateCheck,
		caveats: caveats(figures),
		target: targetVerdict,
		profile: profile && {
			windowed: profile.windowed,
			sampledMs: profile.sampledMs,
			byPackage: profile.byPackage.slice(0, 10),
			byFunction: profile.byFunction.slice(0, 10),
		},
	}

	mkdirSync(resultsDir, { recursive: true })
	const json = JSON.stringify(report, null, '\t') + '\n'
	const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')
	writeFileSync(path.join(resultsDir, `sync-${stamp}.json`), json)
	writeFileSync(path.join(resultsDir, 'sync-latest.json'), json)

	console.log(
		`Sync benchmark, ${startedAt.toISOString()}, ${report.database}, ${flags.rate} edits/s per scenario, ` +
			`${flags.measure} s measured after ${flags.warmup} s warm-up; ${report.machine.cpus} CPUs, ` +
			`load average ${report.machine.loadAverageBefore.join(' ')} before, ${report.machine.loadAverageAfter.join(' ')} after.\n`,
	)
	console.log(markdownTable(figures))
	if (report.caveats.length > 0) console.log('\n' + report.caveats.map((note) => `- ${note}`).join('\n'))
	if (targetVerdict) {
		console.log(
			`\nTarget (${target.scenario}: p99 < ${target.p99Ms} ms, nothing lost): ` +
				(targetVerdict.met ? 'met' : targetVerdict.conclusive ? 'MISSED' : 'missed, inconclusive (see the notes above)'),
		)
	}
	console.log(
		'\nSchema check of client updates (server/collab/update-check.ts). In the server during the windows above ' +
			'(the load only types): "schema check" column. In this process, per update, on the seminar text and copies of it:\n',
	)
	console.log(updateCheckTable(updateCheck))
	if (profile) {
		console.log(`\nServer CPU profile (${profile.file}), self time in the measurement windows (${profile.sampledMs} ms sampled):\n`)
		console.log(['| package | ms | % |', '| --- | --- | --- |', ...profile.byPackage.map((s) => `| ${s.name} | ${s.ms} | ${s.percent} |`)].join('\n'))
		console.log()
		console.log(['| function | ms | % |', '| --- | --- | --- |', ...profile.byFunction.map((s) => `| ${s.name} | ${s.ms} | ${s.percent} |`)].join('\n'))
	}
	progress(`results in ${path.relative(root, path.join(resultsDir, `sync-${stamp}.json`))}`)
} catch (error) {
	progress(`failed: ${error instanceof Error ? error.message : String(error)}`)
	if (server) progress(`last server output:\n${server.outputTail().join('\n')}`)
	process.exitCode = 1
} finally {
	clearTimeout(watchdog)
	await cleanUp()
}
// Sockets and timers of destroyed providers may linger a moment; the run is over.
process.exit()

/** A fresh account (works on an empty PostgreSQL as well as on PGlite), its group, and each scenario's own documents. */
async function prepareSession(baseUrl: string, scenarios: Scenario[]) {
	const email = `bench-${Date.now()}@scholion.test`
	const user = await signUp(baseUrl, { email, name: 'Sync Bench' })
	const created = await user.post('/groups/new', { name: 'Sync benchmark', kind: 'seminar', description: '' })
	const groupPath = created.headers.get('Location')
	if (created.status !== 302 || !groupPath?.startsWith('/groups/')) {
		throw new Error(`creating the bench group failed with ${created.status}: ${await created.text()}`)
	}
	const text = readFileSync(seedText)
	const documents = new Map<string, string[]>()
	const total = scenarios.reduce((sum, s) => sum + s.documents, 0)
	progress(`importing ${total} documents (${path.basename(seedText)}, ${text.length} bytes each)`)
	for (const scenario of scenarios) {
		const ids: string[] = []
		for (let i = 0; i < scenario.documents; i++) ids.push(await importDocument(user, `${groupPath}/import`, text, `${scenario.name} #${i + 1}`))
		documents.set(scenario.name, ids)
	}
	return { cookie: user.cookieHeader, documents }
}

async function importDocument(user: FormClient, importPath: string, text: Uint8Array, title: string): Promise<string> {
	const form = new FormData()
	form.set('title', title)
	form.set('file', new Blob([new Uint8Array(text)], { type: 'text/plain' }), path.basename(seedText))
	form.set('paste', '')
	form.set('format', 'txt')
	const response = await user.postMultipart(importPath, form)
	const location = response.headers.get('Location') ?? ''
	const match = /^\/documents\/([0-9a-f-]{36})$/.exec(location)
	if (response.status !== 302 || !match?.[1]) {
		throw new Error(`importing "${title}" failed with ${response.status}: ${(await response.text()).slice(0, 500)}`)
	}
	return match[1]
}

/** Now on the monotonic clock, in µs: what V8 stamps CPU profile samples with. */
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
