import { seesRealNames } from '#app/policy/identity.ts'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { addMember, changeRole, countMembers, listDocuments } from '#app/utils/queries.server.ts'
import { groupKindLabels, roleLabels } from '#app/policy/permissions.ts'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { documentEditions, queueSize } from '#app/utils/moderation.server.ts'
import { invariantResponse } from '#app/utils/responses.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.group.name} · Scholion` : 'Group · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId)
	const moderate = access.can('annotation.moderate')
	const [documents, memberCount, editions, waiting] = await Promise.all([
		listDocuments(context.db, access.group.id),
		countMembers(context.db, access.group.id),
		documentEditions(context, access.group.id),
		moderate ? queueSize(context, access.group.id) : Promise.resolve(0),
	])
	const latestEdition = new Map(editions.map((d) => [d.id, d.editions.at(-1)?.number ?? null]))
	return {
		// Not the whole row: it names its creator by account.
		group: { id: access.group.id, name: access.group.name, kind: access.group.kind, description: access.group.description },
		role: access.role,
		memberCount,
		documents: documents.map((doc) => ({
			...doc,
			// Who imported a text is a person like any other: not named where the mode hides names from this viewer.
			createdByName: seesRealNames(access.group.identityMode, access.role) ? doc.createdByName : null,
			latestEdition: latestEdition.get(doc.id) ?? null,
		})),
		waiting,
		may: {
			moderate,
			import: access.can('document.import'),
			dashboard: access.can('dashboard.view'),
			export: access.can('annotation.read'),
			viewMembers: access.can('members.view'),
			join: access.can('group.join'),
			leave: access.can('group.leave'),
		},
	}
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const form = await request.formData()
	const intent = form.get('intent')
	if (intent === 'join') {
		const access = await requireGroupAccess(context, user, params.groupId, 'group.join')
		await addMember(context.db, access.group.id, user.id, 'reader')
		return redirect(`/groups/${access.group.id}`)
	}
	if (intent === 'leave') {
		const access = await requireGroupAccess(context, user, params.groupId, 'group.leave')
		const result = await changeRole(context.db, access.group.id, user.id, null)
		invariantResponse(result.ok, result.ok ? '' : result.error)
		context.access.accessChanged(access.group.id, user.id)
		return redirect('/')
	}
	invariantResponse(false, 'Unknown action.')
}

export default function GroupPage() {
	const { group, role, documents, memberCount, waiting, may } = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to="/">Your groups</Link>
			</p>
			<h1>{group.name}</h1>
			<p className="muted">
				<span className="badge">{groupKindLabels[group.kind]}</span>{' '}
				{role ? <>You are {role === 'owner' ? 'an' : 'a'} {roleLabels[role].toLowerCase()}.</> : 'You are not a member.'}{' '}
				{may.viewMembers ? (
					<Link to={`/groups/${group.id}/members`}>
						{memberCount} {memberCount === 1 ? 'member' : 'members'}
					</Link>
				) : (
					<>
						{memberCount} {memberCount === 1 ? 'member' : 'members'}
					</>
				)}
			</p>
			{group.description ? <p className="lede">{group.description}</p> : null}
			<div className="actions">
				{may.import ? (
					<Link className="button" to={`/groups/${group.id}/import`}>
						Import a document
					</Link>
				) : null}
				{may.dashboard ? (
					<Link className="button secondary" to={`/groups/${group.id}/dashboard`}>
						Dashboard
					</Link>
				) : null}
				{may.export ? (
					<Link className="button secondary" to={`/groups/${group.id}/export`}>
						Export annotations
					</Link>
				) : null}
				{may.moderate ? (
					<Link className="button secondary" to={`/groups/${group.id}/moderation`}>
						Moderation queue ({waiting} waiting)
					</Link>
				) : null}
				{may.join ? (
					<Form method="post">
						<button type="submit" name="intent" value="join">
							Join this group
						</button>
					</Form>
				) : null}
			</div>
			<h2>Documents</h2>
			{documents.length === 0 ? (
				<p className="empty">No documents yet.</p>
			) : (
				<ul className="cards" aria-label="Documents">
					{documents.map((doc) => (
						<li key={doc.id} className="card">
							<h3>
								<Link to={`/documents/${doc.id}`}>{doc.title}</Link>
							</h3>
							<p className="muted">
								{doc.wordCount.toLocaleString('en')} words · imported from .{doc.sourceFormat}
								{doc.createdByName ? ` by ${doc.createdByName}` : ''}
							</p>
							{doc.latestEdition !== null ? (
								<p>
									<a href={`/read/${doc.id}/e/${doc.latestEdition}`} aria-label={`Public edition ${doc.latestEdition} of ${doc.title}`}>
										Public edition
									</a>{' '}
									<span className="muted small">(edition {doc.latestEdition})</span>
								</p>
							) : null}
						</li>
					))}
				</ul>
			)}
			{may.leave ? (
				<Form method="post" className="actions" style={{ marginTop: '2rem' }}>
					<button type="submit" name="intent" value="leave" className="danger">
						Leave this group
					</button>
				</Form>
			) : null}
		</>
	)
}
