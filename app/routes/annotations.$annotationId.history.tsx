import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { annotationStatusLabels, motivationLabels } from '#app/annotations/types.ts'
import { QuoteInContext, Time } from '#app/components/moderation/QuoteInContext.tsx'
import { StatusBadge } from '#app/components/moderation/StatusBadge.tsx'
import { loadHistory } from '#app/utils/moderation.server.ts'
import { isAnnotationError, isUuid } from '#app/utils/publication.server.ts'
import { findDocument, findRole } from '#app/utils/queries.server.ts'
import { isSteward } from '#app/policy/identity.ts'
import { notFound } from '#app/utils/responses.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `History of an annotation on ${data.document.title} · Scholion` : 'Annotation history · Scholion' },
]

const standingLabels = { published: 'Current', superseded: 'Superseded', retracted: 'Retracted' } as const

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	if (!isUuid(params.annotationId)) throw notFound('Annotation not found.')
	try {
		// history() lets in the group's members, and for a draft its author alone; anyone else gets the same 404 as a missing id.
		const history = await loadHistory(context, user, params.annotationId)
		const document = await findDocument(context.db, history.annotation.documentId)
		if (!document) throw notFound('Annotation not found.')
		const steward = isSteward(await findRole(context.db, history.annotation.groupId, user.id))
		const mayRetract = steward && history.versions.some((v) => v.standing === 'published')
		return { ...history, document: { id: document.id, title: document.title }, mayRetract }
	} catch (error) {
		if (isAnnotationError(error)) throw data(error.message, { status: error.status })
		throw error
	}
}

const retractSchema = z.object({
	intent: z.literal('retract'),
	notice: z.string().trim().min(1, 'Write the public notice that will stand in place of the annotation.').max(2000, 'Keep the notice under 2,000 characters.'),
	// Only back to a document page of this site: the margin's form comes from there.
	returnTo: z.string().regex(/^\/documents\/[0-9a-f-]{36}$/).optional().catch(undefined),
})

/** A steward retracts the current published version, from here or from the margin's form (which comes back to its document). */
export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	if (!isUuid(params.annotationId)) throw notFound('Annotation not found.')
	const parsed = retractSchema.safeParse(Object.fromEntries(await request.formData()))
	if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? 'That form was not valid.', message: null }, { status: 400 })
	try {
		const version = await context.publication.retract(user, params.annotationId, parsed.data.notice)
		if (parsed.data.returnTo) return redirect(parsed.data.returnTo)
		return { error: null, message: `Version ${version.number} retracted with your public notice.` }
	} catch (error) {
		if (isAnnotationError(error)) {
			if (error.status === 404) throw notFound('Annotation not found.')
			return data({ error: error.message, message: null }, { status: error.status })
		}
		throw error
	}
}

export default function AnnotationHistoryPage() {
	const { annotation, transitions, versions, document, mayRetract } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/documents/${document.id}`}>{document.title}</Link>
			</p>
			<h1>History of an annotation</h1>
			<p>
				<span className="badge">{motivationLabels[annotation.motivation]}</span> by {annotation.authorName} ·{' '}
				<StatusBadge status={annotation.status} />
			</p>
			{annotation.quote ? <QuoteInContext quote={annotation.quote} /> : null}
			<div className="markdown-body" dangerouslySetInnerHTML={{ __html: annotation.bodyHtml }} />

			<h2 id="versions-heading">Published versions</h2>
			{versions.length === 0 ? (
				<p className="empty">Nothing of this annotation has been published.</p>
			) : (
				<ul aria-labelledby="versions-heading">
					{versions.map((v) => (
						<li key={v.number}>
							<a href={`/a/${annotation.id}/v/${v.number}`}>Version {v.number}</a>
							{v.editionNumber !== null ? ` on edition ${v.editionNumber}` : ''}, published <Time iso={v.publishedAt} /> —{' '}
							{standingLabels[v.standing]}
							{v.retractionNotice ? `: “${v.retractionNotice}”` : ''}
						</li>
					))}
				</ul>
			)}
			{versions.length > 0 ? (
				<p>
					<a href={`/a/${annotation.id}`}>Public permalink of the current version</a>
				</p>
			) : null}
			{result?.message ? (
				<p className="form-success" role="status">
					{result.message}
				</p>
			) : null}
			{mayRetract ? (
				<Form method="post" className="retract-form" aria-labelledby="retract-heading">
					<h2 id="retract-heading">Retract</h2>
					<p className="muted">The current version stays resolvable, marked retracted, with your notice in its place.</p>
					<input type="hidden" name="intent" value="retract" />
					<label htmlFor="retract-notice">Public notice</label>
					<textarea
						id="retract-notice"
						name="notice"
						required
						maxLength={2000}
						rows={3}
						aria-invalid={result?.error ? true : undefined}
						aria-describedby={result?.error ? 'retract-error' : undefined}
					/>
					{result?.error ? (
						<p id="retract-error" className="field-error" role="alert">
							{result.error}
						</p>
					) : null}
					<button type="submit" className="danger">
						Retract the published version
					</button>
				</Form>
			) : null}

			<h2>Audit trail</h2>
			<table className="history-table">
				<caption className="sr-only">Every change of this annotation’s status, oldest first</caption>
				<thead>
					<tr>
						<th scope="col">When</th>
						<th scope="col">Who</th>
						<th scope="col">From → to</th>
						<th scope="col">Why</th>
						<th scope="col">Version</th>
					</tr>
				</thead>
				<tbody>
					{transitions.map((t, index) => (
						<tr key={index}>
							<td>
								<Time iso={t.at} />
							</td>
							<td>{t.actorName}</td>
							<td>
								{t.from ? annotationStatusLabels[t.from] : 'New'} → {annotationStatusLabels[t.to]}
							</td>
							<td>{t.reason}</td>
							<td>{t.versionNumber ?? '—'}</td>
						</tr>
					))}
				</tbody>
			</table>
		</>
	)
}
