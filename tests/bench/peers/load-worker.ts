/**
 * A worker thread of `npm run bench:peers`: the sync bench's worker
 * (../sync-worker.ts) with the client of whichever server is under test
 * (./clients.ts) instead of the y-websocket provider alone. Hosts the
 * clients, sends the edits of its writers when they are due, and records when
 * its clients see other writers' edits. Driven by messages from ./load.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parentPort } from 'node:worker_threads'
import * as Y from 'yjs'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { editLength, mulberry32, nowMs, ScenarioPlan, type LoadPlan } from '../sync-plan.ts'
import { peerClient, until, sleep, type ClientTarget, type PeerClient } from './clients.ts'

export type ToWorker =
	| {
			type: 'connect'
			plan: LoadPlan
			thread: number
			target: ClientTarget
			/** Float64Array over it: send time (nowMs) of edit n, written by the thread that sends it. */
			sentAt: SharedArrayBuffer
			connectBatch: number
			connectTimeoutMs: number
	  }
	| { type: 'start'; startAt: number; drainUntil: number }
	| { type: 'close' }

export type FromWorker =
	| { type: 'ready'; connectMs: number }
	| { type: 'result'; result: WorkerResult }
	| { type: 'closed' }
	| { type: 'error'; message: string }

export interface WorkerResult {
	/** Latency of each delivery of a measured edit to a client of this thread, in ms. */
	latencies: Float64Array
	/** The edit number of each of those deliveries. */
	edits: Float64Array
	delivered: number
	/** Deliveries of measured edits this thread's clients should see. */
	expected: number
	/** Measured edits this thread's writers sent. */
	sent: number
	/** How late this thread sent edits compared with their schedule, in ms. */
	sendLagMs: { p99: number; max: number }
	/** Event-loop delay during the measurement window, beyond the sampling interval, in ms. */
	loopDelayMs: { p99: number; max: number }
	closeCodes: Record<string, number>
}

/** Sampling interval of the event-loop delay histogram; every sample includes it, so it is taken off. */
const loopDelayResolutionMs = 5

/** Origin of the bench's own edits, so that they are told apart from what the provider applies. */
const benchEditOrigin = Symbol('bench edit')

/** Deliveries of measured edits to this thread's clients. */
class Deliveries {
	private latencies = new Float64Array(1 << 16)
	private edits = new Float64Array(1 << 16)
	count = 0

	record(edit: number, latencyMs: number) {
		if (this.count === this.latencies.length) {
			this.latencies = grow(this.latencies)
			this.edits = grow(this.edits)
		}
		this.latencies[this.count] = latencyMs
		this.edits[this.count++] = edit
	}

	result() {
		return { latencies: this.latencies.slice(0, this.count), edits: this.edits.slice(0, this.count) }
	}
}

function grow(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
	const grown = new Float64Array(array.length * 2)
	grown.set(array)
	return grown
}

/**
 * One simulated user. A peer's edits are recognized from the transaction's
 * state vectors: the writer's clock moved from a to b, so its edits
 * ⌊a / L⌋ … ⌊b / L⌋ − 1 arrived (L: the fixed edit length). That costs nothing
 * beyond what Yjs computes for every transaction anyway.
 */
class LoadClient {
	private paragraphs: Y.XmlText[] = []
	private edits = 0
	private readonly random: () => number

	constructor(
		readonly index: number,
		readonly collab: PeerClient,
		private readonly plan: ScenarioPlan,
		sentAt: Float64Array,
		deliveries: Deliveries,
	) {
		this.random = mulberry32(plan.plan.seed * 7919 + index)
		collab.doc.on('afterTransaction', (transaction: Y.Transaction) => {
			if (transaction.local) return
			const now = nowMs()
			for (const [writer, after] of transaction.afterState) {
				const before = transaction.beforeState.get(writer) ?? 0
				if (after === before) continue
				const slot = plan.slotOfYjsClient(writer)
				if (slot < 0) continue
				for (let k = before / editLength; k < after / editLength; k++) {
					const edit = plan.editNumber(slot, k)
					if (plan.isMeasured(edit)) deliveries.record(edit, now - sentAt[edit]!)
				}
			}
		})
	}

	get synced(): boolean {
		return this.collab.synced
	}

	/** Finds the paragraphs to write into; the document must have synced. */
	prepare() {
		const fragment = this.collab.doc.getXmlFragment(documentFragmentName)
		this.paragraphs = fragment
			.toArray()
			.filter((node): node is Y.XmlElement => node instanceof Y.XmlElement && node.nodeName === 'paragraph')
			.flatMap((paragraph) => paragraph.toArray().filter((child): child is Y.XmlText => child instanceof Y.XmlText))
		if (this.paragraphs.length === 0) throw new Error(`client ${this.index}: the document has no paragraph to edit`)
	}

	/** Inserts this writer's next edit text at a random place in a random paragraph. */
	edit(slot: number) {
		const paragraph = this.paragraphs[Math.floor(this.random() * this.paragraphs.length)]!
		const offset = Math.floor(this.random() * (paragraph.length + 1))
		const text = this.plan.editText(slot, this.edits++)
		// The provider sends the update synchronously, from the doc's 'update' event.
		this.collab.doc.transact(() => paragraph.insert(offset, text), benchEditOrigin)
	}

	destroy() {
		this.collab.destroy()
	}
}

class LoadWorker {
	private readonly plan: ScenarioPlan
	private readonly sentAt: Float64Array
	private readonly deliveries = new Deliveries()
	private readonly clients = new Map<number, LoadClient>()
	private readonly loopDelay = monitorEventLoopDelay({ resolution: loopDelayResolutionMs })
	private readonly sendLags: number[] = []

	constructor(private readonly setup: Extract<ToWorker, { type: 'connect' }>) {
		this.plan = new ScenarioPlan(setup.plan)
		this.sentAt = new Float64Array(setup.sentAt)
	}

	async connect(): Promise<number> {
		const started = performance.now()
		const mine = Array.from({ length: this.plan.clients }, (_, i) => i).filter(
			(i) => this.plan.threadOf(i) === this.setup.thread,
		)
		for (let from = 0; from < mine.length; from += this.setup.connectBatch) {
			const batch = mine.slice(from, from + this.setup.connectBatch).map((index) => {
				const documentId = this.setup.plan.documentIds[this.plan.documentOf(index)]!
				const doc = new Y.Doc()
				doc.clientID = this.plan.yjsClientId(index)
				const collab = peerClient(this.setup.target, documentId, doc)
				const client = new LoadClient(index, collab, this.plan, this.sentAt, this.deliveries)
				this.clients.set(index, client)
				return client
			})
			// The y-websocket reference server answers a sync before its persistence has loaded the
			// document (the content follows as an update): a client is ready once it has the text.
			await until(() => batch.every((c) => c.synced && c.collab.doc.getXmlFragment(documentFragmentName).length > 0), this.setup.connectTimeoutMs, () => {
				const closes = batch.flatMap((c) => c.collab.closes).slice(0, 3)
				return `${batch.filter((c) => !c.synced).length} of ${batch.length} clients to sync${
					closes.length ? ` (closed: ${closes.join(', ')})` : ''
				}`
			})
		}
		for (const client of this.clients.values()) client.prepare()
		return performance.now() - started
	}

	/** Sends this thread's edits as they fall due, then waits for the deliveries until `drainUntil`. */
	async run(startAt: number, drainUntil: number): Promise<WorkerResult> {
		const { plan } = this
		const measureStart = startAt + plan.dueAt(plan.firstMeasured)
		const measureEnd = startAt + plan.dueAt(plan.edits)
		const expected = this.expectedDeliveries()
		let next = 0
		let sent = 0
		let measuring = false
		await sleep(Math.max(0, startAt - nowMs()))
		await new Promise<void>((resolve) => {
			const tick = () => {
				const now = nowMs()
				if (!measuring && now >= measureStart) {
					measuring = true
					this.loopDelay.enable()
				}
				for (; next < plan.edits && startAt + plan.dueAt(next) <= now; next++) {
					const client = this.clients.get(plan.writerOf(next))
					if (!client) continue
					const sentAt = nowMs()
					this.sentAt[next] = sentAt
					if (plan.isMeasured(next)) {
						sent++
						this.sendLags.push(sentAt - (startAt + plan.dueAt(next)))
					}
					client.edit(next % plan.writers.length)
				}
				if (now >= measureEnd && next >= plan.edits) {
					clearInterval(ticker)
					resolve()
				}
			}
			const ticker = setInterval(tick, Math.max(1, Math.min(10, 1000 / plan.plan.rate)))
		})
		this.loopDelay.disable()
		while (this.deliveries.count < expected && nowMs() < drainUntil) await sleep(20)
		const lags = Float64Array.from(this.sendLags).sort()
		return {
			...this.deliveries.result(),
			delivered: this.deliveries.count,
			expected,
			sent,
			sendLagMs: { p99: lags[Math.max(0, Math.ceil(lags.length * 0.99) - 1)] ?? 0, max: lags.at(-1) ?? 0 },
			loopDelayMs: {
				p99: Math.max(0, this.loopDelay.percentile(99) / 1e6 - loopDelayResolutionMs),
				max: Math.max(0, this.loopDelay.max / 1e6 - loopDelayResolutionMs),
			},
			closeCodes: countBy([...this.clients.values()].flatMap((c) => c.collab.closes.map(String))),
		}
	}

	/** Measured edits × this thread's clients in the writer's document, other than the writer. */
	private expectedDeliveries(): number {
		const perDocument = new Map<number, number>()
		for (const index of this.clients.keys()) {
			const document = this.plan.documentOf(index)
			perDocument.set(document, (perDocument.get(document) ?? 0) + 1)
		}
		let expected = 0
		for (let edit = this.plan.firstMeasured; edit < this.plan.edits; edit++) {
			const writer = this.plan.writerOf(edit)
			expected += (perDocument.get(this.plan.documentOf(writer)) ?? 0) - (this.clients.has(writer) ? 1 : 0)
		}
		return expected
	}

	destroy() {
		for (const client of this.clients.values()) client.destroy()
	}
}

function countBy(keys: string[]): Record<string, number> {
	const counts: Record<string, number> = {}
	for (const key of keys) counts[key] = (counts[key] ?? 0) + 1
	return counts
}

if (!parentPort) throw new Error('peers/load-worker.ts runs as a worker thread of peers/load.ts')
const port = parentPort
// Every WebsocketProvider adds a process 'exit' listener; hundreds of clients are the point here.
process.setMaxListeners(0)
let worker: LoadWorker | null = null
const post = (message: FromWorker) => port.postMessage(message)
port.on('message', (message: ToWorker) => {
	const handle = async () => {
		switch (message.type) {
			case 'connect':
				worker = new LoadWorker(message)
				post({ type: 'ready', connectMs: await worker.connect() })
				return
			case 'start':
				if (!worker) throw new Error('start before connect')
				post({ type: 'result', result: await worker.run(message.startAt, message.drainUntil) })
				return
			case 'close':
				worker?.destroy()
				// Let the closes reach the server before the thread goes.
				await sleep(300)
				post({ type: 'closed' })
				return
		}
	}
	handle().catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }))
})
