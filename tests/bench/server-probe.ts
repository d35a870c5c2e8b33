/**
 * Preloaded into the benchmarked server (`node --import`) so that the bench
 * can tell a server that stalls from a load generator that does: between a
 * 'window-start' and a 'window-end' message on the IPC channel it records
 * the server's event-loop delay and garbage-collection pauses, and answers
 * the 'window-end' with them. It changes nothing in the server itself.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'

/** What the probe answers to 'window-end'. */
export interface ServerWindowStats {
	type: 'window-stats'
	/** How late the event loop ran a due timer, in ms (the 5 ms sampling interval taken off). */
	loopDelayMs: { p50: number; p99: number; max: number }
	gc: { count: number; totalMs: number; maxMs: number }
	/** The schema check of each client update (server/collab/update-check.ts), by path, in µs. */
	updateCheck: Record<'text' | 'structural', UpdateCheckCost>
}

export interface UpdateCheckCost {
	count: number
	meanMicros: number
	p50Micros: number
	p99Micros: number
	maxMicros: number
}

/** The channel server/collab/update-check.ts publishes each check's cost on (only while someone listens). */
const updateCheckChannel = 'scholion:update-check'

/** The histogram's sampling interval, in ms; it is part of every sample, so it is taken off. */
const resolutionMs = 5
const beyondResolution = (nanos: number) => Math.max(0, nanos / 1e6 - resolutionMs)

if (process.send) {
	const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs })
	const gc = { count: 0, totalMs: 0, maxMs: 0 }
	let checks: Record<'text' | 'structural', number[]> = { text: [], structural: [] }
	const onCheck = (message: unknown) => {
		const { kind, micros } = message as { kind: 'text' | 'structural'; micros: number }
		checks[kind].push(micros)
	}
	const gcObserver = new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) {
			gc.count++
			gc.totalMs += entry.duration
			gc.maxMs = Math.max(gc.maxMs, entry.duration)
		}
	})
	process.on('message', (message) => {
		if (message === 'window-start') {
			loopDelay.reset()
			loopDelay.enable()
			Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0 })
			gcObserver.observe({ entryTypes: ['gc'] })
			checks = { text: [], structural: [] }
			diagnosticsChannel.subscribe(updateCheckChannel, onCheck)
		} else if (message === 'window-end') {
			loopDelay.disable()
			gcObserver.disconnect()
			diagnosticsChannel.unsubscribe(updateCheckChannel, onCheck)
			const stats: ServerWindowStats = {
				type: 'window-stats',
				loopDelayMs: {
					p50: beyondResolution(loopDelay.percentile(50)),
					p99: beyondResolution(loopDelay.percentile(99)),
					max: beyondResolution(loopDelay.max),
				},
				gc: { ...gc },
				updateCheck: { text: cost(checks.text), structural: cost(checks.structural) },
			}
			process.send?.(stats)
		}
	})
	// The server must still be free to exit on its own.
	process.channel?.unref()
}

function cost(micros: number[]): UpdateCheckCost {
	const sorted = Float64Array.from(micros).sort()
	const round = (n: number) => Math.round(n * 10) / 10
	return {
		count: sorted.length,
		meanMicros: round(sorted.reduce((sum, n) => sum + n, 0) / (sorted.length || NaN)),
		p50Micros: round(sorted[Math.max(0, Math.ceil(0.5 * sorted.length) - 1)] ?? NaN),
		p99Micros: round(sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] ?? NaN),
		maxMicros: round(sorted.at(-1) ?? NaN),
	}
}
