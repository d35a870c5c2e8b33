import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { PrintedEdition } from '#app/components/exports/PrintedEdition.tsx'
import '#app/components/exports/print.css'
import { printableEdition } from '#app/utils/exports.server.ts'
import { isUuid } from '#app/utils/publication.server.ts'
import { notFound } from '#app/utils/responses.ts'

/**
 * /read/:documentId/e/:n/print — an edition with its published annotations
 * as a printable paper: the browser's Print (or Save as PDF) gives clean
 * pages, margin notes turned into numbered notes. Public, like the reader:
 * only the published layer is shown.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.edition.documentTitle}, edition ${data.edition.number} (printable) · Scholion` : 'Printable edition · Scholion' },
]

export async function loader({ context, params }: LoaderFunctionArgs) {
	const number = /^[1-9]\d{0,8}$/.test(params.n ?? '') ? Number(params.n) : null
	const printable =
		isUuid(params.documentId) && number !== null ? await printableEdition(context.publication.published, context.appOrigin, params.documentId, number) : null
	if (!printable) throw notFound('No published edition has this address.')
	return printable
}

export default function PrintableEditionPage() {
	const printable = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/read/${printable.edition.documentId}/e/${printable.edition.number}`}>Back to the edition</Link>
			</p>
			<p className="print-hint notice">Use your browser’s Print command (Ctrl+P or ⌘P) and choose “Save as PDF” for a PDF of this paper.</p>
			<PrintedEdition {...printable} />
		</>
	)
}
