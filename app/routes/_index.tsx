import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listGroupsOf, listOpenCommunities } from '#app/utils/queries.server.ts'
import { groupKindLabels, roleLabels } from '#app/policy/permissions.ts'
import { getUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [
	{ title: 'Scholion' },
	{ name: 'description', content: 'Read, annotate and review sources together.' },
]

export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await getUser(request, context)
	if (!user) return { signedIn: false as const }
	const [groups, communities] = await Promise.all([
		listGroupsOf(context.db, user.id),
		listOpenCommunities(context.db, user.id),
	])
	return { signedIn: true as const, name: user.name, groups, communities }
}

export default function HomePage() {
	const data = useLoaderData<typeof loader>()
	if (!data.signedIn) {
		return (
			<>
				<h1>Read closely, together.</h1>
				<p className="lede">
					Scholion is where seminar groups annotate sources side by side, editorial boards review manuscripts,
					and the annotations that stand are published for anyone to read and cite.
				</p>
				<div className="actions">
					<Link className="button" to="/signup">
						Create an account
					</Link>
					<Link className="button secondary" to="/login">
						Log in
					</Link>
				</div>
			</>
		)
	}
	return (
		<>
			<h1>Your groups</h1>
			<div className="actions">
				<Link className="button" to="/groups/new">
					New group
				</Link>
			</div>
			{data.groups.length === 0 ? (
				<p className="empty">You are not in any group yet. Create one, or open an invite link someone sent you.</p>
			) : (
				<ul className="cards" aria-label="Your groups">
					{data.groups.map((group) => (
						<li key={group.id} className="card">
							<h3>
								<Link to={`/groups/${group.id}`}>{group.name}</Link>
							</h3>
							<p className="muted">
								{groupKindLabels[group.kind]} · {roleLabels[group.role]} · {group.documentCount}{' '}
								{group.documentCount === 1 ? 'document' : 'documents'}
							</p>
						</li>
					))}
				</ul>
			)}
			{data.communities.length > 0 ? (
				<>
					<h2>Open communities you can join</h2>
					<ul className="cards">
						{data.communities.map((group) => (
							<li key={group.id} className="card">
								<h3>
									<Link to={`/groups/${group.id}`}>{group.name}</Link>
								</h3>
								{group.description ? <p className="muted">{group.description}</p> : null}
							</li>
						))}
					</ul>
				</>
			) : null}
		</>
	)
}
