import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { ActivityFeed } from '#app/components/dashboards/ActivityFeed.tsx'
import { DensityStripView } from '#app/components/dashboards/DensityStripView.tsx'
import { ParticipationTable } from '#app/components/dashboards/ParticipationTable.tsx'
import { ThroughputChart } from '#app/components/dashboards/ThroughputChart.tsx'
import { formatDuration } from '#app/components/dashboards/format.ts'
import '#app/components/dashboards/dashboards.css'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { activityFeed, densityStrip, moderationThroughput, participation, participationSort } from '#app/utils/dashboards.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Dashboard · ${data.document.title} · Scholion` : 'Dashboard · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'dashboard.view')
	const sort = participationSort(request)
	const scope = { documentId: access.document.id }
	const [rows, strip, throughput, feed] = await Promise.all([
		participation(context.db, access.group.id, scope, sort),
		densityStrip(context.db, access.document.id),
		moderationThroughput(context.db, scope),
		activityFeed(context.db, scope, user.id),
	])
	return {
		group: { id: access.group.id, name: access.group.name },
		document: { id: access.document.id, title: access.document.title },
		sort,
		rows,
		strip,
		throughput,
		feed,
	}
}

export default function DocumentDashboard() {
	const { group, document, sort, rows, strip, throughput, feed } = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link> · <Link to={`/groups/${group.id}/dashboard`}>Group dashboard</Link>
			</p>
			<h1>Dashboard: {document.title}</h1>
			<p className="muted">
				Shared work only: drafts are their authors’ alone and are not counted. <Link to={`/documents/${document.id}`}>Open the document</Link> ·{' '}
				<Link to={`/documents/${document.id}/export`}>Export its annotations</Link>
			</p>
			<section className="dashboard-section" aria-labelledby="participation-heading">
				<h2 id="participation-heading">Who took part</h2>
				<div className="table-scroll">
					<ParticipationTable rows={rows} sort={sort.column} order={sort.direction} />
				</div>
			</section>
			<section className="dashboard-section" aria-labelledby="density-heading">
				<h2 id="density-heading">Where the annotations are</h2>
				<DensityStripView documentId={document.id} strip={strip} />
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
