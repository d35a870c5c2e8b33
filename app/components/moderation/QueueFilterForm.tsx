import { Form } from '@remix-run/react'
import { motivationLabels, motivations } from '#app/annotations/types.ts'
import type { QueueFilters } from './types.ts'

/** Narrows the queue by document, kind, tag and author: a GET form, so a filtered queue has a URL. */
export function QueueFilterForm({
	filters,
	documents,
	authors,
	tags,
	error,
}: {
	filters: QueueFilters
	documents: { id: string; title: string }[]
	authors: { id: string; name: string }[]
	tags: string[]
	error: string | null
}) {
	return (
		<Form method="get" className="queue-filters" aria-label="Filter the queue" preventScrollReset>
			{error ? (
				<p className="form-error" role="alert">
					{error}
				</p>
			) : null}
			<label>
				Document
				<select name="document" defaultValue={filters.document ?? ''}>
					<option value="">Any document</option>
					{documents.map((d) => (
						<option key={d.id} value={d.id}>
							{d.title}
						</option>
					))}
				</select>
			</label>
			<label>
				Kind
				<select name="kind" defaultValue={filters.kind ?? ''}>
					<option value="">Any kind</option>
					{motivations.map((m) => (
						<option key={m} value={m}>
							{motivationLabels[m]}
						</option>
					))}
				</select>
			</label>
			<label>
				Tag
				<select name="tag" defaultValue={filters.tag ?? ''}>
					<option value="">Any tag</option>
					{tags.map((t) => (
						<option key={t} value={t}>
							{t}
						</option>
					))}
				</select>
			</label>
			<label>
				Author
				<select name="author" defaultValue={filters.author ?? ''}>
					<option value="">Anyone</option>
					{authors.map((a) => (
						<option key={a.id} value={a.id}>
							{a.name}
						</option>
					))}
				</select>
			</label>
			<div className="actions">
				<button type="submit" className="secondary">
					Apply filters
				</button>
				<a href="?">Clear</a>
			</div>
		</Form>
	)
}
