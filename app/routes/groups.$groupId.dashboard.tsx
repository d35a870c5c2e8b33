import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { ActivityFeed } from '#app/components/dashboards/ActivityFeed.tsx'
import { ParticipationTable } from '#app/components/dashboards/ParticipationTable.tsx'
import { ThroughputChart } from '#app/components/dashboards/ThroughputChart.tsx'
import { formatDuration } from '#app/components/dashboards/format.ts'
import '#app/components/dashboards/dashboards.css'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { activityFeed, countSharedByDocument, moderationThroughput, participation, participationSort } from '#app/utils/dashboards.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Dashboard · ${data.group.name} · Scholion` : 'Dashboard · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'dashboard.view')
	const sort = participationSort(request)
	const scope = { groupId: access.group.id }
	const [rows, documents, throughput, feed] = await Promise.all([
		participation(context.db, access.group.id, scope, sort),
		countSharedByDocument(context.db, access.group.id),
		moderationThroughput(context.db, scope),
		activityFeed(context.db, scope, user.id),
	])
	return { group: { id: access.group.id, name: access.group.name }, sort, rows, documents, throughput, feed }
}

export default function GroupDashboard() {
	const { group, sort, rows, documents, throughput, feed } = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link>
			</p>
			<h1>Dashboard: {group.name}</h1>
			<p className="muted">
				Shared work only: drafts are their authors’ alone and are not counted. <Link to={`/groups/${group.id}/export`}>Export the group’s annotations</Link>
			</p>
			<section className="dashboard-section" aria-labelledby="participation-heading">
				<h2 id="participation-heading">Who took part</h2>
				<div className="table-scroll">
					<ParticipationTable rows={rows} sort={sort.column} order={sort.direction} />
				</div>
			</section>
			<section className="dashboard-section" aria-labelledby="documents-heading">
				<h2 id="documents-heading">Documents</h2>
				{documents.length === 0 ? (
					<p className="empty">No documents yet.</p>
				) : (
					<ul className="document-dashboards">
						{documents.map((doc) => (
							<li key={doc.documentId}>
								<Link to={`/documents/${doc.documentId}/dashboard`}>{doc.title}</Link>{' '}
								<span className="muted">
									{doc.n} shared {doc.n === 1 ? 'annotation' : 'annotations'}
								</span>
							</li>
						))}
					</ul>
				)}
			</section>
			<section className="dashboard-section" aria-labelledby="throughput-heading">
				<h2 id="throughput-heading">Moderation</h2>
				<p>
					{throughput.decisions} {throughput.decisions === 1 ? 'decision' : 'decisions'}; median time to decision{' '}
					<strong data-testid="median-time">{formatDuration(throughput.medianMs)}</strong>.
				</p>
				<ThroughputChart throughput={throughput} />
			</section>
			<section className="dashboard-section" aria-labelledby="activity-heading">
				<h2 id="activity-heading">Recent activity</h2>
				<ActivityFeed items={feed} />
			</section>
		</>
	)
}
