import { useEffect, useMemo, useState } from 'react'
import type { AnnotationStore, AnnotationsSnapshot, Thread } from '#app/annotations/client.ts'
import { annotationStatuses, annotationStatusLabels, motivationLabels, motivations } from '#app/annotations/types.ts'
import { ThreadCard, type Viewer } from './ThreadCard.tsx'

interface Filters {
	author: string
	tag: string
	motivation: string
	status: string
}

const noFilters: Filters = { author: '', tag: '', motivation: '', status: '' }

/**
 * Threads rendered at a time: a document with thousands of annotations
 * would otherwise put thousands of cards in the page. Filters narrow the
 * list; "Show more" extends it; a thread focused from the text is shown.
 */
const pageSize = 100

/** The author filter's key: the account where the viewer may know it, else the pseudonym (unique on the document). */
function authorKey(creator: { id: string | null; name: string }): string {
	return creator.id ?? `pseudonym:${creator.name}`
}

function matches(thread: Thread, filters: Filters): boolean {
	const { root } = thread
	return (
		(!filters.author || (root.creator !== null && authorKey(root.creator) === filters.author)) &&
		(!filters.tag || root.tags.includes(filters.tag)) &&
		(!filters.motivation || root.motivation === filters.motivation) &&
		(!filters.status || root.status === filters.status)
	)
}

/**
 * The margin: filters, the threads in reading order, and the "Orphaned"
 * list of annotations whose words are gone, where a reviewer confirms a
 * suggested place or anchors them to new text.
 */
export function AnnotationPanel({
	snapshot,
	store,
	viewer,
	focusedId,
	onFocus,
	onReanchor,
	onFiltered,
}: {
	snapshot: AnnotationsSnapshot
	store: AnnotationStore
	viewer: Viewer
	focusedId: string | null
	onFocus: (id: string) => void
	onReanchor: (id: string, useSuggestion: boolean) => void
	/** The threads left after filtering, so the text shows only their highlights. */
	onFiltered?: (threads: Thread[]) => void
}) {
	const [filters, setFilters] = useState<Filters>(noFilters)
	const all = [...snapshot.placed, ...snapshot.orphaned]
	const authors = useMemo(() => {
		const seen = new Map<string, string>()
		for (const { root } of all) if (root.creator) seen.set(authorKey(root.creator), root.creator.name)
		return [...seen].sort((a, b) => a[1].localeCompare(b[1]))
	}, [snapshot])
	const tags = useMemo(() => [...new Set(all.flatMap(({ root }) => root.tags))].sort(), [snapshot])
	const [limit, setLimit] = useState(pageSize)
	const placed = snapshot.placed.filter((t) => matches(t, filters))
	const orphaned = snapshot.orphaned.filter((t) => matches(t, filters))
	useEffect(() => onFiltered?.(placed), [snapshot, filters])
	const set = (key: keyof Filters) => (event: { target: { value: string } }) => setFilters({ ...filters, [key]: event.target.value })

	return (
		<aside className="annotation-panel" aria-label="Annotations">
			<h2 className="panel-title">
				Annotations <span className="muted">({placed.length + orphaned.length})</span>
			</h2>
			<fieldset className="filters">
				<legend>Filter</legend>
				<label>
					Author
					<select value={filters.author} onChange={set('author')}>
						<option value="">Anyone</option>
						{authors.map(([id, name]) => (
							<option key={id} value={id}>
								{name}
							</option>
						))}
					</select>
				</label>
				<label>
					Tag
					<select value={filters.tag} onChange={set('tag')}>
						<option value="">Any tag</option>
						{tags.map((tag) => (
							<option key={tag} value={tag}>
								{tag}
							</option>
						))}
					</select>
				</label>
				<label>
					Kind
					<select value={filters.motivation} onChange={set('motivation')}>
						<option value="">Any kind</option>
						{motivations.map((m) => (
							<option key={m} value={m}>
								{motivationLabels[m]}
							</option>
						))}
					</select>
				</label>
				<label>
					Status
					<select value={filters.status} onChange={set('status')}>
						<option value="">Any status</option>
						{annotationStatuses.map((status) => (
							<option key={status} value={status}>
								{annotationStatusLabels[status]}
							</option>
						))}
					</select>
				</label>
			</fieldset>
			{placed.length === 0 ? <p className="empty">No annotations{filters === noFilters ? ' yet' : ' match these filters'}.</p> : null}
			<div className="threads-scroll">
			<ol className="threads">
				{placed.slice(0, limit).map((thread) => (
					<li key={thread.root.id}>
						<ThreadCard thread={thread} store={store} viewer={viewer} focused={thread.root.id === focusedId} onFocus={onFocus} />
					</li>
				))}
			</ol>
			{placed.length > limit ? (
				<button type="button" className="secondary" onClick={() => setLimit(limit + pageSize)}>
					Show {Math.min(pageSize, placed.length - limit)} more of {placed.length - limit}
				</button>
			) : null}
			</div>
			{orphaned.length > 0 ? (
				<section aria-labelledby="orphaned-heading" className="orphaned">
					<h3 id="orphaned-heading">Orphaned ({orphaned.length})</h3>
					<p className="muted small">The words these annotations were on have changed or gone.</p>
					<ol className="threads">
						{orphaned.map((thread) => (
							<li key={thread.root.id}>
								<ThreadCard
									thread={thread}
									store={store}
									viewer={viewer}
									focused={thread.root.id === focusedId}
									onFocus={onFocus}
									onReanchor={onReanchor}
								/>
							</li>
						))}
					</ol>
				</section>
			) : null}
		</aside>
	)
}
