import type { Database } from '#db/client.ts'
import { appendDocumentUpdates } from '#db/queries/document-state.ts'

interface Pending {
	documentId: string
	update: Uint8Array
}

interface Batch {
	rows: Pending[]
	checkpoint: number
	/** Per document, the acknowledgement prepared when the batch was cut, run once it commits. */
	committed: Map<string, () => void>
}

export interface UpdateLogOptions {
	/**
	 * How long the first update of a batch waits for company before the batch is
	 * written; 0 writes at the end of the event loop's turn (updates arriving during
	 * a write still go together into the next batch).
	 */
	groupCommitMs: number
	/** Called after each committed batch with the number of rows written per document. */
	onCommitted?: (documentId: string, rows: number) => void
	/** Taken when a batch is cut, and handed to `onCommittedThrough` once that batch has committed (the journal's position). */
	checkpoint?: () => number
	onCommittedThrough?: (checkpoint: number) => void
}

/**
 * Group commit of Yjs updates into document_updates. Updates of every
 * document are gathered for `groupCommitMs` (and while the previous batch is
 * being written) and written in one statement;
 * batches are written one after another, so row ids follow arrival order.
 * A failed write keeps its rows and retries with back-off: nothing queued is
 * dropped, and nothing is acknowledged before it is committed.
 */
export class UpdateLog {
	private queue: Pending[] = []
	private marks = new Map<string, () => () => void>()
	private timer: NodeJS.Timeout | null = null
	private immediate: NodeJS.Immediate | null = null
	private writing: Promise<void> | null = null
	private retryMs = 0
	private idleWaiters: (() => void)[] = []
	/** Rows queued or being written, per document. */
	private unsettled = new Map<string, number>()

	/** The window, changeable while running (the collaboration server widens it once it has a journal). */
	groupCommitMs: number

	constructor(
		private readonly db: Database,
		private readonly options: UpdateLogOptions,
	) {
		this.groupCommitMs = options.groupCommitMs
	}

	/**
	 * Queues an update. `prepareAck` runs when the batch holding it is cut
	 * (so it can read the document's state at that moment: everything applied
	 * so far is in this batch or an earlier one) and returns the
	 * acknowledgement to run once the batch is committed.
	 */
	append(documentId: string, update: Uint8Array, prepareAck?: () => () => void) {
		this.queue.push({ documentId, update })
		this.unsettled.set(documentId, (this.unsettled.get(documentId) ?? 0) + 1)
		if (prepareAck) this.marks.set(documentId, prepareAck)
		this.schedule()
	}

	/** Resolves when everything queued so far is committed (used before unloading and at shutdown). */
	flushed(): Promise<void> {
		if (this.queue.length === 0 && !this.writing) return Promise.resolve()
		return new Promise((resolve) => {
			this.idleWaiters.push(resolve)
			if (!this.writing && (this.timer || this.immediate)) {
				if (this.timer) clearTimeout(this.timer)
				if (this.immediate) clearImmediate(this.immediate)
				this.timer = null
				this.immediate = null
				void this.write()
			}
		})
	}

	/** Whether every update of the document handed to the log so far is committed. */
	isSettled(documentId: string): boolean {
		return !this.unsettled.has(documentId)
	}

	private schedule() {
		if (this.timer || this.immediate || this.writing) return
		const delay = this.groupCommitMs + this.retryMs
		// With no window, an idle log still waits for the end of this turn of the event
		// loop (every update of the frames read together); a busy one gathers the updates
		// that arrive while a write is in flight.
		if (delay > 0) this.timer = setTimeout(this.writeNow, delay)
		else this.immediate = setImmediate(this.writeNow)
	}

	private writeNow = () => {
		this.timer = null
		this.immediate = null
		void this.write()
	}

	private cut(): Batch {
		const rows = this.queue
		const committed = new Map([...this.marks].map(([documentId, prepare]) => [documentId, prepare()]))
		this.queue = []
		this.marks = new Map()
		return { rows, committed, checkpoint: this.options.checkpoint?.() ?? 0 }
	}

	private async write() {
		const batch = this.cut()
		this.writing = (async () => {
			try {
				await appendDocumentUpdates(this.db, batch.rows)
				this.retryMs = 0
				const counts = new Map<string, number>()
				for (const row of batch.rows) counts.set(row.documentId, (counts.get(row.documentId) ?? 0) + 1)
				for (const [documentId, rows] of counts) {
					const left = (this.unsettled.get(documentId) ?? rows) - rows
					if (left > 0) this.unsettled.set(documentId, left)
					else this.unsettled.delete(documentId)
				}
				this.options.onCommittedThrough?.(batch.checkpoint)
				for (const ack of batch.committed.values()) ack()
				for (const [documentId, rows] of counts) this.options.onCommitted?.(documentId, rows)
			} catch (error) {
				console.error(`[collab] writing ${batch.rows.length} updates failed; retrying:`, error)
				// Put the batch back in front, in order, with its acknowledgements.
				this.queue = [...batch.rows, ...this.queue]
				// Both the failed batch's acknowledgement and any newer one must run, in order:
				// each also forwards its own updates to the other clients.
				for (const [documentId, ack] of batch.committed) {
					const newer = this.marks.get(documentId)
					this.marks.set(documentId, () => {
						const later = newer?.()
						return () => {
							ack()
							later?.()
						}
					})
				}
				this.retryMs = Math.min(2000, Math.max(50, this.retryMs * 2))
			}
		})()
		await this.writing
		this.writing = null
		if (this.queue.length > 0) this.schedule()
		else for (const resolve of this.idleWaiters.splice(0)) resolve()
	}
}
