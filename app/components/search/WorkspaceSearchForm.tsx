import { Form } from '@remix-run/react'
import { annotationStatusLabels, annotationStatuses, motivationLabels, motivations } from '#app/annotations/types.ts'
import type { FieldErrors } from '#app/utils/forms.ts'
import { Field, FormError } from '../Field.tsx'
import './search.css'

export interface SearchFilterOptions {
	groups: { id: string; name: string }[]
	documents: { id: string; title: string; groupId: string }[]
	authors: { id: string; name: string }[]
}

function Select({
	label,
	name,
	value,
	error,
	children,
}: {
	label: string
	name: string
	value: string
	error?: string
	children: React.ReactNode
}) {
	const id = `search-${name}`
	return (
		<div className="field">
			<label htmlFor={id}>{label}</label>
			<select
				id={id}
				name={name}
				defaultValue={value}
				aria-invalid={error ? true : undefined}
				aria-describedby={error ? `${id}-error` : undefined}
			>
				{children}
			</select>
			{error ? (
				<p className="field-error" id={`${id}-error`}>
					{error}
				</p>
			) : null}
		</div>
	)
}

/** The search form: a plain GET form, so it works without JavaScript and every search has an address. */
export function WorkspaceSearchForm({
	values,
	errors,
	options,
}: {
	values: Record<string, string>
	errors: FieldErrors
	options: SearchFilterOptions
}) {
	const v = (name: string) => values[name] ?? ''
	return (
		<Form method="get" className="form search-form" role="search" aria-label="Annotations and documents">
			{Object.keys(errors).length > 0 ? <FormError error="Some filters are not right: see below." /> : null}
			<div className="words">
				<Field
					label="Words"
					name="q"
					type="search"
					defaultValue={v('q')}
					error={errors.q}
					hint={'Words are matched in any form ("argue" finds "argued"); "quotes" for a phrase, -word to leave out.'}
					maxLength={200}
				/>
			</div>
			<Select label="Look in" name="in" value={v('in') || 'all'} error={errors.in}>
				<option value="all">Annotations and documents</option>
				<option value="annotations">Annotations only</option>
				<option value="documents">Document text only</option>
			</Select>
			<Select label="Group" name="group" value={v('group')} error={errors.group}>
				<option value="">Any group</option>
				{options.groups.map((g) => (
					<option key={g.id} value={g.id}>
						{g.name}
					</option>
				))}
			</Select>
			<Select label="Document" name="document" value={v('document')} error={errors.document}>
				<option value="">Any document</option>
				{options.documents.map((d) => (
					<option key={d.id} value={d.id}>
						{d.title}
					</option>
				))}
			</Select>
			<Select label="Author" name="author" value={v('author')} error={errors.author}>
				<option value="">Anyone</option>
				{options.authors.map((a) => (
					<option key={a.id} value={a.id}>
						{a.name}
					</option>
				))}
			</Select>
			<Field label="Tag" name="tag" defaultValue={v('tag')} error={errors.tag} maxLength={60} />
			<Select label="Kind" name="motivation" value={v('motivation')} error={errors.motivation}>
				<option value="">Any kind</option>
				{motivations.map((m) => (
					<option key={m} value={m}>
						{motivationLabels[m]}
					</option>
				))}
			</Select>
			<Select label="Status" name="status" value={v('status')} error={errors.status}>
				<option value="">Any status</option>
				{annotationStatuses.map((s) => (
					<option key={s} value={s}>
						{s === 'draft' ? 'My drafts' : annotationStatusLabels[s]}
					</option>
				))}
			</Select>
			<Field label="Written from" name="from" type="date" defaultValue={v('from')} error={errors.from} />
			<Field label="Written until" name="to" type="date" defaultValue={v('to')} error={errors.to} />
			<div className="actions">
				<button type="submit">Search</button>
				<span className="muted small">Author, tag, kind, status and dates narrow the results to annotations.</span>
			</div>
		</Form>
	)
}
