import { parentPort } from 'node:worker_threads'
import { documentToYUpdate } from '#app/editor/yjs.ts'
import { importDocument } from './index.ts'
import type { ConvertedImport, ImportJob, WorkerMessage } from './importer.ts'

/*
 * Runs in the import worker (see importer.ts): converts one source at a time and
 * answers with the document's first Yjs update, so that nothing of the parse, not
 * even the ProseMirror tree, ever reaches the main thread.
 */
const port = parentPort
if (!port) throw new Error('import-worker.ts runs only as a worker (see importer.ts)')

port.on('message', (job: ImportJob) => {
	let message: WorkerMessage
	try {
		const result = importDocument(job.input, { maxBytes: job.maxBytes, limits: job.limits })
		const converted: ConvertedImport = result.ok
			? {
					ok: true,
					// A copy of its own, so that exactly its bytes are handed over below.
					state: documentToYUpdate(result.doc).slice(),
					format: result.format,
					title: result.title,
					wordCount: result.wordCount,
				}
			: result
		message = { type: 'done', id: job.id, result: converted }
	} catch (error) {
		message = { type: 'failed', id: job.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }
	}
	const transfer = message.type === 'done' && message.result.ok ? [message.result.state.buffer as ArrayBuffer] : []
	port.postMessage(message, transfer)
})

port.postMessage({ type: 'ready' } satisfies WorkerMessage)
