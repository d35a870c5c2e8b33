import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react'
import { useEffect } from 'react'
import { z } from 'zod'
import { FormError } from '#app/components/Field.tsx'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { annotationImporter, megabytes, readUploadedFile, type ImportStatus } from '#app/utils/import-annotations.server.ts'
import { notFound } from '#app/utils/responses.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Import annotations · ${data.document.title} · Scholion` : 'Import annotations · Scholion' },
]

const importQuery = z.object({ import: z.string().uuid().optional() })

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'annotation.create')
	const document = { id: access.document.id, title: access.document.title }
	const query = importQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams))
	if (!query.success) throw notFound('Import not found.')
	let status: (ImportStatus & { fileName: string | null }) | null = null
	if (query.data.import) {
		status = await annotationImporter(context).status(user, document.id, query.data.import)
		if (!status) throw notFound('Import not found.')
	}
	return { document, maxSize: megabytes(context.maxImportBytes), status }
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'annotation.create').catch(async (refusal: unknown) => {
		// Read the (bounded) upload before refusing: answering mid-upload resets the connection, and the browser shows no message.
		await readUploadedFile(request, context.maxImportBytes)
		throw refusal
	})
	const file = await readUploadedFile(request, context.maxImportBytes)
	// Refused unread: the rest of the upload is still coming, so this connection cannot serve another request.
	if (!file.ok) return data({ error: file.error }, { status: file.status, headers: file.status === 413 ? { Connection: 'close' } : undefined })
	const started = await annotationImporter(context).start(user, access.document.id, file)
	if (!started.ok) return data({ error: started.error }, { status: 400 })
	return redirect(`/documents/${access.document.id}/import-annotations?import=${started.importId}`)
}

export default function ImportAnnotationsPage() {
	const { document, maxSize, status } = useLoaderData<typeof loader>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/documents/${document.id}`}>{document.title}</Link>
			</p>
			<h1>Import annotations</h1>
			{status ? <ImportProgress status={status} documentId={document.id} /> : <UploadForm maxSize={maxSize} />}
		</>
	)
}

function UploadForm({ maxSize }: { maxSize: string }) {
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state !== 'idle' && navigation.formMethod?.toLowerCase() === 'post'
	return (
		<>
			<p className="muted">
				Bring in annotations from a Hypothesis export (JSON) or any W3C Web Annotation collection, page or list of
				annotations (JSON-LD), up to {maxSize}. Each is placed on this document by its quote: exactly, on closely
				similar words, or, where its words are not in the text, in the Orphaned list for you to place. They become your
				drafts; replies come in as replies. A file that cannot be read imports nothing.
			</p>
			<Form method="post" encType="multipart/form-data" className="form wide" aria-busy={busy}>
				<FormError error={actionData?.error} />
				<div className="field">
					<label htmlFor="annotations-file">Annotations file</label>
					<span className="hint" id="annotations-file-hint">
						.json or .jsonld
					</span>
					<input
						id="annotations-file"
						type="file"
						name="file"
						accept=".json,.jsonld,application/json,application/ld+json"
						aria-describedby="annotations-file-hint"
						aria-invalid={actionData?.error ? true : undefined}
					/>
				</div>
				<div className="actions">
					<button type="submit" disabled={busy}>
						{busy ? 'Uploading…' : 'Import'}
					</button>
					<span role="status" aria-live="polite">
						{busy ? (
							<>
								<progress aria-label="Uploading" /> Uploading and checking the file…
							</>
						) : null}
					</span>
				</div>
			</Form>
		</>
	)
}

/** While placing: a progress bar, refreshed every second (by the revalidator, or by the browser without JavaScript). */
function ImportProgress({ status, documentId }: { status: ImportStatus & { fileName: string | null }; documentId: string }) {
	const revalidator = useRevalidator()
	const placing = status.state === 'placing' && !status.stalled
	useEffect(() => {
		if (!placing) return
		const timer = setInterval(() => {
			if (revalidator.state === 'idle') revalidator.revalidate()
		}, 700)
		return () => clearInterval(timer)
	}, [placing, revalidator])
	const from = status.fileName ? ` from ${status.fileName}` : ''
	if (status.state === 'placing') {
		if (status.stalled) {
			return (
				<p className="form-error" role="alert">
					This import{from} stopped before it finished (the server may have restarted). Nothing was imported.{' '}
					<Link to={`/documents/${documentId}/import-annotations`}>Try again</Link>.
				</p>
			)
		}
		return (
			<section aria-labelledby="progress-heading">
				{/* Without JavaScript the page reloads itself until the import is done. */}
				<noscript>
					<meta httpEquiv="refresh" content="2" />
				</noscript>
				<h2 id="progress-heading">Importing{from}…</h2>
				<p>
					<progress max={status.total} value={status.processed} aria-labelledby="progress-heading" />
				</p>
				<p role="status">
					Placed {status.processed.toLocaleString('en')} of {status.total.toLocaleString('en')} annotations on the text.
				</p>
			</section>
		)
	}
	if (status.state === 'failed') {
		return (
			<>
				<p className="form-error" role="alert">
					{status.error}
				</p>
				<p>
					<Link to={`/documents/${documentId}/import-annotations`}>Import another file</Link>
				</p>
			</>
		)
	}
	const { summary } = status
	const imported = summary.exact + summary.fuzzy + summary.orphaned + summary.replies
	return (
		<section aria-labelledby="summary-heading">
			<h2 id="summary-heading" tabIndex={-1}>
				{`Imported ${imported.toLocaleString('en')} of ${summary.inFile.toLocaleString('en')}${from}`}
			</h2>
			<p role="status" className="notice">
				The annotations are your drafts on this document: only you see them until you share them.
			</p>
			<table>
				<caption className="sr-only">How the imported annotations were placed</caption>
				<tbody>
					<tr>
						<th scope="row">Placed exactly</th>
						<td>{summary.exact}</td>
					</tr>
					<tr>
						<th scope="row">Placed by fuzzy match (the words changed a little)</th>
						<td>{summary.fuzzy}</td>
					</tr>
					<tr>
						<th scope="row">Orphaned: their words are not in the text; place them from the Orphaned list</th>
						<td>{summary.orphaned}</td>
					</tr>
					<tr>
						<th scope="row">Replies</th>
						<td>{summary.replies}</td>
					</tr>
					<tr>
						<th scope="row">Skipped</th>
						<td>{summary.skipped.reduce((n, s) => n + s.count, 0)}</td>
					</tr>
				</tbody>
			</table>
			{summary.skipped.length > 0 ? (
				<>
					<h3>Skipped</h3>
					<ul className="skipped-reasons">
						{summary.skipped.map((s) => (
							<li key={s.reason}>
								{`${s.count} ${s.count === 1 ? 'annotation' : 'annotations'}: ${s.reason}`}
								{s.examples.length > 0 ? <span className="muted"> (for example {s.examples.join(', ')})</span> : null}
							</li>
						))}
					</ul>
				</>
			) : null}
			<p className="actions">
				<Link className="button" to={`/documents/${documentId}`}>
					Open the document
				</Link>
				<Link to={`/documents/${documentId}/import-annotations`}>Import another file</Link>
			</p>
		</section>
	)
}
