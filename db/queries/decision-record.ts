import { asc, inArray } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { annotationTransitions } from '../schema/index.ts'
import type { TransitionRow } from './publication.ts'

/** The audit log of several annotations, oldest first (a document's decision record). */
export async function listTransitionsOf(db: Database, annotationIds: string[]): Promise<TransitionRow[]> {
	if (annotationIds.length === 0) return []
	return db
		.select()
		.from(annotationTransitions)
		.where(inArray(annotationTransitions.annotationId, annotationIds))
		.orderBy(asc(annotationTransitions.id))
}
