import {
	data,
	MaxPartSizeExceededError,
	redirect,
	unstable_createMemoryUploadHandler,
	unstable_parseMultipartFormData,
	type ActionFunctionArgs,
	type LoaderFunctionArgs,
	type MetaFunction,
	type UploadHandler,
} from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { Field, FormError, TextAreaField } from '#app/components/Field.tsx'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { importIntoGroup } from '#app/utils/documents.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Import a document · Scholion' }]

const pasteFormats = [
	{ value: 'txt', label: 'Plain text' },
	{ value: 'md', label: 'Markdown' },
	{ value: 'html', label: 'HTML' },
] as const

function megabytes(bytes: number) {
	return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'document.import')
	return { group: { id: access.group.id, name: access.group.name }, maxSize: megabytes(context.maxImportBytes) }
}

type Values = { title: string; paste: string; format: string }

const importFields = new Set(['file', 'title', 'paste', 'format'])

/**
 * Keeps the form's own fields in memory, up to `limit` bytes across all of
 * them together: a chunked upload has no Content-Length to refuse up front,
 * and per-part limits alone would let many parts pile up. Other parts are
 * read and dropped (the parser cannot skip them) but still count.
 */
function importUploadHandler(limit: number): UploadHandler {
	const memory = unstable_createMemoryUploadHandler({ maxPartSize: limit })
	let total = 0
	const budget = limit + 64 * 1024
	async function* counted(name: string, data: AsyncIterable<Uint8Array>) {
		for await (const chunk of data) {
			total += chunk.byteLength
			if (total > budget) throw new MaxPartSizeExceededError(name, limit)
			yield chunk
		}
	}
	return async (part) => {
		if (!importFields.has(part.name)) {
			for await (const _chunk of counted(part.name, part.data)) {
				// drained
			}
			return undefined
		}
		return memory({ ...part, data: counted(part.name, part.data) })
	}
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'document.import')
	const limit = context.maxImportBytes
	const empty: Values = { title: '', paste: '', format: 'txt' }
	const refuse = (error: string, values: Values = empty, status = 400) => data({ error, values }, { status })

	// Refuse an oversized upload from its declared length, before reading a byte of it.
	const declared = Number(request.headers.get('Content-Length') ?? 0)
	if (declared > limit + 64 * 1024) {
		return refuse(`That is too large to import: the limit is ${megabytes(limit)}.`, empty, 413)
	}
	let form: FormData
	try {
		form = await unstable_parseMultipartFormData(request, importUploadHandler(limit))
	} catch (error) {
		if (error instanceof MaxPartSizeExceededError) {
			return refuse(`That is too large to import: the limit is ${megabytes(limit)}.`, empty, 413)
		}
		return refuse('The form could not be read. Choose a file or paste text, then try again.')
	}
	const text = (name: string) => {
		const value = form.get(name)
		return typeof value === 'string' ? value : ''
	}
	const values: Values = { title: text('title'), paste: text('paste'), format: text('format') || 'txt' }
	const file = form.get('file')
	const hasFile = file instanceof File && (file.size > 0 || file.name !== '')
	const hasPaste = values.paste.trim() !== ''
	if (hasFile && hasPaste) return refuse('Choose a file or paste text, not both.', values)
	if (!hasFile && !hasPaste) return refuse('Choose a file to upload, or paste the text of the document.', values)
	if (!hasPaste && values.format !== 'txt' && values.format !== 'md' && values.format !== 'html') {
		return refuse('Choose the format of the pasted text.', values)
	}
	const source = hasFile
		? { bytes: new Uint8Array(await (file as File).arrayBuffer()), filename: (file as File).name, format: null }
		: {
				bytes: new TextEncoder().encode(values.paste),
				filename: null,
				format: values.format as 'txt' | 'md' | 'html',
			}
	const outcome = await importIntoGroup(context, {
		...source,
		groupId: access.group.id,
		userId: user.id,
		title: values.title,
	})
	if (!outcome.ok) return refuse(outcome.error, values)
	return redirect(`/documents/${outcome.document.id}`)
}

export default function ImportPage() {
	const { group, maxSize } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state !== 'idle' && navigation.formMethod?.toLowerCase() === 'post'
	const values = actionData?.values
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link>
			</p>
			<h1>Import a document</h1>
			<p className="muted">
				Upload a .txt, .md or .html file of up to {maxSize}, or paste its text. Text copied out of a PDF is reflowed
				into paragraphs; every character is kept.
			</p>
			<Form method="post" encType="multipart/form-data" className="form wide" noValidate aria-busy={busy}>
				<FormError error={actionData?.error} />
				<Field
					label="Title"
					name="title"
					hint="Optional: otherwise the document's first heading or the file name."
					defaultValue={values?.title}
					maxLength={200}
				/>
				<div className="field">
					<label htmlFor="import-file">File</label>
					<span className="hint" id="import-file-hint">
						.txt, .md or .html, UTF-8
					</span>
					<input
						id="import-file"
						type="file"
						name="file"
						accept=".txt,.text,.md,.markdown,.html,.htm,text/plain,text/markdown,text/html"
						aria-describedby="import-file-hint"
					/>
				</div>
				<p className="muted" style={{ margin: 0 }}>
					or
				</p>
				<TextAreaField label="Paste the text" name="paste" defaultValue={values?.paste} rows={10} />
				<div className="field">
					<label htmlFor="import-format">Format of the pasted text</label>
					<select id="import-format" name="format" defaultValue={values?.format ?? 'txt'}>
						{pasteFormats.map((f) => (
							<option key={f.value} value={f.value}>
								{f.label}
							</option>
						))}
					</select>
				</div>
				<div className="actions">
					<button type="submit" disabled={busy}>
						{busy ? 'Importing…' : 'Import'}
					</button>
					<span role="status" aria-live="polite">
						{busy ? (
							<>
								<progress aria-label="Importing" /> Uploading and converting…
							</>
						) : null}
					</span>
				</div>
			</Form>
		</>
	)
}
