import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import {
	failAnnotationImport,
	findAnnotationImport,
	finishAnnotationImport,
	insertAnnotationImport,
	recordImportProgress,
	type AnnotationImportRow,
} from '#db/queries/annotation-imports.ts'
import { isAnnotationError, type AnnotationService, type ImportedDraft } from '../annotations/service.ts'
import { parseAnnotationFile, type FileAnnotation, type FileFormat } from './formats.ts'

/** What an import did, as its status page shows it. */
export interface ImportSummary {
	format: FileFormat
	/** Annotations and replies the file holds (or says it holds). */
	inFile: number
	exact: number
	fuzzy: number
	orphaned: number
	replies: number
	/** Grouped by reason, with some of the file's ids for each. */
	skipped: { reason: string; count: number; examples: string[] }[]
}

export type ImportStatus =
	| { state: 'placing'; processed: number; total: number; stalled: boolean }
	| { state: 'done'; summary: ImportSummary }
	| { state: 'failed'; error: string }

/** A job still "placing" without news for this long died with its process; its transaction never committed. */
const stalledAfterMs = 2 * 60_000

/**
 * Imports annotations from a Hypothesis or W3C file onto a document, as
 * drafts of the importing user. The whole file is read and checked first:
 * a bad file is refused with a message and nothing happens. A good one
 * becomes a job (annotation_imports): its quotes are placed in the
 * background with progress recorded, then everything is written in one
 * transaction through the annotation service, which asks the permission
 * table (annotation.create) and applies the anchoring rules.
 */
export class AnnotationImporter {
	private static readonly running = new Set<Promise<void>>()

	constructor(
		private readonly db: Database,
		private readonly annotations: AnnotationService,
	) {}

	async start(
		user: User,
		documentId: string,
		file: { text: string; name: string | null },
	): Promise<{ ok: true; importId: string } | { ok: false; error: string }> {
		const parsed = parseAnnotationFile(file.text)
		if (!parsed.ok) return parsed
		if (parsed.annotations.length === 0) return { ok: false, error: 'The file holds no annotations.' }
		const plan = planImport(parsed.annotations)
		if (parsed.notInFile > 0) {
			plan.skipped.push({ key: `${parsed.notInFile}`, reason: 'on pages of the collection that are not in the file' })
		}
		if (plan.drafts.length === 0) {
			const reasons = [...new Set(plan.skipped.map((s) => s.reason))].join('; ')
			const n = parsed.annotations.length
			return { ok: false, error: `None of the ${n} annotation${n === 1 ? '' : 's'} in the file can be placed on the text (${reasons}). Nothing was imported.` }
		}
		// The whole file or nothing: a file over the quota is refused before its job exists.
		const overQuota = await this.annotations.importQuotaRefusal(documentId, plan.drafts.length)
		if (overQuota) return { ok: false, error: `${overQuota} Nothing was imported.` }
		const job = await insertAnnotationImport(this.db, {
			documentId,
			userId: user.id,
			format: parsed.format,
			fileName: file.name,
			total: plan.drafts.length,
		})
		const run = this.run(job, user, documentId, plan, parsed.format, parsed.annotations.length + parsed.notInFile).finally(() =>
			AnnotationImporter.running.delete(run),
		)
		AnnotationImporter.running.add(run)
		return { ok: true, importId: job.id }
	}

	/** Where an import of this user's on this document stands, or null if there is none. */
	async status(user: User, documentId: string, importId: string): Promise<(ImportStatus & { fileName: string | null }) | null> {
		const job = await findAnnotationImport(this.db, importId, user.id, documentId)
		return job ? { ...statusOf(job), fileName: job.fileName } : null
	}

	/** Waits for every import running in this process (tests, shutdown). */
	static async settle() {
		await Promise.all([...AnnotationImporter.running])
	}

	private async run(job: AnnotationImportRow, user: User, documentId: string, plan: ImportPlan, format: FileFormat, inFile: number) {
		try {
			const results = await this.annotations.importDrafts(user, documentId, plan.drafts, (placed) =>
				recordImportProgress(this.db, job.id, placed),
			)
			const summary: ImportSummary = {
				format,
				inFile,
				exact: results.filter((r) => r.placement === 'exact').length,
				fuzzy: results.filter((r) => r.placement === 'fuzzy').length,
				orphaned: results.filter((r) => r.placement === 'orphaned').length,
				replies: results.filter((r) => r.placement === null).length,
				skipped: groupSkipped(plan.skipped),
			}
			await finishAnnotationImport(this.db, job.id, summary)
		} catch (error) {
			if (!isAnnotationError(error)) console.error(`[import-annotations] import ${job.id} failed:`, error)
			const message = isAnnotationError(error) ? error.message : 'Something went wrong while writing the annotations.'
			await failAnnotationImport(this.db, job.id, `${message} Nothing was imported.`).catch((e: unknown) =>
				console.error(`[import-annotations] recording the failure of ${job.id} failed:`, e),
			)
		}
	}
}

function statusOf(job: AnnotationImportRow): ImportStatus {
	if (job.status === 'done') return { state: 'done', summary: job.summary as ImportSummary }
	if (job.status === 'failed') return { state: 'failed', error: job.error ?? 'The import failed. Nothing was imported.' }
	return { state: 'placing', processed: job.processed, total: job.total, stalled: Date.now() - job.updatedAt.getTime() > stalledAfterMs }
}

export interface ImportPlan {
	/** Roots first, then replies, so every reply's thread is written before it. */
	drafts: ImportedDraft[]
	skipped: { key: string; reason: string }[]
}

/**
 * Decides what of a file can be imported: annotations need a quote to be
 * placed by; replies need their thread's first annotation to come in too
 * (a reply to a reply joins that thread, Scholion's threads being flat).
 */
export function planImport(annotations: readonly FileAnnotation[]): ImportPlan {
	const skipped: ImportPlan['skipped'] = []
	const byId = new Map<string, FileAnnotation>()
	const unique: FileAnnotation[] = []
	for (const annotation of annotations) {
		if (byId.has(annotation.key)) {
			skipped.push({ key: annotation.key, reason: 'appears more than once in the file' })
			continue
		}
		unique.push(annotation)
		for (const id of [annotation.key, ...annotation.aliases]) if (!byId.has(id)) byId.set(id, annotation)
	}
	const roots = new Set<FileAnnotation>()
	const drafts: ImportedDraft[] = []
	const replies: ImportedDraft[] = []
	const draftOf = (a: FileAnnotation, parentKey: string | null): ImportedDraft => ({
		key: a.key,
		parentKey,
		motivation: a.motivation,
		body: a.body,
		tags: a.tags,
		createdAt: a.createdAt,
		quote: parentKey ? null : a.quote,
		position: parentKey ? null : a.position,
	})
	for (const annotation of unique) {
		if (annotation.repliesTo !== null) continue
		if (annotation.unusable) skipped.push({ key: annotation.key, reason: annotation.unusable })
		else if (!annotation.quote) skipped.push({ key: annotation.key, reason: 'no quote selector (a page note, or on the whole document rather than on words)' })
		else {
			roots.add(annotation)
			drafts.push(draftOf(annotation, null))
		}
	}
	for (const annotation of unique) {
		if (annotation.repliesTo === null) continue
		let thread = byId.get(annotation.repliesTo)
		for (let hops = 0; thread?.repliesTo && hops < 100; hops++) thread = byId.get(thread.repliesTo)
		if (annotation.unusable) skipped.push({ key: annotation.key, reason: annotation.unusable })
		else if (!thread || thread.repliesTo) skipped.push({ key: annotation.key, reason: 'a reply to an annotation that is not in the file' })
		else if (!roots.has(thread)) skipped.push({ key: annotation.key, reason: 'a reply to an annotation that was skipped' })
		else if (annotation.body.trim() === '') skipped.push({ key: annotation.key, reason: 'an empty reply' })
		else replies.push(draftOf(annotation, thread.key))
	}
	return { drafts: [...drafts, ...replies], skipped }
}

function groupSkipped(skipped: ImportPlan['skipped']): ImportSummary['skipped'] {
	const groups = new Map<string, { reason: string; count: number; examples: string[] }>()
	for (const { key, reason } of skipped) {
		const group = groups.get(reason) ?? { reason, count: 0, examples: [] }
		// "on pages not in the file" counts many at once; its key is the count.
		group.count += reason.startsWith('on pages') ? Number(key) : 1
		if (!reason.startsWith('on pages') && group.examples.length < 3) group.examples.push(key)
		groups.set(reason, group)
	}
	return [...groups.values()]
}
