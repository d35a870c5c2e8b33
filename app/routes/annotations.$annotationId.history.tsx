import { data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { annotationStatusLabels, motivationLabels } from '#app/annotations/types.ts'
import { QuoteInContext, Time } from '#app/components/moderation/QuoteInContext.tsx'
import { StatusBadge } from '#app/components/moderation/StatusBadge.tsx'
import { loadHistory } from '#app/utils/moderation.server.ts'
import { isAnnotationError, isUuid } from '#app/utils/publication.server.ts'
import { findDocument } from '#app/utils/queries.server.ts'
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
		return { ...history, document: { id: document.id, title: document.title } }
	} catch (error) {
		if (isAnnotationError(error)) throw data(error.message, { status: error.status })
		throw error
	}
}

export default function AnnotationHistoryPage() {
	const { annotation, transitions, versions, document } = useLoaderData<typeof loader>()
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
