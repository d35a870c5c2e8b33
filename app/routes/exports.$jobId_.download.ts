import type { LoaderFunctionArgs } from '@remix-run/node'
import { findExport } from '#app/utils/exports.server.ts'
import { isUuid } from '#app/utils/publication.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

/** A finished export's file, for its owner only, as an attachment. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const job = isUuid(params.jobId) ? await findExport(context.db, user, params.jobId) : null
	if (!job) return new Response('Export not found.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
	if (job.status !== 'done' || job.content === null) {
		return new Response(job.status === 'failed' ? (job.error ?? 'The export failed.') : 'The export is not finished yet.', {
			status: 409,
			headers: { 'Content-Type': 'text/plain; charset=utf-8' },
		})
	}
	return new Response(job.content, {
		headers: {
			'Content-Type': job.mediaType,
			'Content-Disposition': `attachment; filename="${job.filename}"`,
			'Cache-Control': 'private, no-store',
		},
	})
}
