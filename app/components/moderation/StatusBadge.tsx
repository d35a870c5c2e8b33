import { annotationStatusLabels, type AnnotationStatus } from '#app/annotations/types.ts'
import './moderation.css'

/** An annotation's status as a labelled badge, the same in the margin, the queue and the history. */
export function StatusBadge({ status }: { status: AnnotationStatus }) {
	return <span className={`badge status-badge status-${status}`}>{annotationStatusLabels[status]}</span>
}
