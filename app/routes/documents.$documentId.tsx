import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { DocumentView } from '#app/components/DocumentView.tsx'
import { audienceShort } from '#app/components/moderation/AudienceForm.tsx'
import { effectiveAudience } from '#app/policy/identity.ts'
import { Editor } from '#app/components/Editor.tsx'
import { describeDamage, isDamaged } from '#app/editor/salvage.ts'
import { useLinkedAnnotation } from '#app/components/annotations/useLinkedAnnotation.ts'
import { useJumpToOffset } from '#app/components/dashboards/useJumpToOffset.ts'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { loadDocumentForReading } from '#app/utils/documents.server.ts'
import { ownPresence, whoIsWho } from '#app/utils/identity.server.ts'
import { invariantResponse } from '#app/utils/responses.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.document.title} · Scholion` : 'Document · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId)
	const audience = effectiveAudience(access.group.publishedAudience, access.document.publishedAudience)
	const { doc, damage } = await loadDocumentForReading(context, user, access.document.id)
	const [presence, legend] = await Promise.all([
		ownPresence(context, user, access.group, access.document.id),
		whoIsWho(context, access.group, access.role, access.document.id),
	])
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
		// Stored content the schema refuses: shown as far as it can be read, until someone allowed repairs it.
		damage: isDamaged(damage) ? { count: damage.count, canRepair: access.can('document.repair') } : null,
		// The live editor's starting point; the socket re-checks both and says when they change.
		canWrite: access.can('document.edit'),
		isMember: access.role !== null,
		annotations: { canAnnotate: access.can('annotation.create'), canModerate: access.can('annotation.deleteAny') },
		links: {
			dashboard: access.can('dashboard.view'),
			decisions: access.can('annotation.moderate'),
			export: access.can('annotation.read'),
			// The published edition, once one is frozen and its audience lets anyone read it (the reader's own 404 otherwise).
			reader: audience !== 'none' && (await context.publication.published.editions(access.document.id)).length > 0,
		},
		audience,
		// As the room shows this user (a pseudonym in a pseudonymous room): what their editor publishes and labels "(you)".
		user: { id: user.id, name: presence.name, color: presence.color },
		// Stewards see pseudonyms in a pseudonymous room's presence like everyone there; this says whose each is.
		legend,
	}
}

/** Repairs a document damaged in storage: its content becomes what can be read of it, for everyone at once. */
export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'document.repair')
	const form = await request.formData()
	invariantResponse(form.get('intent') === 'repair', 'Unknown action.')
	const damage = await context.repairs.repairDocument(access.document.id)
	if (damage) console.log(`[documents] ${user.id} repaired document ${access.document.id} (${describeDamage(damage)})`)
	return redirect(`/documents/${access.document.id}`)
}

export default function DocumentPage() {
	const { group, document, doc, damage, canWrite, isMember, user, annotations, links, audience, legend } = useLoaderData<typeof loader>()
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
				{links.decisions ? <>{' · '}<Link to={`/documents/${document.id}/decisions`}>Decisions</Link></> : null}
				{links.reader ? (
					<>
						{' · '}
						<a href={`/read/${document.id}`}>{audience === 'public' ? 'Public edition' : 'Published edition'}</a>
					</>
				) : null}
				{' · '}Published layer: {audienceShort[audience]}
			</p>
			{legend.length > 0 ? (
				<details className="who-is-who">
					<summary>Who is who (only owners and moderators see this)</summary>
					<ul>
						{legend.map((entry) => (
							<li key={entry.label}>
								<span className="swatch" style={{ background: entry.color }} aria-hidden="true" /> {entry.label}: {entry.name}
							</li>
						))}
					</ul>
				</details>
			) : null}
			{damage ? (
				// No live editor on a damaged document: the editor's binding would drop what it cannot read
				// (and a deep tree overflows it), and anchors cannot be placed in salvaged text.
				<>
					<div className="notice damaged" role="status">
						<p>
							Part of this document is damaged and cannot be shown as it was stored ({damage.count}{' '}
							{damage.count === 1 ? 'problem' : 'problems'}). What can be read is shown below; removed parts are marked
							“[Unreadable content removed]”. Editing and annotating are paused until it is repaired.
						</p>
						{damage.canRepair ? (
							<Form method="post">
								<p>Repairing replaces the document with the text shown below, for everyone.</p>
								<button type="submit" name="intent" value="repair">
									Repair this document
								</button>
							</Form>
						) : (
							<p>Its group’s owners and moderators can repair it.</p>
						)}
					</div>
					<DocumentView doc={doc} />
				</>
			) : (
				// Keyed by document: moving to another document starts a new session.
				<Editor key={document.id} documentId={document.id} doc={doc} user={user} legend={legend} canWrite={canWrite} isMember={isMember} annotations={annotations} />
			)}
		</article>
	)
}
