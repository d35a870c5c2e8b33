import {
	MaxPartSizeExceededError,
	unstable_createMemoryUploadHandler,
	unstable_parseMultipartFormData,
	type AppLoadContext,
} from '@remix-run/node'
import { AnnotationImporter } from '#server/import-annotations/importer.ts'

/** The bridge from the import page to server/import-annotations. */
export type { ImportStatus, ImportSummary } from '#server/import-annotations/importer.ts'

export function annotationImporter(context: AppLoadContext) {
	return new AnnotationImporter(context.db, context.annotations)
}

export type UploadedFile = { ok: true; text: string; name: string | null } | { ok: false; error: string; status: 400 | 413 }

/**
 * Reads the form's one file, up to `limit` bytes (MAX_IMPORT_BYTES): refused
 * from its declared length before a byte is read, and counted while reading
 * (a chunked upload declares none). Other parts are drained and dropped.
 */
export async function readUploadedFile(request: Request, limit: number): Promise<UploadedFile> {
	const tooLarge = { ok: false, status: 413, error: `That file is too large to import: the limit is ${megabytes(limit)}.` } as const
	if (Number(request.headers.get('Content-Length') ?? 0) > limit + 64 * 1024) return tooLarge
	const memory = unstable_createMemoryUploadHandler({ maxPartSize: limit })
	let total = 0
	let form: FormData
	try {
		form = await unstable_parseMultipartFormData(request, async (part) => {
			async function* counted() {
				for await (const chunk of part.data) {
					total += chunk.byteLength
					if (total > limit + 64 * 1024) throw new MaxPartSizeExceededError(part.name, limit)
					yield chunk
				}
			}
			if (part.name !== 'file') {
				for await (const _chunk of counted()) {
					// drained
				}
				return undefined
			}
			return memory({ ...part, data: counted() })
		})
	} catch (error) {
		if (error instanceof MaxPartSizeExceededError) return tooLarge
		return { ok: false, status: 400, error: 'The form could not be read. Choose the file again and retry.' }
	}
	const file = form.get('file')
	if (!(file instanceof File) || (file.size === 0 && file.name === '')) {
		return { ok: false, status: 400, error: 'Choose a file to import: a Hypothesis export or a W3C Web Annotation collection (.json).' }
	}
	if (file.size === 0) return { ok: false, status: 400, error: 'That file is empty.' }
	let text: string
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer())
	} catch {
		return { ok: false, status: 400, error: 'That file is not UTF-8 text, so it cannot be JSON.' }
	}
	return { ok: true, text, name: file.name || null }
}

export function megabytes(bytes: number) {
	return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`
}
