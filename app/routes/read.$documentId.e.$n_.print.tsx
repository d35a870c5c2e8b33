import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { PrintedEdition } from '#app/components/exports/PrintedEdition.tsx'
import '#app/components/exports/print.css'
import { printableEdition } from '#app/utils/exports.server.ts'
import { isUuid } from '#app/utils/publication.server.ts'
import { grantHeaders, grantShown, noEditionHere, requirePublishedGrant } from '#app/utils/reader.server.ts'
import { notFound } from '#app/utils/responses.ts'
import { AudienceNotice } from '#app/components/reader/AudienceNotice.tsx'

/**
 * /read/:documentId/e/:n/print — an edition with its published annotations
 * as a printable paper: the browser's Print (or Save as PDF) gives clean
 * pages, margin notes turned into numbered notes. Like the reader: only the
 * published layer, to whom its audience allows.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `${data.edition.documentTitle}, edition ${data.edition.number} (printable) · Scholion` : 'Printable edition · Scholion' },
]

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const number = /^[1-9]\d{0,8}$/.test(params.n ?? '') ? Number(params.n) : null
	if (!isUuid(params.documentId) || number === null) throw notFound(noEditionHere)
	const grant = await requirePublishedGrant(request, context, { documentId: params.documentId }, noEditionHere)
	const printable = await printableEdition(context.publication.published, context.appOrigin, params.documentId, number)
	if (!printable) throw notFound(noEditionHere)
	return data({ ...printable, audience: grantShown(grant) }, { headers: grantHeaders(grant) })
}

export default function PrintableEditionPage() {
	const printable = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/read/${printable.edition.documentId}/e/${printable.edition.number}`}>Back to the edition</Link>
			</p>
			<AudienceNotice {...printable.audience} />
			<p className="print-hint notice">Use your browser’s Print command (Ctrl+P or ⌘P) and choose “Save as PDF” for a PDF of this paper.</p>
			<PrintedEdition {...printable} />
		</>
	)
}
