import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import type { FreezePreviewView } from '#app/components/moderation/types.ts'
import '#app/components/moderation/moderation.css'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { isAnnotationError } from '#app/utils/publication.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

/**
 * Freezing a new edition, in two steps: this page shows what the freeze
 * would do (the paragraphs changed since the latest edition, and how the
 * published annotations fare by the freeze's own anchoring rules); only the
 * confirmation, a second POST carrying the previewed text's hash, freezes.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Freeze a new edition · ${data.document.title} · Scholion` : 'Freeze a new edition · Scholion' },
]

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'edition.freeze')
	const base = { document: { id: access.document.id, title: access.document.title }, group: { id: access.group.id, name: access.group.name } }
	try {
		const preview: FreezePreviewView = await context.publication.freezePreview(user, access.document.id)
		return { ...base, preview, unchanged: null }
	} catch (error) {
		// Unchanged text is an answer, not a failure: the page says so and offers nothing to confirm.
		if (isAnnotationError(error) && error.status === 409 && error.message.startsWith('The text has not changed')) {
			return { ...base, preview: null, unchanged: error.message }
		}
		if (isAnnotationError(error)) throw data(error.message, { status: error.status })
		throw error
	}
}

const confirmSchema = z.object({
	intent: z.literal('confirm'),
	contentHash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'Look at the preview again before freezing.'),
})

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireDocumentAccess(context, user, params.documentId, 'edition.freeze')
	const parsed = confirmSchema.safeParse(Object.fromEntries(await request.formData()))
	if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? 'That form was not valid.', message: null }, { status: 400 })
	try {
		const { edition, carried, left } = await context.publication.freezeEdition(user, access.document.id, parsed.data.contentHash)
		return {
			error: null,
			message:
				`Edition ${edition.number} of “${access.document.title}” frozen; ${carried} published ${carried === 1 ? 'annotation' : 'annotations'} carried forward` +
				(left > 0 ? `, ${left} ${left === 1 ? 'stays' : 'stay'} on an earlier edition.` : '.'),
		}
	} catch (error) {
		if (isAnnotationError(error)) return data({ error: error.message, message: null }, { status: error.status })
		throw error
	}
}

export default function FreezeEditionPage() {
	const { document, group, preview, unchanged } = useLoaderData<typeof loader>()
	const result = useActionData<typeof action>()
	const queue = `/groups/${group.id}/moderation`
	return (
		<>
			<p className="breadcrumb">
				<Link to={queue}>Moderation queue of {group.name}</Link> · <Link to={`/documents/${document.id}`}>{document.title}</Link>
			</p>
			<h1>Freeze a new edition of “{document.title}”</h1>
			{result?.message ? (
				<div className="notice" role="status">
					<p>{result.message}</p>
					<p>
						<Link to={queue}>Back to the moderation queue</Link>
					</p>
				</div>
			) : null}
			{result?.error ? (
				<p className="form-error" role="alert">
					{result.error}
				</p>
			) : null}
			{unchanged ? <p className="lede">{unchanged} There is nothing to freeze.</p> : null}
			{preview && !result?.message ? <Preview preview={preview} /> : null}
		</>
	)
}

function Preview({ preview }: { preview: FreezePreviewView }) {
	const { exact, confirm, orphaned } = preview.annotations
	const changed = preview.changes.filter((c) => c.kind !== 'same')
	return (
		<>
			<p className="lede">
				Nothing is frozen yet. This is what edition {preview.nextEditionNumber} would be
				{preview.latestEditionNumber !== null ? `, compared with edition ${preview.latestEditionNumber}` : ' (the first edition)'}.
			</p>
			<section aria-labelledby="carry-heading">
				<h2 id="carry-heading">Published annotations</h2>
				<ul className="freeze-counts">
					<li>
						<strong>{exact}</strong> carried over exactly (the annotated words are unchanged)
					</li>
					<li>
						<strong>{confirm}</strong> need a person’s confirmation (found only approximately, or on changed words)
					</li>
					<li>
						<strong>{orphaned}</strong> stay on the old edition (the annotated words are gone)
					</li>
				</ul>
			</section>
			<section aria-labelledby="diff-heading">
				<h2 id="diff-heading">Changes to the text ({changed.reduce((n, c) => n + c.paragraphs.length, 0)} paragraphs)</h2>
				{changed.length === 0 ? <p className="muted">No paragraph changed; only formatting differs.</p> : null}
				<ol className="paragraph-diff">
					{preview.changes.map((change, index) =>
						change.kind === 'same' ? (
							<li key={index} className="diff-same muted small">
								{change.paragraphs.length} unchanged {change.paragraphs.length === 1 ? 'paragraph' : 'paragraphs'}
							</li>
						) : (
							change.paragraphs.map((paragraph, p) => (
								<li key={`${index}-${p}`} className={`diff-${change.kind}`}>
									{change.kind === 'added' ? (
										<ins>
											<span className="diff-label">Added: </span>
											{paragraph}
										</ins>
									) : (
										<del>
											<span className="diff-label">Removed: </span>
											{paragraph}
										</del>
									)}
								</li>
							))
						),
					)}
				</ol>
			</section>
			<Form method="post" className="form">
				<input type="hidden" name="intent" value="confirm" />
				<input type="hidden" name="contentHash" value={preview.contentHash} />
				<div className="actions">
					<button type="submit">Freeze edition {preview.nextEditionNumber}</button>
				</div>
			</Form>
		</>
	)
}
