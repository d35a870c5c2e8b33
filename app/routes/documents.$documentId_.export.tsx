import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { ExportForm } from '#app/components/exports/ExportForm.tsx'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { exportFormatLabels, exportFormats, startExportFromForm } from '#app/utils/exports.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Export · ${data.document.title} · Scholion` : 'Export · Scholion' }]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'annotation.read')
	return {
		document: { id: access.document.id, title: access.document.title },
		group: { id: access.group.id, name: access.group.name },
		formats: exportFormats.map((value) => ({ value, label: exportFormatLabels[value] })),
	}
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'annotation.read')
	return startExportFromForm(request, context, user, { kind: 'document', id: access.document.id, label: access.document.title })
}

export default function DocumentExport() {
	const { document, group, formats } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link> · <Link to={`/documents/${document.id}`}>{document.title}</Link>
			</p>
			<h1>Export the annotations on “{document.title}”</h1>
			<p className="lede">
				Everything you can see on this document: the group’s shared annotations and replies, and your own drafts (never anyone else’s).
			</p>
			<ExportForm formats={formats} error={result && 'errors' in result ? result.errors.format : undefined} />
		</>
	)
}
