import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { ExportForm } from '#app/components/exports/ExportForm.tsx'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { exportFormatLabels, exportFormats, startExportFromForm } from '#app/utils/exports.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Export · ${data.group.name} · Scholion` : 'Export · Scholion' }]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'annotation.read')
	return {
		group: { id: access.group.id, name: access.group.name },
		formats: exportFormats.map((value) => ({ value, label: exportFormatLabels[value] })),
	}
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'annotation.read')
	return startExportFromForm(request, context, user, { kind: 'group', id: access.group.id, label: access.group.name })
}

export default function GroupExport() {
	const { group, formats } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link>
			</p>
			<h1>Export the annotations of “{group.name}”</h1>
			<p className="lede">
				Every document of the group with everything you can see on it: shared annotations and replies, and your own drafts (never anyone else’s).
			</p>
			<ExportForm formats={formats} error={result && 'errors' in result ? result.errors.format : undefined} />
		</>
	)
}
