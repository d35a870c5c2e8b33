import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { ExportProgress, pollMs } from '#app/components/exports/ExportProgress.tsx'
import { downloadPath, exportFormatLabels, findExport } from '#app/utils/exports.server.ts'
import { isUuid } from '#app/utils/publication.server.ts'
import { notFound } from '#app/utils/responses.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.job.status === 'running' ? 'Exporting' : 'Export'} · ${data.job.label} · Scholion` : 'Export · Scholion' },
	// Without JavaScript the page refreshes itself until the file is ready.
	...(data?.job.status === 'running' ? [{ httpEquiv: 'refresh', content: String(Math.ceil(pollMs / 1000)) }] : []),
]

/** An export's progress page: only its owner sees it; anyone else gets the same 404 as for no export at all. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const job = isUuid(params.jobId) ? await findExport(context.db, user, params.jobId) : null
	if (!job) throw notFound('Export not found.')
	return {
		job: {
			id: job.id,
			label: job.label,
			formatLabel: exportFormatLabels[job.format],
			status: job.status,
			done: job.done,
			total: job.total,
			error: job.error,
			downloadUrl: downloadPath(job.id),
			filename: job.filename,
		},
		back: job.scope === 'document' ? `/documents/${job.scopeId}` : `/groups/${job.scopeId}`,
	}
}

export default function ExportPage() {
	const { job, back } = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={back}>Back to {job.label}</Link>
			</p>
			<h1>Export</h1>
			<ExportProgress job={job} />
		</>
	)
}
