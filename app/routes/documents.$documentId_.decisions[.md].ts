import type { LoaderFunctionArgs } from '@remix-run/node'
import { recordMarkdown, requireDecisionRecord } from '#app/utils/decisions.server.ts'

/** /documents/:documentId/decisions.md — the record (or `?for=author`, the letter) as a Markdown file. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const record = await requireDecisionRecord(request, context, params.documentId)
	const name = record.reading === 'letter' ? 'decision-letter' : 'decision-record'
	return new Response(recordMarkdown(record), {
		headers: {
			'Content-Type': 'text/markdown; charset=utf-8',
			'Content-Disposition': `attachment; filename="${name}.md"`,
			'Cache-Control': 'private, no-store',
		},
	})
}
