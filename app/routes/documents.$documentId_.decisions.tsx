import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DecisionRecordView } from '#app/components/record/DecisionRecordView.tsx'
import { requireDecisionRecord } from '#app/utils/decisions.server.ts'

/**
 * /documents/:documentId/decisions — the board's record of every review on
 * a document and its decision; `?for=author` is the same as a letter for the
 * manuscript's author (everyone a pseudonym). Stewards only; 404 to anyone
 * else. Printable and Markdown versions beside it.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Decisions on “${data.documentTitle}” · Scholion` : 'Decisions · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	return requireDecisionRecord(request, context, params.documentId)
}

export default function DecisionsPage() {
	const record = useLoaderData<typeof loader>()
	const letter = record.reading === 'letter'
	const query = letter ? '?for=author' : ''
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/documents/${record.documentId}`}>Back to the document</Link>
			</p>
			<nav aria-label="This record" className="record-links">
				{letter ? (
					<Link to={`/documents/${record.documentId}/decisions`}>The board’s record (names)</Link>
				) : (
					<Link to={`/documents/${record.documentId}/decisions?for=author`}>Pseudonymous letter for the author</Link>
				)}
				<Link to={`/documents/${record.documentId}/decisions/print${query}`}>Printable</Link>
				<a href={`/documents/${record.documentId}/decisions.md${query}`} download>
					Download as Markdown
				</a>
			</nav>
			<DecisionRecordView record={record} />
		</>
	)
}
