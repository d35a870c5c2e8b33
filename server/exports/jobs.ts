import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import {
	deleteExportJobsBefore,
	finishExportJob,
	findExportJob,
	insertExportJob,
	setExportProgress,
	type ExportJobRow,
} from '#db/queries/exports.ts'
import { annotationMediaType } from '#app/publication/web-annotation.ts'
import type { AnnotationService } from '../annotations/service.ts'
import { collectExport, type ExportScope, type ProgressListener } from './collect.ts'
import { toCsv } from './csv.ts'
import { toMarkdown } from './markdown.ts'
import { toWorkingCopyCollection } from './web-annotation.ts'

export const exportFormats = ['csv', 'jsonld', 'markdown'] as const
export type ExportFormat = (typeof exportFormats)[number]

export const exportFormatLabels: Record<ExportFormat, string> = {
	csv: 'CSV (a spreadsheet: one row per annotation or reply)',
	jsonld: 'W3C Web Annotation collection (JSON-LD)',
	markdown: 'Markdown (the text, each annotation a footnote at its quote)',
}

const files: Record<ExportFormat, { extension: string; mediaType: string }> = {
	csv: { extension: 'csv', mediaType: 'text/csv; charset=utf-8' },
	jsonld: { extension: 'jsonld', mediaType: annotationMediaType },
	markdown: { extension: 'md', mediaType: 'text/markdown; charset=utf-8' },
}

/** How long a finished export stays downloadable. */
export const keepExportsMs = 24 * 60 * 60 * 1000
/** Progress is written at most this often (each write is a row update every poller reads). */
const progressEveryMs = 250

export interface ExportDeps {
	db: Database
	annotations: AnnotationService
	/** The app's origin, for the JSON-LD's IRIs. */
	origin: string
}

/** The export's file: its bytes, name and type. */
export async function buildExport(
	deps: ExportDeps,
	user: User,
	scope: ExportScope,
	format: ExportFormat,
	meta: { id: string; label: string },
	onProgress?: ProgressListener,
): Promise<string> {
	const documents = await collectExport(deps, user, scope, onProgress)
	try {
		if (format === 'csv') return toCsv(documents)
		if (format === 'markdown') return toMarkdown(documents)
		return JSON.stringify(toWorkingCopyCollection(documents, { id: meta.id, label: meta.label, origin: deps.origin }), null, 2)
	} finally {
		for (const document of documents) document.current.destroy()
	}
}

/** The IRI of a job's download: the JSON-LD collection's id. */
export function downloadPath(jobId: string): string {
	return `/exports/${jobId}/download`
}

function slug(text: string): string {
	return (
		text
			.normalize('NFKD')
			.replace(/[\u0300-\u036f]/g, '')
			.replace(/[^A-Za-z0-9]+/g, '-')
			.replace(/^-|-$/g, '')
			.toLowerCase()
			.slice(0, 60) || 'annotations'
	)
}

/**
 * Starts an export in the background and returns its job at once: the
 * progress page polls the row (any instance can answer), and the finished
 * file is kept in it for a day. The caller has checked that the user may
 * read the scope; what is exported is what they may see.
 */
export async function startExport(
	deps: ExportDeps,
	user: User,
	scope: ExportScope & { label: string },
	format: ExportFormat,
): Promise<ExportJobRow> {
	await deleteExportJobsBefore(deps.db, new Date(Date.now() - keepExportsMs))
	const file = files[format]
	const job = await insertExportJob(deps.db, {
		userId: user.id,
		scope: scope.kind,
		scopeId: scope.id,
		label: scope.label,
		format,
		filename: `${slug(scope.label)}-annotations.${file.extension}`,
		mediaType: file.mediaType,
	})
	void runExport(deps, user, scope, format, job).catch((error: unknown) => {
		console.error(`[exports] export ${job.id} failed:`, error)
	})
	return job
}

async function runExport(deps: ExportDeps, user: User, scope: ExportScope & { label: string }, format: ExportFormat, job: ExportJobRow) {
	let lastWrite = 0
	const onProgress: ProgressListener = async (done, total) => {
		const now = Date.now()
		if (done !== 0 && done !== total && now - lastWrite < progressEveryMs) return
		lastWrite = now
		await setExportProgress(deps.db, job.id, done, total)
	}
	try {
		const label = `Annotations on “${scope.label}”`
		const content = await buildExport(deps, user, scope, format, { id: deps.origin.replace(/\/+$/, '') + downloadPath(job.id), label }, onProgress)
		await finishExportJob(deps.db, job.id, { content })
	} catch (error) {
		await finishExportJob(deps.db, job.id, { error: 'The export failed. Try again; if it keeps failing, tell the group’s owner.' })
		throw error
	}
}

export async function findExport(db: Database, user: User, jobId: string) {
	return findExportJob(db, jobId, user.id)
}
