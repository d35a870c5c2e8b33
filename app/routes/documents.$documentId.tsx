import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Editor } from '#app/components/Editor.tsx'
import { useLinkedAnnotation } from '#app/components/annotations/useLinkedAnnotation.ts'
import { useJumpToOffset } from '#app/components/dashboards/useJumpToOffset.ts'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { loadDocumentForReading } from '#app/utils/documents.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.document.title} · Scholion` : 'Document · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId)
	const doc = await loadDocumentForReading(context, user, access.document.id)
	return {
		group: { id: access.group.id, name: access.group.name },
		document: {
			id: access.document.id,
			title: access.document.title,
			wordCount: access.document.wordCount,
			sourceName: access.document.sourceName,
			createdAt: access.document.createdAt.toISOString(),
		},
		doc,
		// The live editor's starting point; the socket re-checks both and says when they change.
		canWrite: access.can('document.edit'),
		isMember: access.role !== null,
		annotations: { canAnnotate: access.can('annotation.create'), canModerate: access.can('annotation.deleteAny') },
		links: {
			dashboard: access.can('dashboard.view'),
			export: access.can('annotation.read'),
			// The public edition, once one is frozen (the reader's own 404 otherwise).
			reader: (await context.publication.published.editions(access.document.id)).length > 0,
		},
		user: { id: user.id, name: user.name, color: user.color },
	}
}

export default function DocumentPage() {
	const { group, document, doc, canWrite, isMember, user, annotations, links } = useLoaderData<typeof loader>()
	useLinkedAnnotation()
	useJumpToOffset()
	return (
		<article aria-labelledby="document-title">
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link>
			</p>
			<h1 id="document-title">{document.title}</h1>
			<p className="document-meta">
				{document.wordCount.toLocaleString('en')} words
				{document.sourceName ? ` · imported from ${document.sourceName}` : ' · pasted text'} on{' '}
				{document.createdAt.slice(0, 10)}
				{annotations.canAnnotate ? (
					<>
						{' · '}
						<Link to={`/documents/${document.id}/import-annotations`}>Import annotations</Link>
					</>
				) : null}
				{links.export ? (
					<>
						{' · '}
						<Link to={`/documents/${document.id}/export`}>Export annotations</Link>
					</>
				) : null}
				{links.dashboard ? (
					<>
						{' · '}
						<Link to={`/documents/${document.id}/dashboard`}>Dashboard</Link>
					</>
				) : null}
				{links.reader ? (
					<>
						{' · '}
						<a href={`/read/${document.id}`}>Public edition</a>
					</>
				) : null}
			</p>
			{/* Keyed by document: moving to another document starts a new session. */}
			<Editor key={document.id} documentId={document.id} doc={doc} user={user} canWrite={canWrite} isMember={isMember} annotations={annotations} />
		</article>
	)
}
