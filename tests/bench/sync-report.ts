import type { ServerWindowStats, UpdateCheckCost } from './server-probe.ts'
import type { LoadResult, Scenario } from './sync-load.ts'

/** One scenario's figures as they go into the table and the JSON file. */
export interface ScenarioFigures {
	scenario: string
	clients: number
	documents: number
	updatesSent: number
	/** Measured edits per second (the schedule's rate: a late generator sends late, not fewer). */
	rate: number
	latencyMs: { p50: number; p99: number; max: number }
	delivered: number
	expected: number
	disconnects: number
	closeCodes: Record<string, number>
	server: {
		/** Average over the measurement window, in % of one core. */
		cpuPercent: number
		/** VmRSS before the scenario's first connection, in MiB. */
		rssBeforeMiB: number
		/** Peak VmRSS sampled every 250 ms from the first connection to the last close, in MiB. */
		rssPeakMiB: number
		/** VmHWM after the scenario: the process's peak so far (never goes down between scenarios). */
		vmHwmMiB: number
		/** Lines the server wrote to stderr during the scenario. */
		stderrLines: number
		/** The server's event-loop delay in the window: how long a ready message could wait. */
		loopDelayMs: { p50: number; p99: number; max: number }
		/** Garbage collection in the server during the window. */
		gc: { count: number; totalMs: number; maxMs: number }
		/** The schema check of every client update in the window, by path (null: the probe did not answer). */
		updateCheck: Record<'text' | 'structural', UpdateCheckCost> | null
	}
	generator: {
		/** The bench process (every thread), in % of one core. */
		cpuPercent: number
		/** The worst thread's event-loop delay, beyond the 5 ms sampling interval. */
		loopDelayP99Ms: number
		loopDelayMaxMs: number
		/** How late edits left compared with their schedule (worst thread). */
		sendLagP99Ms: number
		sendLagMaxMs: number
		connectMs: number
	}
	/**
	 * CPU used in the window by every other process on the machine (other
	 * test suites, ...), in % of one core: the noise these figures carry.
	 */
	otherProcessesCpuPercent: number
	/** Per second of the window (by the edits' schedule): deliveries, p99 and max latency. */
	timeline: { second: number; deliveries: number; p99Ms: number; maxMs: number }[]
}

export interface ServerSample {
	cpuPercent: number
	rssBeforeKiB: number
	rssPeakKiB: number
	vmHwmKiB: number
	stderrLines: number
	/** What the server's probe recorded in the window (null: it did not answer). */
	window: ServerWindowStats | null
	/** The whole machine's CPU use over the window, in % of one core. */
	machineCpuPercent: number
}

export function scenarioFigures(scenario: Scenario, load: LoadResult, server: ServerSample): ScenarioFigures {
	const sorted = load.latencies.slice().sort()
	return {
		scenario: scenario.name,
		clients: load.clients,
		documents: load.documents,
		updatesSent: load.updatesSent,
		rate: round((load.updatesSent * 1000) / load.measureMs),
		latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: round(sorted.at(-1) ?? NaN) },
		delivered: load.delivered,
		expected: load.expected,
		disconnects: load.disconnects,
		closeCodes: load.closeCodes,
		server: {
			cpuPercent: round(server.cpuPercent),
			rssBeforeMiB: round(server.rssBeforeKiB / 1024),
			rssPeakMiB: round(server.rssPeakKiB / 1024),
			vmHwmMiB: round(server.vmHwmKiB / 1024),
			stderrLines: server.stderrLines,
			loopDelayMs: {
				p50: round(server.window?.loopDelayMs.p50 ?? NaN),
				p99: round(server.window?.loopDelayMs.p99 ?? NaN),
				max: round(server.window?.loopDelayMs.max ?? NaN),
			},
			gc: {
				count: server.window?.gc.count ?? NaN,
				totalMs: round(server.window?.gc.totalMs ?? NaN),
				maxMs: round(server.window?.gc.maxMs ?? NaN),
			},
			updateCheck: server.window?.updateCheck ?? null,
		},
		generator: {
			cpuPercent: round(load.generatorCpuPercent),
			loopDelayP99Ms: round(load.generatorLoopDelayMs.p99),
			loopDelayMaxMs: round(load.generatorLoopDelayMs.max),
			sendLagP99Ms: round(load.sendLagMs.p99),
			sendLagMaxMs: round(load.sendLagMs.max),
			connectMs: Math.round(load.connectMs),
		},
		otherProcessesCpuPercent: round(
			Math.max(0, server.machineCpuPercent - server.cpuPercent - load.generatorCpuPercent),
		),
		timeline: timeline(load),
	}
}

function timeline(load: LoadResult): ScenarioFigures['timeline'] {
	const seconds = Math.ceil(load.measureMs / 1000)
	const buckets = Array.from({ length: seconds }, () => [] as number[])
	for (let i = 0; i < load.latencies.length; i++) {
		const second = Math.floor(load.dueAt[i]! / 1000)
		buckets[Math.min(seconds - 1, Math.max(0, second))]!.push(load.latencies[i]!)
	}
	return buckets.map((bucket, second) => {
		const sorted = Float64Array.from(bucket).sort()
		return { second, deliveries: sorted.length, p99Ms: percentile(sorted, 99), maxMs: round(sorted.at(-1) ?? NaN) }
	})
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
	if (sorted.length === 0) return NaN
	const rank = Math.ceil((p / 100) * sorted.length)
	return round(sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!)
}

function round(n: number): number {
	return Math.round(n * 10) / 10
}

/**
 * Above this event-loop delay (p99, ms) the load generator's own queueing is
 * a large part of the latencies it reports: they are upper bounds, not the server's.
 */
export const generatorBoundLoopDelayMs = 20
/** Above this CPU use by other processes (% of one core), the machine was not quiet. */
export const noisyMachineCpuPercent = 30

/** Warnings about rows whose latencies say more about the machine than about the server. */
export function caveats(rows: ScenarioFigures[]): string[] {
	const notes: string[] = []
	for (const r of rows) {
		if (r.generator.loopDelayP99Ms > generatorBoundLoopDelayMs || r.generator.sendLagP99Ms > generatorBoundLoopDelayMs) {
			notes.push(
				`${r.scenario}: the load generator could not keep up (event-loop delay p99 ${r.generator.loopDelayP99Ms} ms, ` +
					`edits sent up to ${r.generator.sendLagP99Ms} ms late at p99, CPU ${r.generator.cpuPercent} %); ` +
					`its latencies are upper bounds that include the generator's own queueing.`,
			)
		}
		if (r.otherProcessesCpuPercent > noisyMachineCpuPercent) {
			notes.push(`${r.scenario}: other processes used ${r.otherProcessesCpuPercent} % of a core during the window; figures are noisy.`)
		}
	}
	return notes
}

export function markdownTable(rows: ScenarioFigures[]): string {
	const header = [
		'scenario',
		'clients',
		'docs',
		'updates sent',
		'p50 ms',
		'p99 ms',
		'max ms',
		'delivered / expected',
		'disconnects',
		'server CPU % (1 core)',
		'server loop delay p99 / max ms',
		'schema check µs per update, p50 / p99 / mean (count)',
		'server RSS peak MiB',
		'server VmHWM MiB',
		'generator CPU %',
		'generator loop delay p99 ms',
		'other processes CPU %',
	]
	const lines = rows.map((r) => [
		r.scenario,
		r.clients,
		r.documents,
		r.updatesSent,
		r.latencyMs.p50,
		r.latencyMs.p99,
		r.latencyMs.max,
		`${r.delivered} / ${r.expected}${r.delivered < r.expected ? ` (${r.expected - r.delivered} lost)` : ''}`,
		r.disconnects,
		r.server.cpuPercent,
		`${r.server.loopDelayMs.p99} / ${r.server.loopDelayMs.max}`,
		checkCell(r.server.updateCheck?.text),
		r.server.rssPeakMiB,
		r.server.vmHwmMiB,
		r.generator.cpuPercent,
		r.generator.loopDelayP99Ms,
		r.otherProcessesCpuPercent,
	])
	return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
}

function checkCell(cost: UpdateCheckCost | undefined): string {
	return cost && cost.count > 0 ? `${cost.p50Micros} / ${cost.p99Micros} / ${cost.meanMicros} (${cost.count})` : '–'
}
