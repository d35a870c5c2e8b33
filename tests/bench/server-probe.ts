/**
 * Preloaded into the benchmarked server (`node --import`) so that the bench
 * can tell a server that stalls from a load generator that does: between a
 * 'window-start' and a 'window-end' message on the IPC channel it records
 * the server's event-loop delay and garbage-collection pauses, and answers
 * the 'window-end' with them. It changes nothing in the server itself.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'

/** What the probe answers to 'window-end'. */
export interface ServerWindowStats {
	type: 'window-stats'
	/** How late the event loop ran a due timer, in ms (the 5 ms sampling interval taken off). */
	loopDelayMs: { p50: number; p99: number; max: number }
	gc: { count: number; totalMs: number; maxMs: number }
}

/** The histogram's sampling interval, in ms; it is part of every sample, so it is taken off. */
const resolutionMs = 5
const beyondResolution = (nanos: number) => Math.max(0, nanos / 1e6 - resolutionMs)

if (process.send) {
	const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs })
	const gc = { count: 0, totalMs: 0, maxMs: 0 }
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
		} else if (message === 'window-end') {
			loopDelay.disable()
			gcObserver.disconnect()
			const stats: ServerWindowStats = {
				type: 'window-stats',
				loopDelayMs: {
					p50: beyondResolution(loopDelay.percentile(50)),
					p99: beyondResolution(loopDelay.percentile(99)),
					max: beyondResolution(loopDelay.max),
				},
				gc: { ...gc },
			}
			process.send?.(stats)
		}
	})
	// The server must still be free to exit on its own.
	process.channel?.unref()
}
