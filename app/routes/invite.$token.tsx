import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { acceptInvite, findRole, findUsableInvite } from '#app/utils/queries.server.ts'
import { groupKindLabels, roleLabels } from '#app/policy/permissions.ts'
import { hashToken } from '#app/utils/crypto.server.ts'
import { notFound } from '#app/utils/responses.ts'
import { getUser, requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Invitation · Scholion' }]

async function usableInvite(context: LoaderFunctionArgs['context'], token: string | undefined) {
	const found = token ? await findUsableInvite(context.db, hashToken(token)) : null
	// Unknown, expired and revoked links look the same: a link cannot be probed.
	if (!found) throw notFound('This invitation has expired or been revoked, or the link is incomplete.')
	return found
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const { invite, group } = await usableInvite(context, params.token)
	const user = await getUser(request, context)
	const currentRole = user ? await findRole(context.db, group.id, user.id) : null
	return {
		group: { id: group.id, name: group.name, kind: group.kind, description: group.description },
		role: invite.role,
		signedIn: Boolean(user),
		currentRole,
		here: new URL(request.url).pathname,
	}
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const { invite, group } = await usableInvite(context, params.token)
	await acceptInvite(context.db, invite, user.id)
	return redirect(`/groups/${group.id}`)
}

export default function InvitePage() {
	const { group, role, signedIn, currentRole, here } = useLoaderData<typeof loader>()
	const back = encodeURIComponent(here)
	return (
		<>
			<h1>Join {group.name}</h1>
			<p className="lede">
				You are invited to join this {groupKindLabels[group.kind].toLowerCase()} as {role === 'owner' ? 'an' : 'a'}{' '}
				<strong>{roleLabels[role].toLowerCase()}</strong>.
			</p>
			{group.description ? <p>{group.description}</p> : null}
			{!signedIn ? (
				<div className="actions">
					<Link className="button" to={`/signup?redirectTo=${back}`}>
						Sign up to join
					</Link>
					<Link className="button secondary" to={`/login?redirectTo=${back}`}>
						Log in to join
					</Link>
				</div>
			) : currentRole ? (
				<p>
					You are already {currentRole === 'owner' ? 'an' : 'a'} {roleLabels[currentRole].toLowerCase()} in this group.{' '}
					<Link to={`/groups/${group.id}`}>Go to {group.name}</Link>
				</p>
			) : (
				<Form method="post">
					<button type="submit">Accept and join</button>
				</Form>
			)}
		</>
	)
}
