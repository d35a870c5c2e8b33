import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DecisionRecordView } from '#app/components/record/DecisionRecordView.tsx'
import { requireDecisionRecord } from '#app/utils/decisions.server.ts'

/** /documents/:documentId/decisions/print — the record (or `?for=author`, the letter) laid out for paper. */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Decisions on “${data.documentTitle}” (printable) · Scholion` : 'Decisions · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	return requireDecisionRecord(request, context, params.documentId)
}

export default function PrintableDecisions() {
	const record = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/documents/${record.documentId}/decisions${record.reading === 'letter' ? '?for=author' : ''}`}>Back to the record</Link>
			</p>
			<p className="print-hint notice">Use your browser’s Print command (Ctrl+P or ⌘P) and choose “Save as PDF” for a PDF of this record.</p>
			<DecisionRecordView record={record} />
		</>
	)
}
