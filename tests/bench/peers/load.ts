import { Worker } from 'node:worker_threads'
import { nowMs, ScenarioPlan, type LoadPlan, type Scenario } from '../sync-plan.ts'
import type { ClientTarget } from './clients.ts'
import type { FromWorker, ToWorker, WorkerResult } from './load-worker.ts'

export type { Scenario } from '../sync-plan.ts'

export interface LoadOptions extends Omit<LoadPlan, 'scenario'> {
	target: ClientTarget
	/** After the last edit, how long to wait for the missing deliveries before counting them lost. */
	drainMs: number
	/** Clients a thread connects at once (each batch waits for its sync before the next starts). */
	connectBatch: number
	connectTimeoutMs: number
	/** Called when the measurement window opens and closes, to sample the server. */
	onMeasureStart(): void
	onMeasureEnd(): void
}

export interface LoadResult {
	clients: number
	documents: number
	/** Measured edits sent. */
	updatesSent: number
	/** Edit-to-peer latency of every delivery of a measured edit, in ms (unsorted). */
	latencies: Float64Array
	/** For each delivery in `latencies`, when its edit was due, in ms after the window opened. */
	dueAt: Float64Array
	/** Measured edits seen by peers before the drain ended. */
	delivered: number
	/** Measured edits × (clients in that document − 1). */
	expected: number
	/** Sockets closed under the clients during the scenario (rate limit, missed pings, errors, ...). */
	disconnects: number
	/** Those closes by close code (1006: dropped without a close frame, e.g. a missed ping). */
	closeCodes: Record<string, number>
	measureMs: number
	/** The bench process's CPU use over the window (every thread), in % of one core. */
	generatorCpuPercent: number
	/** The worst thread's event-loop delay over the window, beyond the sampling interval, in ms. */
	generatorLoopDelayMs: { p99: number; max: number }
	/** How late the worst thread sent edits compared with their schedule, in ms. */
	sendLagMs: { p99: number; max: number }
	/** How long connecting and syncing every client took, in ms. */
	connectMs: number
}

/**
 * Worker threads do not inherit tsx's loader on Node 20 (`--import` is not
 * passed on to them), so each one registers it before loading the worker module.
 */
const workerBootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
	.then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}) })`

/**
 * Runs one scenario: the clients live in `threads` worker threads of this
 * process, which leaves the main thread free to sample the server on time.
 * Edits go out at a fixed total rate (open loop: a thread that falls
 * behind sends late rather than fewer),
 * measured for `measureMs` after `warmupMs`; then the bench waits up to
 * `drainMs` for the last deliveries.
 */
export async function runScenario(scenario: Scenario, options: LoadOptions): Promise<LoadResult> {
	const loadPlan: LoadPlan = {
		scenario,
		documentIds: options.documentIds.slice(0, scenario.documents),
		writersPerDocument: options.writersPerDocument,
		rate: options.rate,
		warmupMs: options.warmupMs,
		measureMs: options.measureMs,
		threads: options.threads,
		seed: options.seed,
	}
	const plan = new ScenarioPlan(loadPlan)
	const sentAt = new SharedArrayBuffer(plan.edits * Float64Array.BYTES_PER_ELEMENT)
	const threads = Array.from(
		{ length: options.threads },
		() => new LoadThread(new Worker(workerBootstrap, { eval: true })),
	)
	try {
		const connectStart = performance.now()
		await Promise.all(
			threads.map((thread, index) =>
				thread.request(
					{
						type: 'connect',
						plan: loadPlan,
						thread: index,
						target: options.target,
						sentAt,
						connectBatch: options.connectBatch,
						connectTimeoutMs: options.connectTimeoutMs,
					},
					'ready',
				),
			),
		)
		const connectMs = performance.now() - connectStart

		// Leave the threads a moment to receive 'start' before the first edit is due.
		const startAt = nowMs() + 200
		const measureStart = startAt + plan.dueAt(plan.firstMeasured)
		const measureEnd = startAt + plan.dueAt(plan.edits)
		const drainUntil = measureEnd + options.drainMs
		let generatorCpu = process.cpuUsage()
		let windowOpenedAt = performance.now()
		let generatorCpuPercent = NaN
		const windowOpens = setTimeout(() => {
			generatorCpu = process.cpuUsage()
			windowOpenedAt = performance.now()
			options.onMeasureStart()
		}, measureStart - nowMs())
		const windowCloses = setTimeout(() => {
			const cpu = process.cpuUsage(generatorCpu)
			generatorCpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - windowOpenedAt)) * 100
			options.onMeasureEnd()
		}, measureEnd - nowMs())
		let results: WorkerResult[]
		try {
			results = await Promise.all(
				threads.map(async (thread) => (await thread.request({ type: 'start', startAt, drainUntil }, 'result')).result),
			)
		} finally {
			clearTimeout(windowOpens)
			clearTimeout(windowCloses)
		}

		const latencies = concat(results.map((r) => r.latencies))
		const edits = concat(results.map((r) => r.edits))
		const dueAt = edits.map((edit) => plan.dueAt(edit) - plan.dueAt(plan.firstMeasured))
		const closeCodes: Record<string, number> = {}
		for (const result of results) {
			for (const [code, count] of Object.entries(result.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + count
		}
		const worst = (pick: (r: WorkerResult) => { p99: number; max: number }) => ({
			p99: Math.max(...results.map((r) => pick(r).p99)),
			max: Math.max(...results.map((r) => pick(r).max)),
		})
		return {
			clients: plan.clients,
			documents: scenario.documents,
			updatesSent: sum(results.map((r) => r.sent)),
			latencies,
			dueAt,
			delivered: sum(results.map((r) => r.delivered)),
			expected: sum(results.map((r) => r.expected)),
			disconnects: sum(Object.values(closeCodes)),
			closeCodes,
			measureMs: options.measureMs,
			generatorCpuPercent,
			generatorLoopDelayMs: worst((r) => r.loopDelayMs),
			sendLagMs: worst((r) => r.sendLagMs),
			connectMs,
		}
	} finally {
		await Promise.all(threads.map((thread) => thread.close()))
	}
}

/** One worker thread, spoken to one request at a time. */
class LoadThread {
	private failure: Error | null = null
	private readonly listeners = new Set<(message: FromWorker | Error) => void>()

	constructor(readonly worker: Worker) {
		worker.on('message', (message: FromWorker) => this.dispatch(message))
		worker.on('error', (error) => this.dispatch(error))
		worker.on('exit', (code) => this.dispatch(new Error(`a load thread exited (code ${code})`)))
	}

	/** Sends `message` and resolves with the worker's answer of type `answer`; rejects on a worker error. */
	request<T extends FromWorker['type']>(message: ToWorker, answer: T): Promise<Extract<FromWorker, { type: T }>> {
		return new Promise((resolve, reject) => {
			if (this.failure) return reject(this.failure)
			const listener = (reply: FromWorker | Error) => {
				if (reply instanceof Error || reply.type === 'error') {
					this.listeners.delete(listener)
					reject(reply instanceof Error ? reply : new Error(reply.message))
				} else if (reply.type === answer) {
					this.listeners.delete(listener)
					resolve(reply as Extract<FromWorker, { type: T }>)
				}
			}
			this.listeners.add(listener)
			this.worker.postMessage(message)
		})
	}

	/** Closes the clients (so that the server sees them leave), then ends the thread. */
	async close() {
		if (!this.failure) {
			await Promise.race([this.request({ type: 'close' }, 'closed'), sleep(5000)]).catch(() => {})
		}
		await this.worker.terminate()
	}

	private dispatch(message: FromWorker | Error) {
		if (message instanceof Error) this.failure ??= message
		for (const listener of [...this.listeners]) listener(message)
	}
}

function concat(arrays: Float64Array[]): Float64Array {
	const all = new Float64Array(sum(arrays.map((a) => a.length)))
	let offset = 0
	for (const array of arrays) {
		all.set(array, offset)
		offset += array.length
	}
	return all
}

function sum(values: number[]): number {
	return values.reduce((a, b) => a + b, 0)
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms))
}
