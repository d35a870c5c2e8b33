import { Worker } from 'node:worker_threads'
import type { ImportInput, ImportRefusal, SourceFormat } from './index.ts'
import { defaultImportLimits, limitMessage, type ImportLimits, type ParseLimits } from './limits.ts'

/** A source converted in the worker: its first Yjs update, ready to store. */
export type ConvertedImport =
	| { ok: true; state: Uint8Array; format: SourceFormat; title: string | null; wordCount: number }
	| ImportRefusal

/** One conversion, as posted to the worker. */
export interface ImportJob {
	id: number
	input: ImportInput
	maxBytes: number
	limits: ParseLimits
}

/** What the worker posts back. */
export type WorkerMessage =
	| { type: 'ready' }
	| { type: 'done'; id: number; result: ConvertedImport }
	| { type: 'failed'; id: number; error: string }

export interface DocumentImporterOptions {
	/** Default {@link defaultImportLimits}; each one left out keeps its default. */
	limits: Partial<ImportLimits>
	/** Larger sources are refused before they are read. Default 5 MB (MAX_IMPORT_BYTES). */
	maxBytes: number
	/** Imports that may wait while another converts; more are refused as busy. Default 8. */
	maxWaiting: number
	/** A worker left without work this long is stopped, in ms; the next import starts another. Default 60,000. */
	idleMs: number
}

const defaultOptions: DocumentImporterOptions = {
	limits: defaultImportLimits,
	maxBytes: 5 * 1024 * 1024,
	maxWaiting: 8,
	idleMs: 60_000,
}

const workerEntry = new URL('./worker-entry.mjs', import.meta.url)

/** How long a new worker may take to load its modules (seconds even on a busy machine). */
const workerStartMs = 60_000

/**
 * Converts imports off the main thread, one at a time, in a worker thread with
 * a capped heap and a wall-clock limit: the parsers count blocks, elements and
 * depth as they go (see limits.ts), and whatever those cannot foresee ends with
 * the worker, never with the server. A worker that went over a limit is
 * stopped and the next import starts a fresh one.
 */
export class DocumentImporter {
	readonly options: DocumentImporterOptions & { limits: ImportLimits }
	private worker: Promise<Worker> | null = null
	private queue: Promise<unknown> = Promise.resolve()
	private waiting = 0
	private nextId = 1
	private idleTimer: NodeJS.Timeout | null = null
	private closed = false

	constructor(options: Partial<DocumentImporterOptions> = {}) {
		const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
		this.options = { ...defaultOptions, ...given, limits: { ...defaultImportLimits, ...options.limits } }
	}

	/** Converts a source, or says why not in a sentence for the user (a refusal is never thrown). */
	convert(input: ImportInput): Promise<ConvertedImport> {
		if (this.closed) return Promise.resolve({ ok: false, error: 'Scholion is shutting down; try again in a minute.' })
		if (this.waiting >= this.options.maxWaiting) {
			return Promise.resolve({
				ok: false,
				error: 'Scholion is converting other imports right now; try again in a minute.',
			})
		}
		this.waiting++
		const run = this.queue.then(() => {
			this.waiting--
			return this.run(input)
		})
		this.queue = run.catch(() => undefined)
		return run
	}

	/** Stops the worker; imports still waiting are refused. */
	async close(): Promise<void> {
		this.closed = true
		if (this.idleTimer) clearTimeout(this.idleTimer)
		await this.stopWorker()
	}

	private async run(input: ImportInput): Promise<ConvertedImport> {
		if (this.closed) return { ok: false, error: 'Scholion is shutting down; try again in a minute.' }
		if (this.idleTimer) clearTimeout(this.idleTimer)
		const subject = input.filename ? `“${input.filename}”` : 'The pasted text'
		const { limits } = this.options
		let outcome: ConvertedImport
		try {
			const worker = await this.startedWorker()
			outcome = await this.convertIn(worker, {
				id: this.nextId++,
				input,
				maxBytes: this.options.maxBytes,
				limits: {
					maxBlocks: limits.maxBlocks,
					maxElements: limits.maxElements,
					maxDepth: limits.maxDepth,
					maxLines: limits.maxLines,
				},
			})
		} catch (error) {
			await this.stopWorker()
			if (error instanceof WorkerLimit) {
				outcome = {
					ok: false,
					error: limitMessage(subject, error.kind, error.kind === 'time' ? limits.timeoutMs : limits.maxMemoryMb),
					limit: error.kind,
				}
			} else {
				console.error('[import] conversion failed:', error)
				outcome = { ok: false, error: `${subject} could not be converted. Check that it is valid text, Markdown or HTML.` }
			}
		}
		if (!this.closed) this.idleTimer = setTimeout(() => void this.stopWorker(), this.options.idleMs).unref()
		return outcome
	}

	private startedWorker(): Promise<Worker> {
		if (this.worker) return this.worker
		const started = new Promise<Worker>((resolve, reject) => {
			const worker = new Worker(workerEntry, {
				// Nothing of the server's own flags (tsx's or Vitest's hooks): the entry registers what it needs.
				execArgv: [],
				resourceLimits: { maxOldGenerationSizeMb: this.options.limits.maxMemoryMb },
			})
			// The worker holds no one's request open by itself; a server closing stops it.
			worker.unref()
			const fail = (error: Error & { code?: string }) => {
				clearTimeout(startTimer)
				reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkerLimit('memory') : error)
			}
			// Loading jsdom and the schema takes about a second; a worker that never says ready must not hold the queue.
			const startTimer = setTimeout(() => {
				fail(new Error(`the import worker did not start within ${workerStartMs} ms`))
				void worker.terminate()
			}, workerStartMs)
			worker.once('error', fail)
			worker.once('exit', (code) => fail(new Error(`the import worker exited (code ${code}) while starting`)))
			worker.once('message', (message: WorkerMessage) => {
				worker.off('error', fail)
				worker.removeAllListeners('exit')
				if (message.type !== 'ready') {
					fail(new Error(`the import worker said ${message.type} before it was ready`))
					return
				}
				clearTimeout(startTimer)
				resolve(worker)
				// However it ends, the next import starts another.
				worker.once('exit', () => {
					if (this.worker === started) this.worker = null
				})
			})
		})
		this.worker = started
		// A worker that failed to start is not kept: the next import tries again.
		started.catch(() => {
			if (this.worker === started) this.worker = null
		})
		return started
	}

	/** Resolves with the worker's answer; rejects with WorkerLimit when it ran out of time or memory. */
	private convertIn(worker: Worker, job: ImportJob): Promise<ConvertedImport> {
		return new Promise<ConvertedImport>((resolve, reject) => {
			const timer = setTimeout(() => finish(() => reject(new WorkerLimit('time'))), this.options.limits.timeoutMs)
			const onMessage = (message: WorkerMessage) => {
				if (message.type === 'done' && message.id === job.id) finish(() => resolve(message.result))
				else if (message.type === 'failed' && message.id === job.id) finish(() => reject(new Error(message.error)))
			}
			const onError = (error: Error & { code?: string }) => {
				// Node names a worker stopped at its heap limit so: https://nodejs.org/api/errors.html#err_worker_out_of_memory
				finish(() => reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkerLimit('memory') : error))
			}
			const onExit = (code: number) => finish(() => reject(new Error(`the import worker exited (code ${code})`)))
			const finish = (settle: () => void) => {
				clearTimeout(timer)
				worker.off('message', onMessage)
				worker.off('error', onError)
				worker.off('exit', onExit)
				settle()
			}
			worker.on('message', onMessage)
			worker.on('error', onError)
			worker.on('exit', onExit)
			worker.postMessage(job)
		})
	}

	private async stopWorker(): Promise<void> {
		const starting = this.worker
		this.worker = null
		const worker = await starting?.catch(() => null)
		await worker?.terminate()
	}
}

/** The worker went over a limit that only the worker itself can enforce. */
class WorkerLimit extends Error {
	constructor(readonly kind: 'time' | 'memory') {
		super(`the import worker went over its ${kind} limit`)
	}
}
