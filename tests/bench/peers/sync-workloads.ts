/**
 * Steady fan-out and capacity for one server of `npm run bench:peers`: the
 * sync bench's open-loop plan (../sync-plan.ts) through ./load.ts, with the
 * server's CPU and memory read from /proc around the measurement window and
 * the machine's other load alongside, so noise shows in the figures.
 */
import { cpuSeconds, machineCpuSeconds, memoryKiB } from '../server-process.ts'
import type { ClientTarget } from './clients.ts'
import { runScenario, type Scenario } from './load.ts'

export interface SteadySettings {
	rate: number
	warmupMs: number
	measureMs: number
	drainMs: number
	writersPerDocument: number
	seed: number
	/** Worker threads hosting the clients. */
	threads: number
}

export interface SyncFigures {
	scenario: string
	clients: number
	documents: number
	latencyMs: { p50: number; p99: number; max: number }
	delivered: number
	expected: number
	disconnects: number
	serverCpuPercent: number
	serverRssPeakMiB: number
	/** The load generator (this process, every thread), in % of one core: above ~90 % it is the bottleneck. */
	generatorCpuPercent: number
	generatorLoopDelayP99Ms: number
	sendLagP99Ms: number
	/** Everything else on the machine during the window, in % of one core. */
	otherCpuPercent: number
	connectMs: number
}

export async function runSyncScenario(
	scenario: Scenario,
	documentIds: string[],
	target: ClientTarget,
	serverPid: number,
	settings: SteadySettings,
): Promise<SyncFigures> {
	let rssPeak = memoryKiB(serverPid).rss
	const sampler = setInterval(() => {
		try {
			rssPeak = Math.max(rssPeak, memoryKiB(serverPid).rss)
		} catch {
			// The server is gone; the scenario will fail on its own.
		}
	}, 250)
	let window = { server: 0, machine: 0, bench: process.cpuUsage(), at: 0 }
	let serverCpuPercent = NaN
	let otherCpuPercent = NaN
	try {
		const result = await runScenario(scenario, {
			target,
			documentIds,
			writersPerDocument: settings.writersPerDocument,
			rate: settings.rate,
			warmupMs: settings.warmupMs,
			measureMs: settings.measureMs,
			drainMs: settings.drainMs,
			threads: settings.threads,
			seed: settings.seed,
			connectBatch: 50,
			connectTimeoutMs: 60_000,
			onMeasureStart() {
				window = { server: cpuSeconds(serverPid), machine: machineCpuSeconds(), bench: process.cpuUsage(), at: performance.now() }
			},
			onMeasureEnd() {
				const seconds = (performance.now() - window.at) / 1000
				const server = cpuSeconds(serverPid) - window.server
				const bench = process.cpuUsage(window.bench)
				const machine = machineCpuSeconds() - window.machine
				serverCpuPercent = (server / seconds) * 100
				otherCpuPercent = Math.max(0, ((machine - server - (bench.user + bench.system) / 1e6) / seconds) * 100)
			},
		})
		const sorted = Float64Array.from(result.latencies).sort()
		return {
			scenario: scenario.name,
			clients: result.clients,
			documents: result.documents,
			latencyMs: { p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)), max: round(sorted.at(-1) ?? NaN) },
			delivered: result.delivered,
			expected: result.expected,
			disconnects: result.disconnects,
			serverCpuPercent: round(serverCpuPercent),
			serverRssPeakMiB: round(rssPeak / 1024),
			generatorCpuPercent: round(result.generatorCpuPercent),
			generatorLoopDelayP99Ms: round(result.generatorLoopDelayMs.p99),
			sendLagP99Ms: round(result.sendLagMs.p99),
			otherCpuPercent: round(otherCpuPercent),
			connectMs: Math.round(result.connectMs),
		}
	} finally {
		clearInterval(sampler)
	}
}

export interface CapacityFigures {
	/** The most clients in one document whose p99 stayed at or under the limit with every frame delivered. */
	clientsReached: number
	steps: SyncFigures[]
	/** Why the search stopped. */
	stoppedBy: string
}

/**
 * Raises the clients of one document step by step (a fresh document each
 * step) until p99 passes `p99LimitMs` or a frame is lost, bounded by the steps given.
 */
export async function runCapacity(
	steps: number[],
	documentFor: (step: number) => Promise<string>,
	target: ClientTarget,
	serverPid: number,
	settings: SteadySettings,
	p99LimitMs: number,
	progress: (message: string) => void,
): Promise<CapacityFigures> {
	const figures: SyncFigures[] = []
	let reached = 0
	let stoppedBy = `the largest step (${steps.at(-1)} clients) stayed under ${p99LimitMs} ms`
	for (const [index, clients] of steps.entries()) {
		const documentId = await documentFor(index)
		let step: SyncFigures
		try {
			step = await runSyncScenario({ name: `capacity-${clients}`, documents: 1, clientsPerDocument: clients }, [documentId], target, serverPid, settings)
		} catch (error) {
			stoppedBy = `${clients} clients failed: ${error instanceof Error ? error.message : String(error)}`
			break
		}
		figures.push(step)
		progress(`  ${clients} clients: p99 ${step.latencyMs.p99} ms, ${step.delivered}/${step.expected} delivered, generator ${step.generatorCpuPercent} % CPU`)
		if (step.latencyMs.p99 > p99LimitMs || step.delivered < step.expected) {
			stoppedBy = `${clients} clients: p99 ${step.latencyMs.p99} ms, ${step.delivered}/${step.expected} delivered`
			break
		}
		reached = clients
	}
	return { clientsReached: reached, steps: figures, stoppedBy }
}

export function quantile(sorted: Float64Array, q: number): number {
	if (sorted.length === 0) return NaN
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))]!
}

export function round(value: number, digits = 1): number {
	const scale = 10 ** digits
	return Math.round(value * scale) / scale
}
